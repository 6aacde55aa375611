package plusone

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// OutcomesPolicy is the policy's outcomes section: how gestures are
// measured (holdout and windows) and what comes back to people (agent
// feedback and the supervisors' digest).
type OutcomesPolicy struct {
	// Holdout is the share of customers (0 to 1), per gesture, who are
	// not offered it, so that its effect can be measured; 0 is off. A
	// gesture's own Holdout overrides it.
	Holdout float64
	// Windows are how long after exposure outcomes are counted, in event
	// time, shortest first; never empty in a parsed policy.
	Windows []time.Duration
	// AgentFeedback sends an agent a direct message when a customer she
	// granted a gesture comes back within the first window.
	AgentFeedback bool
	// Digest schedules the supervisors' digest; nil sends none on a
	// schedule (/plusone digest still shows it).
	Digest *DigestSchedule
	// Seed fixes the random assignment: the same seed, the same customers
	// held out (e.g. to repeat a simulation). Empty: a seed chosen at
	// random once per installation and kept in the store.
	Seed string
}

// DefaultOutcomeWindows are the windows of a policy that sets none.
func DefaultOutcomeWindows() []time.Duration {
	return []time.Duration{30 * 24 * time.Hour, 90 * 24 * time.Hour}
}

// DigestSchedule says where and when the supervisors' digest goes.
type DigestSchedule struct {
	// Channel is a Slack channel ID; empty sends each supervisor a direct
	// message.
	Channel string
	// Every is day, week or month.
	Every Period
	// Weekday is the day of a weekly digest.
	Weekday time.Weekday
	// Day is the day of the month (1 to 28) of a monthly digest.
	Day int
	// Hour and Minute are the local time of day it goes.
	Hour, Minute int
}

// Next returns the first time the digest is due strictly after after, in
// loc (UTC when nil). Local times skipped by a DST change move forward
// as time.Date normalises them.
func (d DigestSchedule) Next(after time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	local := after.In(loc)
	y, m, day := local.Date()
	at := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, d.Hour, d.Minute, 0, 0, loc) }
	switch d.Every {
	case PerMonth:
		for i := 0; ; i++ {
			if t := at(y, m+time.Month(i), d.Day); t.After(after) {
				return t
			}
		}
	case PerWeek:
		ahead := (int(d.Weekday) - int(local.Weekday()) + 7) % 7
		for i := 0; ; i += 7 {
			if t := at(y, m, day+ahead+i); t.After(after) {
				return t
			}
		}
	default:
		for i := 0; ; i++ {
			if t := at(y, m, day+i); t.After(after) {
				return t
			}
		}
	}
}

// Arm is the side of a gesture's experiment a customer is on.
type Arm string

// Arms.
const (
	// ArmTreatment customers are offered the gesture as usual.
	ArmTreatment Arm = "treatment"
	// ArmHoldout customers' cards do not suggest it.
	ArmHoldout Arm = "holdout"
)

// Assignment records that a customer was exposed to a gesture (it was
// eligible for her for the first time) and the arm she was put on.
type Assignment struct {
	CustomerID int64
	Gesture    string
	Arm        Arm
	// ExposedAt is the event time of the exposure.
	ExposedAt time.Time
}

// AssignArm draws the arm of unit (a customer's stable identity) for a
// gesture: holdout with probability share. The draw is a hash of seed,
// gesture and unit, so the same inputs always give the same arm — on every
// replica, after a restart, and when a simulation is run again — while the
// arms of different gestures are independent.
func AssignArm(seed, gesture, unit string, share float64) Arm {
	if share <= 0 {
		return ArmTreatment
	}
	h := sha256.Sum256([]byte(seed + "\x00" + gesture + "\x00" + unit))
	u := float64(binary.BigEndian.Uint64(h[:8])>>11) / (1 << 53) // uniform in [0, 1)
	if u < share {
		return ArmHoldout
	}
	return ArmTreatment
}

// Exposures returns the assignments a customer gets at an event at time at:
// one for each gesture of the policy that is eligible for her (tier and
// signals, as Suggest checks them; paused gestures and cooldowns aside) and
// that she has no assignment for yet, or one whose exposure came later than
// at (an event applied late: the earliest exposure wins). unit is her
// stable identity, seed the assignment seed.
func (p *Policy) Exposures(c Customer, signals []Signal, have []Assignment, unit, seed string, at time.Time) []Assignment {
	var out []Assignment
	for _, g := range p.Gestures {
		if exposedBy(have, g.ID, at) {
			continue
		}
		if _, ok := eligible(g, c, signals); !ok {
			continue
		}
		out = append(out, Assignment{CustomerID: c.ID, Gesture: g.ID, Arm: AssignArm(seed, g.ID, unit, g.Holdout), ExposedAt: at})
	}
	return out
}

// NeedsExposure reports whether an event at time at may expose her to a
// gesture — one she has no assignment for, or one assigned at a later time,
// whose tier condition she meets — and whether any such gesture has signal
// conditions (then Exposures needs her signals). When it reports false,
// Exposures returns none whatever her signals.
func (p *Policy) NeedsExposure(c Customer, have []Assignment, at time.Time) (needed, signals bool) {
	for _, g := range p.Gestures {
		if exposedBy(have, g.ID, at) {
			continue
		}
		if tiers := g.Eligible.Tiers; len(tiers) > 0 && !slices.Contains(tiers, tierOf(c)) {
			continue
		}
		needed = true
		signals = signals || len(g.Eligible.Signals) > 0
	}
	return needed, signals
}

// exposedBy reports whether she was exposed to gesture at or before at.
func exposedBy(have []Assignment, gesture string, at time.Time) bool {
	for _, a := range have {
		if a.Gesture == gesture {
			return !a.ExposedAt.After(at)
		}
	}
	return false
}

// WithoutHeldOut returns the policy as her card sees it: p without the
// gestures her assignments hold her out of (Decide still takes the whole
// policy, so an agent's own offer of such a gesture is allowed).
func (p *Policy) WithoutHeldOut(assignments []Assignment) *Policy {
	var held []string
	for _, a := range assignments {
		if a.Arm == ArmHoldout {
			held = append(held, a.Gesture)
		}
	}
	if len(held) == 0 {
		return p
	}
	q := *p
	q.Gestures = make([]Gesture, 0, len(p.Gestures))
	for _, g := range p.Gestures {
		if !slices.Contains(held, g.ID) {
			q.Gestures = append(q.Gestures, g)
		}
	}
	return &q
}

// ParseDuration reads a duration as the environment and the policy write
// them: a Go duration (720h, 90m, 10s) or days, optionally followed by a Go
// duration for the rest (30d, 1d12h).
func ParseDuration(s string) (time.Duration, error) {
	num, rest, ok := strings.Cut(s, "d")
	if !ok || num == "" || strings.TrimLeft(num, "0123456789") != "" {
		return time.ParseDuration(s)
	}
	n, err := strconv.Atoi(num)
	if err != nil || n > maxDays {
		return 0, fmt.Errorf("too many days in %q", s)
	}
	d := time.Duration(n) * 24 * time.Hour
	if rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil || r < 0 {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		d += r
	}
	return d, nil
}

// maxDays keeps day counts far from overflowing time.Duration.
const maxDays = 36500

// FormatDuration writes d as ParseDuration reads it, shortest first: whole
// days as "30d", else Go's form without zero units ("90m", "1h30m", "10s").
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d > 0 && d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
