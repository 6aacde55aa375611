package plusone

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want *Budget
		err  bool
	}{
		{"100/day", &Budget{Amount: 100_00, Per: PerDay}, false},
		{"300/week", &Budget{Amount: 300_00, Per: PerWeek}, false},
		{"1000/month", &Budget{Amount: 1000_00, Per: PerMonth}, false},
		{"12.50/week", &Budget{Amount: 12_50, Per: PerWeek}, false},
		{" 100 / Day ", &Budget{Amount: 100_00, Per: PerDay}, false},
		{"0/day", &Budget{Per: PerDay}, false},
		{"none", nil, false},
		{"None", nil, false},
		{"", nil, true},
		{"100", nil, true},
		{"day", nil, true},
		{"/day", nil, true},
		{"100/", nil, true},
		{"100/fortnight", nil, true},
		{"100/days", nil, true},
		{"lots/day", nil, true},
		{"-5/day", nil, true},
		{"$100/day", nil, true},
		{"100/day/week", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseBudget(tt.in)
		if (err != nil) != tt.err || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseBudget(%q) = %+v, %v; want %+v, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && (ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "e.g. 100/day")) {
			t.Errorf("ParseBudget(%q) error %q: want an invalid error that shows the syntax", tt.in, err)
		}
	}
}

func TestFormatBudget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   *Budget
		want string
	}{
		{nil, "none"},
		{&Budget{Amount: 100_00, Per: PerDay}, "100/day"},
		{&Budget{Amount: 12_50, Per: PerWeek}, "12.50/week"},
		{&Budget{Amount: 1_000_000_00, Per: PerMonth}, "1000000/month"},
		{&Budget{Per: PerDay}, "0/day"},
	}
	for _, tt := range tests {
		if got := FormatBudget(tt.in); got != tt.want {
			t.Errorf("FormatBudget(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParseBudget(f *testing.F) {
	for _, s := range []string{"100/day", "12.50/week", "none", "1e2/month", " 3 / WEEK", "-1/day", "x/y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBudget(s)
		if err != nil {
			return
		}
		again, err := ParseBudget(FormatBudget(b))
		if err != nil || !reflect.DeepEqual(again, b) {
			t.Errorf("ParseBudget(%q) = %+v, but its format %q reads back as %+v, %v", s, b, FormatBudget(b), again, err)
		}
		if b != nil && b.Amount < 0 {
			t.Errorf("ParseBudget(%q) = %+v: a negative budget", s, b)
		}
	})
}

func TestOverrideValue(t *testing.T) {
	t.Parallel()
	p := contractPolicy(t)
	p.AgentBudgets = map[string]Budget{senior: {Amount: 450_50, Per: PerWeek}}
	p.Roles["senior"] = Role{MaxPerGesture: 75_25}
	tests := []struct{ path, want string }{
		{"roles.agent.max_per_gesture", "25"},
		{"roles.senior.max_per_gesture", "75.25"},
		{"roles.agent.budget", "100/day"},
		{"roles.senior.budget", "none"},
		{"agents.U0AGENT01.budget", ""},
		{"agents.U0SENIOR1.budget", "450.50/week"},
		{"teams.frontline.budget", "1000/week"},
		{"customer_budget", "50/month"},
		{"gestures.handwritten_note.paused", "false"},
	}
	for _, tt := range tests {
		got, err := p.OverrideValue(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("OverrideValue(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
		// Writing the current value back changes nothing.
		q, err := p.WithOverrides([]Override{{Path: tt.path, NewValue: got}})
		if err != nil || !reflect.DeepEqual(q, p) {
			t.Errorf("%s = %q (its own value): %v; the policy changed", tt.path, got, err)
		}
	}
	for _, path := range []string{"roles.ghost.budget", "teams.night.budget", "gestures.free_car.paused", "currency", "roles.agent"} {
		if got, err := p.OverrideValue(path); err == nil || ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), path) {
			t.Errorf("OverrideValue(%s) = %q, %v; want an invalid error naming the path", path, got, err)
		}
	}
}

func TestWithOverrides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		overrides []Override
		check     string // a path whose value after the overrides is want
		want      string
	}{
		{"role limit", []Override{{Path: "roles.agent.max_per_gesture", NewValue: "40"}}, "roles.agent.max_per_gesture", "40"},
		{"role limit with cents", []Override{{Path: "roles.agent.max_per_gesture", NewValue: "12.5"}}, "roles.agent.max_per_gesture", "12.50"},
		{"role limit zero", []Override{{Path: "roles.agent.max_per_gesture", NewValue: "0"}}, "roles.agent.max_per_gesture", "0"},
		{"role budget", []Override{{Path: "roles.senior.budget", NewValue: "500/week"}}, "roles.senior.budget", "500/week"},
		{"role budget none", []Override{{Path: "roles.agent.budget", NewValue: "none"}}, "roles.agent.budget", "none"},
		{"agent budget", []Override{{Path: "agents.U0AGENT01.budget", NewValue: "200/day"}}, "agents.U0AGENT01.budget", "200/day"},
		{"team budget", []Override{{Path: "teams.frontline.budget", NewValue: "2000/month"}}, "teams.frontline.budget", "2000/month"},
		{"team budget none", []Override{{Path: "teams.frontline.budget", NewValue: "none"}}, "teams.frontline.budget", "none"},
		{"customer budget", []Override{{Path: "customer_budget", NewValue: "75/month"}}, "customer_budget", "75/month"},
		{"customer budget none", []Override{{Path: "customer_budget", NewValue: "none"}}, "customer_budget", "none"},
		{"pause", []Override{{Path: "gestures.free_express_shipping.paused", NewValue: "true"}}, "gestures.free_express_shipping.paused", "true"},
		{"pause, any case", []Override{{Path: "gestures.free_express_shipping.paused", NewValue: "TRUE"}}, "gestures.free_express_shipping.paused", "true"},

		{"a later override wins", []Override{
			{Path: "roles.agent.budget", NewValue: "150/day"},
			{Path: "roles.agent.budget", NewValue: "175/week"},
		}, "roles.agent.budget", "175/week"},
		{"removing restores the file's value", []Override{
			{Path: "roles.agent.budget", NewValue: "150/day"},
			{Path: "roles.agent.budget", NewValue: "175/week"},
			{Path: "roles.agent.budget", NewValue: ""},
		}, "roles.agent.budget", "100/day"},
		{"removing then setting", []Override{
			{Path: "customer_budget", NewValue: "none"},
			{Path: "customer_budget", NewValue: ""},
			{Path: "customer_budget", NewValue: "20/day"},
		}, "customer_budget", "20/day"},
		{"removing an agent's budget", []Override{
			{Path: "agents.U0AGENT01.budget", NewValue: "200/day"},
			{Path: "agents.U0AGENT01.budget", NewValue: ""},
		}, "agents.U0AGENT01.budget", ""},
		{"removing a role limit", []Override{
			{Path: "roles.senior.max_per_gesture", NewValue: "5"},
			{Path: "roles.senior.max_per_gesture", NewValue: ""},
		}, "roles.senior.max_per_gesture", "75"},
		{"removing a team budget", []Override{
			{Path: "teams.frontline.budget", NewValue: "none"},
			{Path: "teams.frontline.budget", NewValue: ""},
		}, "teams.frontline.budget", "1000/week"},
		{"removing a pause", []Override{
			{Path: "gestures.handwritten_note.paused", NewValue: "true"},
			{Path: "gestures.handwritten_note.paused", NewValue: ""},
		}, "gestures.handwritten_note.paused", "false"},
		{"other paths are left alone", []Override{
			{Path: "roles.agent.budget", NewValue: "1/day"},
			{Path: "gestures.handwritten_note.paused", NewValue: "true"},
		}, "roles.senior.budget", "300/day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := contractPolicy(t)
			file := p.Clone()
			q, err := p.WithOverrides(tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := q.OverrideValue(tt.check); err != nil || got != tt.want {
				t.Errorf("%s = %q, %v; want %q", tt.check, got, err, tt.want)
			}
			if !reflect.DeepEqual(p, file) {
				t.Error("WithOverrides changed the policy it was called on")
			}
		})
	}
}

func TestWithOverridesRestoresFileAgentBudget(t *testing.T) {
	t.Parallel()
	p := contractPolicy(t)
	p.AgentBudgets = map[string]Budget{agent1: {Amount: 60_00, Per: PerDay}}
	q, err := p.WithOverrides([]Override{
		{Path: "agents.U0AGENT01.budget", NewValue: "200/day"},
		{Path: "agents.U0AGENT01.budget", NewValue: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := q.AgentBudget(agent1); !ok || b != (Budget{Amount: 60_00, Per: PerDay}) {
		t.Errorf("AgentBudget = %+v, %v; want the policy's 60/day", b, ok)
	}
}

func TestWithOverridesErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, value string
		says        string // part of the message
	}{
		{"currency", "EUR", "unknown setting"},
		{"roles.agent", "25", "unknown setting"},
		{"roles.agent.color", "red", "unknown setting"},
		{"roles.agent.max_per_gesture.x", "25", "unknown setting"},
		{"customer_budget.amount", "50", "unknown setting"},
		{"agents..budget", "100/day", "unknown setting"},
		{"agents.U0AGENT01.max_per_gesture", "100", "unknown setting"},
		{"gestures.free_express_shipping.value", "5", "unknown setting"},
		{"", "", "unknown setting"},
		{"roles.ghost.budget", "100/day", `no role "ghost" (the policy defines agent or senior)`},
		{"roles.ghost.max_per_gesture", "", `no role "ghost"`},
		{"teams.night.budget", "100/day", `no team "night" (the policy defines frontline)`},
		{"gestures.free_car.paused", "true", `no gesture "free_car" (the policy defines free_express_shipping, handwritten_note or premium_upgrade)`},
		{"roles.agent.max_per_gesture", "lots", "not an amount"},
		{"roles.agent.max_per_gesture", "-1", "not an amount"},
		{"roles.agent.max_per_gesture", "none", "not an amount"},
		{"roles.agent.budget", "100/fortnight", "not a budget"},
		{"roles.agent.budget", "100", "not a budget"},
		{"teams.frontline.budget", "lots", "not a budget"},
		{"customer_budget", "-50/month", "not a budget"},
		{"agents.U0AGENT01.budget", "tons/day", "not a budget"},
		{"agents.U0AGENT01.budget", "none", "remove the override"},
		{"gestures.free_express_shipping.paused", "yes", "want true or false"},
	}
	for _, tt := range tests {
		p := contractPolicy(t)
		ok := Override{Path: "roles.agent.budget", NewValue: "1/day"}
		q, err := p.WithOverrides([]Override{ok, {Path: tt.path, NewValue: tt.value}})
		if err == nil {
			t.Errorf("%s = %q: no error", tt.path, tt.value)
			continue
		}
		msg := ErrorMessage(err)
		if q != nil || ErrorCode(err) != EINVALID || !strings.Contains(msg, fmt.Sprintf("%s = %q", tt.path, tt.value)) || !strings.Contains(msg, tt.says) {
			t.Errorf("%s = %q: %v, %q; want an invalid error naming the path and value and saying %q", tt.path, tt.value, q, msg, tt.says)
		}
	}

	// An override a later one replaces is still checked.
	p := contractPolicy(t)
	if _, err := p.WithOverrides([]Override{{Path: "customer_budget", NewValue: "lots"}, {Path: "customer_budget", NewValue: ""}}); err == nil {
		t.Error("a bad override followed by its removal: no error")
	}
}

// TestOverridesChangeDecisions plays a supervisor's edits in Slack through
// Decide and Suggest.
func TestOverridesChangeDecisions(t *testing.T) {
	t.Parallel()
	p := contractPolicy(t)
	now := time.Date(2026, 11, 20, 15, 0, 0, 0, p.Location())
	offer := Offer{Gesture: "free_express_shipping", Agent: agent1, Customer: customer(TierLoyal),
		Signals: []Signal{cartSignal}, Spent: Spend{Agent: 95_00}, Now: now}
	suggested := func(p *Policy) []string {
		var ids []string
		for _, s := range p.Suggest(offer.Customer, offer.Signals, nil, 0, now, 3) {
			ids = append(ids, s.Gesture.ID)
		}
		return ids
	}
	var edits []Override
	step := func(name string, o Override, status LedgerStatus, reason string, suggestions string) {
		t.Helper()
		if o.Path != "" {
			// The caller records what the setting was before the edit.
			current, err := p.WithOverrides(edits)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if o.OldValue, err = current.OverrideValue(o.Path); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			edits = append(edits, o)
		}
		q, err := p.WithOverrides(edits)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := q.Decide(offer); d.Status != status || d.Reason != reason {
			t.Errorf("%s: Decide = %s %q, want %s %q", name, d.Status, d.Reason, status, reason)
		}
		if got := strings.Join(suggested(q), ","); got != suggestions {
			t.Errorf("%s: Suggest = %s, want %s", name, got, suggestions)
		}
	}

	step("the policy file", Override{},
		StatusPendingApproval, "needs a supervisor's approval: agent budget: $5 left of $100 today",
		"free_express_shipping,handwritten_note")
	step("raise her budget", Override{Path: "agents.U0AGENT01.budget", NewValue: "200/day"},
		StatusGranted, "within your limits", "free_express_shipping,handwritten_note")
	step("pause the gesture", Override{Path: "gestures.free_express_shipping.paused", NewValue: "true"},
		StatusRefused, "Free express shipping on the next order is paused by a supervisor", "handwritten_note")
	step("resume it", Override{Path: "gestures.free_express_shipping.paused", NewValue: ""},
		StatusGranted, "within your limits", "free_express_shipping,handwritten_note")
	step("remove her budget", Override{Path: "agents.U0AGENT01.budget", NewValue: ""},
		StatusPendingApproval, "needs a supervisor's approval: agent budget: $5 left of $100 today",
		"free_express_shipping,handwritten_note")
	step("raise every agent's budget", Override{Path: "roles.agent.budget", NewValue: "110/day"},
		StatusGranted, "within your limits", "free_express_shipping,handwritten_note")
	step("lower the customer budget", Override{Path: "customer_budget", NewValue: "10/month"},
		StatusPendingApproval, "needs a supervisor's approval: customer budget: $10 left of $10 this month", "handwritten_note")

	var olds []string
	for _, e := range edits {
		olds = append(olds, e.OldValue)
	}
	if got, want := strings.Join(olds, ","), ",false,true,200/day,100/day,50/month"; got != want {
		t.Errorf("old values = %s, want %s", got, want)
	}
}

// fullPolicy sets every field of a policy, so that the deep-copy tests
// look at every map, slice and pointer.
func fullPolicy(t testing.TB) *Policy {
	t.Helper()
	p := contractPolicy(t)
	four := 4
	p.Tiers.Loyal.MinNPS = &four
	p.Tiers.Loyal.MinCSAT = &four
	p.Tiers.Advocate.MinCSAT = &four
	p.Gestures[1].Eligible = Eligibility{Tiers: []Tier{TierSatisfied}, Signals: []SignalKind{SignalLowCSAT}}
	p.Gestures[2].Eligible.Signals = []SignalKind{SignalBigSpender}
	p.Roles["senior"] = Role{MaxPerGesture: 75_00, Budget: &Budget{Amount: 300_00, Per: PerDay}}
	p.Roles["agent"] = Role{MaxPerGesture: 25_00, Budget: p.Roles["agent"].Budget}
	p.AgentBudgets = map[string]Budget{agent1: {Amount: 1_00, Per: PerDay}}
	p.CustomerChannels = map[string]string{"C0SHAREDACME": "acme.example"}
	p.Routing = []Route{{When: RouteMatch{Source: "shopify"}, Channel: "C0ECOMMERCE"}}
	p.Private = []string{"phone"}
	p.Outcomes = OutcomesPolicy{Holdout: 0.1, Windows: DefaultOutcomeWindows(), Digest: &DigestSchedule{Channel: "C0SUPERVISORS", Every: PerWeek}}
	p.LinkDomains = []string{"support.acme.example"}
	p.CardFields = []string{"assignee", "plan"}
	p.Escalations = []Escalation{{When: EscalationMatch{RouteMatch: RouteMatch{Tier: TierAdvocate}}, Unanswered: time.Hour, Notify: "C0VIP"}}
	return p
}

func TestClone(t *testing.T) {
	t.Parallel()
	p := fullPolicy(t)
	if empty := emptyRefs(reflect.ValueOf(p), "policy"); len(empty) > 0 {
		t.Fatalf("fullPolicy leaves %v unset: set them so the test checks their copy", empty)
	}
	q, err := p.WithOverrides(nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*Policy{"Clone": p.Clone(), "WithOverrides": q} {
		if !reflect.DeepEqual(c, p) {
			t.Errorf("%s differs from the policy", name)
		}
		if shared := sharedRefs(reflect.ValueOf(p), reflect.ValueOf(c), "policy"); len(shared) > 0 {
			t.Errorf("%s shares %v with the policy", name, shared)
		}
	}

	// Changing the copy leaves the original alone.
	before := p.Clone()
	*q.Tiers.Loyal.MinNPS = 0
	q.Gestures[0].Eligible.Tiers[0] = TierNew
	q.Gestures[0].Paused = true
	q.Roles["agent"].Budget.Amount = 0
	q.Members[agent1] = "senior"
	q.AgentBudgets[agent1] = Budget{}
	q.Teams[0].Members[0] = "U0SOMEONE"
	q.Teams[0].Budget.Amount = 0
	q.CustomerBudget.Per = PerDay
	q.Approvals.Supervisors[0] = "U0SOMEONE"
	q.CustomerChannels["C0SHAREDACME"] = "other.example"
	q.Routing[0].Channel = "C0ELSEWHERE"
	q.Private[0] = "email"
	q.CardFields[0] = "organization"
	q.Escalations[0].Notify = "C0ELSEWHERE"
	if !reflect.DeepEqual(p, before) {
		t.Error("changing the copy changed the policy")
	}
	if (*Policy)(nil).Clone() != nil {
		t.Error("Clone of nil is not nil")
	}
}

// emptyRefs lists the nil pointers and empty maps and slices in v.
func emptyRefs(v reflect.Value, path string) []string {
	var out []string
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		if v.Type() != reflect.TypeFor[*time.Location]() {
			out = append(out, emptyRefs(v.Elem(), path)...)
		}
	case reflect.Map:
		if v.Len() == 0 {
			return []string{path}
		}
		for _, k := range v.MapKeys() {
			out = append(out, emptyRefs(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k))...)
		}
	case reflect.Slice:
		if v.Len() == 0 {
			return []string{path}
		}
		for i := range v.Len() {
			out = append(out, emptyRefs(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			out = append(out, emptyRefs(v.Field(i), path+"."+v.Type().Field(i).Name)...)
		}
	}
	return out
}

// sharedRefs lists the pointers, maps and slices a and b share; time zones
// may be shared.
func sharedRefs(a, b reflect.Value, path string) []string {
	var out []string
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() || a.Type() == reflect.TypeFor[*time.Location]() {
			return nil
		}
		if a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		out = append(out, sharedRefs(a.Elem(), b.Elem(), path)...)
	case reflect.Map:
		if a.IsNil() || b.IsNil() {
			return nil
		}
		if a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		for _, k := range a.MapKeys() {
			if bv := b.MapIndex(k); bv.IsValid() {
				out = append(out, sharedRefs(a.MapIndex(k), bv, fmt.Sprintf("%s[%v]", path, k))...)
			}
		}
	case reflect.Slice:
		if a.Len() == 0 || b.Len() == 0 {
			return nil
		}
		if a.Pointer() == b.Pointer() {
			out = append(out, path)
		}
		for i := range min(a.Len(), b.Len()) {
			out = append(out, sharedRefs(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
	case reflect.Struct:
		for i := range a.NumField() {
			out = append(out, sharedRefs(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)...)
		}
	}
	return out
}
