package plusone

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Escalation is a rule of the policy's escalations: a ticket matching When
// that waits Unanswered without an agent's reply gets one message in its
// card's thread and one to Notify.
type Escalation struct {
	When       EscalationMatch
	Unanswered time.Duration
	// Notify is a Slack channel ID, or NotifySupervisors: a direct message
	// to each of the policy's approvals.supervisors.
	Notify string
}

// NotifySupervisors is the Notify of a rule whose message goes to each
// supervisor.
const NotifySupervisors = "supervisors"

// EscalationMatch holds a rule's conditions; every one set must match. It
// is routing's match (source, tier, tag, brand) and a signal.
type EscalationMatch struct {
	RouteMatch
	Signal SignalKind
}

// EscalationInput is what an escalation rule looks at: what routing looks
// at, and the customer's signals now.
type EscalationInput struct {
	RouteInput
	Signals []SignalKind
}

// Matches reports whether in meets every condition m sets.
func (m EscalationMatch) Matches(in EscalationInput) bool {
	if m.Signal != "" && !slices.Contains(in.Signals, m.Signal) {
		return false
	}
	return m.RouteMatch.matches(in.RouteInput)
}

// Key names the rule by what it says, so that it stays the same rule
// across a reload that moves it: "tier=advocate,30m0s,C0VIP".
func (e Escalation) Key() string {
	var parts []string
	for _, kv := range [][2]string{{"source", string(e.When.Source)}, {"tier", string(e.When.Tier)}, {"tag", e.When.Tag},
		{"brand", e.When.Brand}, {"signal", string(e.When.Signal)}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+strings.ToLower(kv[1]))
		}
	}
	return fmt.Sprintf("%s,%s,%s", strings.Join(parts, "+"), e.Unanswered, e.Notify)
}

// Escalation returns the first of the policy's escalation rules that in
// matches.
func (p *Policy) Escalation(in EscalationInput) (Escalation, bool) {
	for _, e := range p.Escalations {
		if e.When.Matches(in) {
			return e, true
		}
	}
	return Escalation{}, false
}

// FirstEscalation is the soonest an escalation of a ticket waiting since
// since may be due under any of the policy's rules; false when it has
// none.
func (p *Policy) FirstEscalation(since time.Time) (time.Time, bool) {
	if len(p.Escalations) == 0 || since.IsZero() {
		return time.Time{}, false
	}
	shortest := p.Escalations[0].Unanswered
	for _, e := range p.Escalations[1:] {
		shortest = min(shortest, e.Unanswered)
	}
	return since.Add(shortest), true
}

// LaterEscalation is the soonest a rule could still come due for a wait
// that began at since, after now; false when every rule's time has run
// out. A wait no rule matches now may match one later (her tier rises, a
// signal appears) while a longer rule's time runs.
func (p *Policy) LaterEscalation(since, now time.Time) (time.Time, bool) {
	var next time.Time
	for _, e := range p.Escalations {
		if due := since.Add(e.Unanswered); due.After(now) && (next.IsZero() || due.Before(next)) {
			next = due
		}
	}
	return next, !next.IsZero()
}

// Escalates reports whether a ticket of this status may be escalated: it
// waits for an agent. A pending, on-hold, snoozed, solved or closed
// ticket waits for someone else, or for nobody.
func Escalates(status string) bool {
	switch status {
	case "", "new", "open", "active":
		return true
	}
	return false
}

// EscalationVerdict is what becomes of a ticket's escalation timer when it
// is due to be looked at.
type EscalationVerdict string

// Escalation verdicts.
const (
	// EscalationFire: the message is sent now.
	EscalationFire EscalationVerdict = "fire"
	// EscalationWait: not yet; look again at the due time.
	EscalationWait EscalationVerdict = "wait"
	// EscalationAnswered: an agent replied since (or the customer has
	// waited since another time: another timer covers that).
	EscalationAnswered EscalationVerdict = "answered"
	// EscalationStatus: the ticket is pending, solved or closed.
	EscalationStatus EscalationVerdict = "status"
	// EscalationUnmatched: no rule matches the ticket any more.
	EscalationUnmatched EscalationVerdict = "unmatched"
)

// Cancelled reports whether the verdict ends the timer without a message.
func (v EscalationVerdict) Cancelled() bool {
	return v == EscalationAnswered || v == EscalationStatus || v == EscalationUnmatched
}

// EscalationTimer is the payload of a JobEscalation job: the timer of a
// ticket that waits for an agent since Since.
type EscalationTimer struct {
	// Ticket is the ticket's key ("zendesk:5158").
	Ticket string    `json:"ticket"`
	Since  time.Time `json:"since"`
}

// JobEscalation is the job kind of escalation timers: one per ticket,
// wait and change of the ticket during it (its key EscalationTimerKey),
// due when the wait may first need an escalation, claimed by one replica.
const JobEscalation = "ticket.escalation"

// EscalationTimerKey is the job key of the timer of ticket's wait since
// since, armed by the ticket's change at armed: enqueued once however often
// that change is applied. A later change arms another timer, so that a
// wait a status cancelled (pending) is watched again once the ticket is
// open again; EscalationKey keeps the escalation of a wait to one.
func EscalationTimerKey(ticket string, since, armed time.Time) string {
	return fmt.Sprintf("escalation:%s:%d:%d", ticket, since.UnixMicro(), armed.UnixMicro())
}

// EscalationKey names the escalation of ticket's wait since since: its
// messages' job keys start with it, so a wait is escalated once whatever
// its timers.
func EscalationKey(ticket string, since time.Time) string {
	return fmt.Sprintf("escalation:%s:%d", ticket, since.UnixMicro())
}

// EscalationDecision is the verdict on a timer, and the rule it concerns.
type EscalationDecision struct {
	Verdict EscalationVerdict
	Rule    Escalation
	// Due is when the rule's time runs out.
	Due time.Time
}

// DecideEscalation decides a timer of a ticket's wait since since, at now:
// the ticket as it is now, the rule that matches it now (ok false for
// none), and later, the next time another rule could come due (zero for
// none: Policy.LaterEscalation). The timer fires once the rule's time has
// run out while the same wait goes on; an agent's reply or another status
// cancels it, and so does no rule matching when none could come due later
// (else it waits for that); otherwise it waits until the rule's due time.
func DecideEscalation(t TicketRecord, since time.Time, rule Escalation, ok bool, later, now time.Time) EscalationDecision {
	switch {
	case !t.Open() || !Escalates(t.Status):
		return EscalationDecision{Verdict: EscalationStatus}
	case t.WaitingSince.IsZero() || !t.WaitingSince.Equal(since):
		return EscalationDecision{Verdict: EscalationAnswered}
	case !ok && later.After(now):
		return EscalationDecision{Verdict: EscalationWait, Due: later}
	case !ok:
		return EscalationDecision{Verdict: EscalationUnmatched}
	}
	d := EscalationDecision{Rule: rule, Due: since.Add(rule.Unanswered), Verdict: EscalationWait}
	if !now.Before(d.Due) {
		d.Verdict = EscalationFire
	}
	return d
}

// EscalationNotice is what a NoticeEscalation's Text carries: the rule
// that fired and the wait it was about.
type EscalationNotice struct {
	Rule       string        `json:"rule"`
	Unanswered time.Duration `json:"unanswered"`
	Since      time.Time     `json:"since"`
}
