package plusone

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func TestAssignArm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		share float64
		want  float64 // share of holdout among 20,000 units
	}{{0, 0}, {0.1, 0.1}, {0.5, 0.5}, {0.9, 0.9}}
	for _, tt := range tests {
		held := 0
		const n = 20000
		for i := range n {
			if AssignArm("seed", "g", fmt.Sprintf("c%d@example.com", i), tt.share) == ArmHoldout {
				held++
			}
		}
		// 4 standard errors of a share of 20,000 at most 0.0141.
		if got := float64(held) / n; math.Abs(got-tt.want) > 0.0141 {
			t.Errorf("share %v: %v held out", tt.share, got)
		}
	}
	// Deterministic, and independent across gestures and seeds.
	same, otherGesture, otherSeed := 0, 0, 0
	for i := range 1000 {
		u := fmt.Sprintf("c%d", i)
		a := AssignArm("s", "a", u, 0.5)
		if AssignArm("s", "a", u, 0.5) == a {
			same++
		}
		if AssignArm("s", "b", u, 0.5) == a {
			otherGesture++
		}
		if AssignArm("t", "a", u, 0.5) == a {
			otherSeed++
		}
	}
	if same != 1000 {
		t.Errorf("the same inputs gave another arm %d times in 1000", 1000-same)
	}
	for name, n := range map[string]int{"gesture": otherGesture, "seed": otherSeed} {
		if n < 430 || n > 570 { // agreement of independent fair coins: 500 ± 4.4 SE
			t.Errorf("arms agree with another %s's %d times in 1000: not independent", name, n)
		}
	}
}

func TestExposures(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	p := &Policy{Gestures: []Gesture{
		{ID: "any", Holdout: 0.5},
		{ID: "loyal_only", Eligible: Eligibility{Tiers: []Tier{TierLoyal}}},
		{ID: "cart", Eligible: Eligibility{Signals: []SignalKind{SignalAbandonedCart}}},
		{ID: "paused", Paused: true},
	}}
	c := Customer{ID: 7, Profile: Profile{Tier: TierSatisfied}}
	have := []Assignment{{Gesture: "paused", Arm: ArmTreatment}}
	got := p.Exposures(c, []Signal{{Kind: SignalAbandonedCart}}, have, "jane@example.com", "s", at)
	if len(got) != 2 || got[0].Gesture != "any" || got[1].Gesture != "cart" {
		t.Fatalf("Exposures = %+v, want any and cart (not loyal_only: she is satisfied; not paused: assigned)", got)
	}
	if a := got[0]; a.CustomerID != 7 || !a.ExposedAt.Equal(at) ||
		a.Arm != AssignArm("s", "any", "jane@example.com", 0.5) {
		t.Errorf("assignment = %+v", a)
	}
	if got[1].Arm != ArmTreatment {
		t.Errorf("a gesture without holdout put her on %s", got[1].Arm)
	}
	// A late event with an earlier time exposes her earlier; one after
	// changes nothing.
	exposed := []Assignment{{Gesture: "any", ExposedAt: at}}
	p2 := &Policy{Gestures: p.Gestures[:1]}
	if needed, _ := p2.NeedsExposure(c, exposed, at.Add(time.Hour)); needed || len(p2.Exposures(c, nil, exposed, "u", "s", at.Add(time.Hour))) != 0 {
		t.Error("a later event exposed her again")
	}
	if needed, _ := p2.NeedsExposure(c, exposed, at.Add(-time.Hour)); !needed || len(p2.Exposures(c, nil, exposed, "u", "s", at.Add(-time.Hour))) != 1 {
		t.Error("an earlier event did not move her exposure")
	}
}

func TestNeedsExposure(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	p := &Policy{Gestures: []Gesture{
		{ID: "loyal_cart", Eligible: Eligibility{Tiers: []Tier{TierLoyal}, Signals: []SignalKind{SignalAbandonedCart}}},
		{ID: "satisfied", Eligible: Eligibility{Tiers: []Tier{TierSatisfied}}},
	}}
	tests := []struct {
		name            string
		tier            Tier
		have            []Assignment
		needed, signals bool
	}{
		{"a new customer is eligible for neither: no signals read", TierNew, nil, false, false},
		{"satisfied: the tier-only gesture", TierSatisfied, nil, true, false},
		{"loyal: the gesture with signals", TierLoyal, nil, true, true},
		{"loyal, assigned already", TierLoyal, []Assignment{{Gesture: "loyal_cart", ExposedAt: at}}, false, false},
	}
	for _, tt := range tests {
		needed, signals := p.NeedsExposure(Customer{Profile: Profile{Tier: tt.tier}}, tt.have, at)
		if needed != tt.needed || signals != tt.signals {
			t.Errorf("%s: NeedsExposure = %v, %v; want %v, %v", tt.name, needed, signals, tt.needed, tt.signals)
		}
	}
}

func TestWithoutHeldOut(t *testing.T) {
	t.Parallel()
	p := &Policy{Currency: "EUR", Gestures: []Gesture{{ID: "a"}, {ID: "b"}, {ID: "c"}}}
	got := p.WithoutHeldOut([]Assignment{{Gesture: "b", Arm: ArmHoldout}, {Gesture: "c", Arm: ArmTreatment}})
	if len(got.Gestures) != 2 || got.Gestures[0].ID != "a" || got.Gestures[1].ID != "c" || got.Currency != "EUR" {
		t.Errorf("WithoutHeldOut = %+v, want a and c", got)
	}
	if len(p.Gestures) != 3 {
		t.Error("WithoutHeldOut changed the policy")
	}
	if p.WithoutHeldOut(nil) != p {
		t.Error("nothing held out: want the policy itself")
	}
}

func TestDigestNext(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata")
	}
	at := func(s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		name  string
		d     DigestSchedule
		after string
		want  string
	}{
		{"daily, later today", DigestSchedule{Every: PerDay, Hour: 9}, "2026-11-20 08:00", "2026-11-20 09:00"},
		{"daily, at the time: tomorrow", DigestSchedule{Every: PerDay, Hour: 9}, "2026-11-20 09:00", "2026-11-21 09:00"},
		{"weekly, this week", DigestSchedule{Every: PerWeek, Weekday: time.Monday, Hour: 9}, "2026-11-22 10:00", "2026-11-23 09:00"}, // Sunday
		{"weekly, the day itself after the time", DigestSchedule{Every: PerWeek, Weekday: time.Monday, Hour: 9}, "2026-11-23 09:30", "2026-11-30 09:00"},
		{"monthly, next month", DigestSchedule{Every: PerMonth, Day: 1, Hour: 7}, "2026-11-20 08:00", "2026-12-01 07:00"},
		{"monthly, across the year", DigestSchedule{Every: PerMonth, Day: 15, Hour: 7}, "2026-12-16 08:00", "2027-01-15 07:00"},
		{"across DST: local time kept", DigestSchedule{Every: PerDay, Hour: 9}, "2026-11-01 10:00", "2026-11-02 09:00"},
	}
	for _, tt := range tests {
		if got := tt.d.Next(at(tt.after), ny); !got.Equal(at(tt.want)) {
			t.Errorf("%s: Next(%s) = %s, want %s", tt.name, tt.after, got.In(ny), tt.want)
		}
	}
}

func TestDurations(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]time.Duration{
		"30d": 30 * 24 * time.Hour, "1d12h": 36 * time.Hour, "10s": 10 * time.Second, "90m": 90 * time.Minute, "720h": 720 * time.Hour,
	} {
		if got, err := ParseDuration(s); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "d", "30 days", "1d-3h", "99999999d", "3dd"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q): no error", bad)
		}
	}
	for d, want := range map[time.Duration]string{
		30 * 24 * time.Hour: "30d", 10 * time.Second: "10s", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h", 36 * time.Hour: "36h", 1500 * time.Millisecond: "1.5s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
		if back, err := ParseDuration(FormatDuration(d)); err != nil || back != d {
			t.Errorf("ParseDuration(FormatDuration(%v)) = %v, %v", d, back, err)
		}
	}
}
