package plusone

import (
	"testing"
	"time"
)

// The first matching rule applies; each condition set must hold, the
// signal among her signals, tags and brands case aside.
func TestPolicyEscalation(t *testing.T) {
	t.Parallel()
	p := &Policy{Escalations: []Escalation{
		{When: EscalationMatch{RouteMatch: RouteMatch{Tier: TierAdvocate}}, Unanswered: 30 * time.Minute, Notify: "C0VIP"},
		{When: EscalationMatch{Signal: SignalRepeatContact}, Unanswered: 2 * time.Hour, Notify: NotifySupervisors},
		{When: EscalationMatch{RouteMatch: RouteMatch{Source: SourceZendesk, Tag: "Urgent"}}, Unanswered: time.Hour, Notify: "C0URGENT"},
		{When: EscalationMatch{RouteMatch: RouteMatch{Brand: "acme"}, Signal: SignalLowCSAT}, Unanswered: 4 * time.Hour, Notify: "C0ACME"},
	}}
	in := func(source Source, tier Tier, tags []string, brand string, signals ...SignalKind) EscalationInput {
		return EscalationInput{RouteInput: RouteInput{Source: source, Tier: tier, Tags: tags, Brand: brand}, Signals: signals}
	}
	tests := []struct {
		name   string
		in     EscalationInput
		notify string // "" for no rule
	}{
		{"advocate", in(SourceIntercom, TierAdvocate, nil, ""), "C0VIP"},
		{"advocate who also contacts again: the first rule", in(SourceZendesk, TierAdvocate, nil, "", SignalRepeatContact), "C0VIP"},
		{"repeat contact", in(SourceHelpScout, TierLoyal, nil, "", SignalLongWait, SignalRepeatContact), NotifySupervisors},
		{"urgent Zendesk ticket, tag case aside", in(SourceZendesk, TierNew, []string{"shipping", "urgent"}, ""), "C0URGENT"},
		{"urgent Freshdesk ticket: wrong source", in(SourceFreshdesk, TierNew, []string{"urgent"}, ""), ""},
		{"brand and signal", in(SourceFreshdesk, TierNew, nil, "ACME", SignalLowCSAT), "C0ACME"},
		{"brand without the signal", in(SourceFreshdesk, TierNew, nil, "ACME"), ""},
		{"nothing matches", in(SourceGeneric, TierSatisfied, []string{"billing"}, "other", SignalLongWait), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rule, ok := p.Escalation(tt.in)
			if ok != (tt.notify != "") || rule.Notify != tt.notify {
				t.Errorf("Escalation = %+v, %v; want notify %q", rule, ok, tt.notify)
			}
		})
	}
	// A rule without conditions takes every ticket.
	all := &Policy{Escalations: []Escalation{{Unanswered: time.Hour, Notify: "C0ALL"}}}
	if r, ok := all.Escalation(in(SourceGeneric, TierNew, nil, "")); !ok || r.Notify != "C0ALL" {
		t.Errorf("catch-all rule: %+v %v", r, ok)
	}
}

// The cancel rules: a timer fires once the rule's time ran out while the
// same wait goes on; an agent's reply, a status other than open or no
// rule matching cancels it; before its time it waits.
func TestDecideEscalation(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	rule := Escalation{Unanswered: 30 * time.Minute, Notify: "C0VIP"}
	waiting := func(status string, since time.Time) TicketRecord {
		return TicketRecord{Ticket: Ticket{ID: "1", Status: status}, Source: SourceZendesk, WaitingSince: since}
	}
	answered := waiting("open", since)
	answered.AgentReplied(since.Add(10 * time.Minute))
	again := waiting("open", since)
	again.AgentReplied(since.Add(10 * time.Minute))
	again.CustomerSpoke(since.Add(20 * time.Minute)) // a new wait: its own timer
	tests := []struct {
		name    string
		ticket  TicketRecord
		matches bool
		now     time.Time
		want    EscalationVerdict
		later   time.Time // another rule's next due time
		due     time.Time // when it waits for another rule
	}{
		{"due", waiting("open", since), true, since.Add(30 * time.Minute), EscalationFire, time.Time{}, time.Time{}},
		{"late", waiting("new", since), true, since.Add(3 * time.Hour), EscalationFire, time.Time{}, time.Time{}},
		{"Help Scout's active", waiting("active", since), true, since.Add(31 * time.Minute), EscalationFire, time.Time{}, time.Time{}},
		{"not yet", waiting("open", since), true, since.Add(29 * time.Minute), EscalationWait, time.Time{}, time.Time{}},
		{"an agent replied", answered, true, since.Add(time.Hour), EscalationAnswered, time.Time{}, time.Time{}},
		{"she wrote again after the reply", again, true, since.Add(time.Hour), EscalationAnswered, time.Time{}, time.Time{}},
		{"pending", waiting("pending", since), true, since.Add(time.Hour), EscalationStatus, time.Time{}, time.Time{}},
		{"on hold", waiting("hold", since), true, since.Add(time.Hour), EscalationStatus, time.Time{}, time.Time{}},
		{"snoozed", waiting("snoozed", since), true, since.Add(time.Hour), EscalationStatus, time.Time{}, time.Time{}},
		{"solved", waiting("solved", since), true, since.Add(time.Hour), EscalationStatus, time.Time{}, time.Time{}},
		{"closed", waiting("closed", since), true, since.Add(time.Hour), EscalationStatus, time.Time{}, time.Time{}},
		{"no rule matches any more", waiting("open", since), false, since.Add(time.Hour), EscalationUnmatched, time.Time{}, time.Time{}},
		{"no rule matches yet, a longer one may", waiting("open", since), false, since.Add(time.Hour), EscalationWait,
			since.Add(2 * time.Hour), since.Add(2 * time.Hour)},
		{"a longer rule's time ran out too", waiting("open", since), false, since.Add(3 * time.Hour), EscalationUnmatched,
			since.Add(2 * time.Hour), time.Time{}},
		{"answered, whatever rules remain", answered, false, since.Add(time.Hour), EscalationAnswered, since.Add(2 * time.Hour), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := rule
			if !tt.matches {
				r = Escalation{}
			}
			d := DecideEscalation(tt.ticket, since, r, tt.matches, tt.later, tt.now)
			if d.Verdict != tt.want {
				t.Fatalf("verdict %q, want %q", d.Verdict, tt.want)
			}
			if d.Verdict.Cancelled() == (tt.want == EscalationFire || tt.want == EscalationWait) {
				t.Errorf("Cancelled() = %v for %q", d.Verdict.Cancelled(), d.Verdict)
			}
			want := since.Add(30 * time.Minute)
			if !tt.due.IsZero() {
				want = tt.due
			}
			if (tt.want == EscalationFire || tt.want == EscalationWait) && !d.Due.Equal(want) {
				t.Errorf("due %v, want %v", d.Due, want)
			}
		})
	}
}

// The first timer of a wait is due when the shortest rule runs out; no
// rules or no wait, none.
func TestFirstEscalation(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	p := &Policy{Escalations: []Escalation{{Unanswered: 2 * time.Hour}, {Unanswered: 30 * time.Minute}, {Unanswered: time.Hour}}}
	if due, ok := p.FirstEscalation(since); !ok || !due.Equal(since.Add(30*time.Minute)) {
		t.Errorf("FirstEscalation = %v %v", due, ok)
	}
	if _, ok := p.FirstEscalation(time.Time{}); ok {
		t.Error("a ticket waiting for nobody has a timer")
	}
	if _, ok := (&Policy{}).FirstEscalation(since); ok {
		t.Error("a policy without escalations has a timer")
	}
	for _, tt := range []struct {
		now  time.Time
		want time.Time
	}{
		{since, since.Add(30 * time.Minute)},
		{since.Add(30 * time.Minute), since.Add(time.Hour)}, // the 30-minute rule's time has run out
		{since.Add(90 * time.Minute), since.Add(2 * time.Hour)},
		{since.Add(2 * time.Hour), time.Time{}},
	} {
		if got, ok := p.LaterEscalation(since, tt.now); ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("LaterEscalation at %v = %v %v, want %v", tt.now, got, ok, tt.want)
		}
	}
}

// A rule's key names what it says, so a reload that moves it keeps it.
func TestEscalationKey(t *testing.T) {
	t.Parallel()
	a := Escalation{When: EscalationMatch{RouteMatch: RouteMatch{Tier: TierAdvocate, Tag: "VIP"}, Signal: SignalLongWait},
		Unanswered: 30 * time.Minute, Notify: "C0VIP"}
	if got, want := a.Key(), "tier=advocate+tag=vip+signal=long_wait,30m0s,C0VIP"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
	b := a
	b.Unanswered = time.Hour
	if a.Key() == b.Key() {
		t.Error("rules with different times share a key")
	}
	since := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	first, again := EscalationTimerKey("zendesk:1", since, since), EscalationTimerKey("zendesk:1", since, since.Add(time.Minute))
	if first == again || EscalationTimerKey("zendesk:1", since, since) != first {
		t.Errorf("timer keys: %q %q; want one per change of the ticket", first, again)
	}
	if EscalationKey("zendesk:1", since) == EscalationKey("zendesk:1", since.Add(time.Hour)) {
		t.Error("two waits share an escalation key")
	}
}

// Card facts come in the policy's order; a custom field is found by its
// name, case aside; facts the ticket lacks are left out.
func TestCardFacts(t *testing.T) {
	t.Parallel()
	tk := Ticket{Assignee: "Ana Agent", Organization: "Acme Corp",
		Fields: map[string]string{"Order ID": "#1001", "plan": "Gold", "Region": " "}}
	got := CardFacts(tk, []string{"plan", "order id", "assignee", "Region", "company", "missing"})
	want := []CardFact{{"plan", "Gold"}, {"order id", "#1001"}, {"assignee", "Ana Agent"}, {"company", "Acme Corp"}}
	if len(got) != len(want) {
		t.Fatalf("CardFacts = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("fact %d = %v, want %v", i, got[i], want[i])
		}
	}
	tk.Plan = "Enterprise" // the helpdesk's plan wins over a field of that name
	if f := CardFacts(tk, []string{"Plan"}); len(f) != 1 || f[0].Value != "Enterprise" {
		t.Errorf("plan: %v", f)
	}
	if f := CardFacts(tk, nil); f != nil {
		t.Errorf("no card.fields: %v", f)
	}
}
