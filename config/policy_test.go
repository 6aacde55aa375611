package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// policyProblemsOf returns the policy problems in err, failing the test if
// err holds none.
func policyProblemsOf(t *testing.T, err error) PolicyProblems {
	t.Helper()
	var ps PolicyProblems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) holds no PolicyProblems", err, err)
	}
	return ps
}

func TestContractPolicy(t *testing.T) {
	t.Parallel()
	got, err := LoadPolicy("testdata/contract.yaml")
	if err != nil {
		t.Fatalf("LoadPolicy: %v", err)
	}
	nine := 9
	want := &plusone.Policy{
		Currency: "USD",
		Tiers: plusone.TierRules{
			Loyal:    plusone.TierRule{MinOrders: 3, MinSpend: 300_00},
			Advocate: plusone.TierRule{MinOrders: 10, MinSpend: 1000_00, MinNPS: &nine},
		},
		Signals: plusone.DefaultSignalRules(),
		Gestures: []plusone.Gesture{
			{ID: "free_express_shipping", Title: "Free express shipping on the next order", Kind: "shipping", Value: 15_00,
				Eligible: plusone.Eligibility{
					Tiers:   []plusone.Tier{plusone.TierLoyal, plusone.TierAdvocate},
					Signals: []plusone.SignalKind{plusone.SignalAbandonedCart, plusone.SignalDelayedOrder, plusone.SignalRepeatContact},
				},
				Cooldown: 720 * time.Hour},
			{ID: "handwritten_note", Title: "Handwritten thank-you note", Kind: "note", Value: 4_00, Cooldown: 2160 * time.Hour},
		},
		Roles: map[string]plusone.Role{
			"agent":  {MaxPerGesture: 25_00, Budget: &plusone.Budget{Amount: 100_00, Per: plusone.PerDay}},
			"senior": {MaxPerGesture: 75_00, Budget: &plusone.Budget{Amount: 300_00, Per: plusone.PerDay}},
		},
		Members: map[string]string{"U0SENIOR1": "senior"},
		Teams: []plusone.Team{{ID: "frontline", Members: []string{"U0AGENT01", "U0AGENT02"},
			Budget: &plusone.Budget{Amount: 1000_00, Per: plusone.PerWeek}}},
		CustomerBudget:   &plusone.Budget{Amount: 50_00, Per: plusone.PerMonth},
		Approvals:        plusone.Approvals{Channel: "C0SUPERVISORS", Supervisors: []string{"U0SUPER01"}, Expire: 24 * time.Hour},
		CustomerChannels: map[string]string{"C0SHAREDACME": "acme.example"},
		Routing: []plusone.Route{
			{When: plusone.RouteMatch{Source: plusone.SourceShopify}, Channel: "C0ECOMMERCE"},
			{When: plusone.RouteMatch{Tier: plusone.TierAdvocate}, Channel: "C0VIP"},
		},
		Outcomes:    plusone.OutcomesPolicy{Windows: plusone.DefaultOutcomeWindows()},
		LinkDomains: []string{"support.acme.example"},
		CardFields:  []string{"assignee", "organization", "plan"},
		Escalations: []plusone.Escalation{
			{When: plusone.EscalationMatch{RouteMatch: plusone.RouteMatch{Tier: plusone.TierAdvocate}}, Unanswered: 30 * time.Minute, Notify: "C0VIP"},
			{When: plusone.EscalationMatch{Signal: plusone.SignalRepeatContact}, Unanswered: 2 * time.Hour, Notify: plusone.NotifySupervisors},
		},
	}
	if got.Timezone == nil || got.Timezone.String() != "America/New_York" {
		t.Errorf("Timezone = %v, want America/New_York", got.Timezone)
	}
	got.Timezone = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("contract policy =\n%+v\nwant\n%+v", got, want)
	}
	// The built-in policy is the contract's example without the
	// organisation-specific parts.
	def := plusone.DefaultPolicy()
	if !reflect.DeepEqual(got.Gestures, def.Gestures) || !reflect.DeepEqual(got.Tiers, def.Tiers) ||
		!reflect.DeepEqual(got.Roles["agent"], def.Roles["agent"]) || !reflect.DeepEqual(got.CustomerBudget, def.CustomerBudget) {
		t.Errorf("the contract's gestures, tiers, agent role or customer budget differ from DefaultPolicy")
	}
	if c := got.Channel(plusone.RouteInput{Source: plusone.SourceZendesk, Tier: plusone.TierAdvocate}, "C0DEFAULT"); c != "C0VIP" {
		t.Errorf("routing an advocate's Zendesk ticket: %s, want C0VIP", c)
	}
}

func TestFeaturesPolicy(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy("testdata/features.yaml")
	if err != nil {
		t.Fatalf("LoadPolicy: %v", err)
	}
	four := 4
	if p.Currency != "EUR" || p.Timezone != time.UTC {
		t.Errorf("Currency, Timezone = %s, %v", p.Currency, p.Timezone)
	}
	if want := (plusone.TierRules{Loyal: plusone.TierRule{MinOrders: 2, MinCSAT: &four}}); !reflect.DeepEqual(p.Tiers, want) || !p.Tiers.Advocate.Empty() {
		t.Errorf("Tiers = %+v, want %+v with advocate off", p.Tiers, want)
	}
	wantSignals := plusone.SignalRules{
		AbandonedCartAfter: 2 * time.Hour, RepeatContactCount: 4, RepeatContactWindow: 7 * 24 * time.Hour,
		LowCSATMax: 1, LowNPSMax: 5, DelayedOrderAfter: 72 * time.Hour, LongWaitAfter: 0, BigSpenderMin: 2500_10,
	}
	if p.Signals != wantSignals {
		t.Errorf("Signals = %+v, want %+v", p.Signals, wantSignals)
	}
	if len(p.Gestures) != 2 {
		t.Fatalf("Gestures = %+v, want 2", p.Gestures)
	}
	if g := p.Gestures[0]; g.Value != 10 || g.Cooldown != 30*24*time.Hour || !g.Paused {
		t.Errorf("gesture 0: Value %d (want 10 cents), Cooldown %s (want 720h), Paused %v", g.Value, g.Cooldown, g.Paused)
	}
	if g := p.Gestures[1]; g.Value != 12_34 || g.Cooldown != 36*time.Hour || g.Paused {
		t.Errorf("gesture 1: Value %d, Cooldown %s, Paused %v", g.Value, g.Cooldown, g.Paused)
	}
	lead := &plusone.Budget{Amount: 200_00, Per: plusone.PerWeek}
	wantRoles := map[string]plusone.Role{
		"lead":    {MaxPerGesture: 50_00, Budget: lead},
		"trainee": {MaxPerGesture: 0},
		"agent":   plusone.DefaultPolicy().Roles["agent"], // added: roles did not define it
	}
	if !reflect.DeepEqual(p.Roles, wantRoles) {
		t.Errorf("Roles = %+v, want %+v", p.Roles, wantRoles)
	}
	if want := map[string]string{"U0LEAD01": "lead", "W0GRID01": "trainee"}; !reflect.DeepEqual(p.Members, want) {
		t.Errorf("Members = %v", p.Members)
	}
	wantTeams := []plusone.Team{{ID: "night-shift", Members: []string{"U0NIGHT1"}, Budget: lead}, {ID: "empty"}}
	if !reflect.DeepEqual(p.Teams, wantTeams) {
		t.Errorf("Teams = %+v", p.Teams)
	}
	if p.CustomerBudget != nil {
		t.Errorf("CustomerBudget = %+v, want none", p.CustomerBudget)
	}
	wantApprovals := plusone.Approvals{Channel: "G0PRIVATE", Supervisors: []string{"U0SUPER01", "U0SUPER02"}, Expire: 48 * time.Hour}
	if !reflect.DeepEqual(p.Approvals, wantApprovals) {
		t.Errorf("Approvals = %+v", p.Approvals)
	}
	if c, ok := p.CustomerChannel("C0JANE"); !ok || c != "jane@example.com" {
		t.Errorf("CustomerChannel(C0JANE) = %q, %v", c, ok)
	}
	if want := []plusone.Route{{When: plusone.RouteMatch{Tag: "vip", Brand: "Acme"}, Channel: "C0VIP"}}; !reflect.DeepEqual(p.Routing, want) {
		t.Errorf("Routing = %+v", p.Routing)
	}
	if !p.IsPrivate("phone") || !p.IsPrivate("email") || p.IsPrivate("name") {
		t.Errorf("Private = %v, want phone and email", p.Private)
	}
}

func TestMinimalPolicyDefaults(t *testing.T) {
	t.Parallel()
	p, err := ParsePolicy("min.yaml", []byte("gestures: []\n"))
	if err != nil {
		t.Fatalf("ParsePolicy: %v", err)
	}
	def := plusone.DefaultPolicy()
	if p.Currency != "USD" || p.Timezone != time.UTC || !reflect.DeepEqual(p.Tiers, def.Tiers) || p.Signals != def.Signals ||
		p.Approvals.Expire != 24*time.Hour || len(p.Gestures) != 0 || p.CustomerBudget != nil {
		t.Errorf("defaults: %+v", p)
	}
	if !reflect.DeepEqual(p.Roles, def.Roles) || p.Members == nil {
		t.Errorf("Roles = %+v, Members = %v; want the default agent role and an empty map", p.Roles, p.Members)
	}
}

// TestPolicyLines checks that problems deep in the file name their line and
// field path (see testdata/lines.yaml).
func TestPolicyLines(t *testing.T) {
	t.Parallel()
	_, err := LoadPolicy("testdata/lines.yaml")
	want := []string{
		`testdata/lines.yaml:9: tiers.loyal.min_spnd: unknown field (want min_orders, min_spend, min_nps or min_csat)`,
		`testdata/lines.yaml:20: gestures[1].eligible.tiers[0]: unknown tier "gold" (want new, satisfied, loyal or advocate)`,
		`testdata/lines.yaml:23: gestures[1].eligible.signals[1]: unknown signal "loud_complaint" (want abandoned_cart, delayed_order, long_wait, repeat_contact, low_csat, big_spender or first_contact)`,
	}
	checkProblems(t, err, want)
	ps := policyProblemsOf(t, err)
	if p := ps[1]; p.File != "testdata/lines.yaml" || p.Line != 20 || p.Field != "gestures[1].eligible.tiers[0]" {
		t.Errorf("problem fields = %+v", p)
	}
}

// TestPolicyEveryProblem checks that one pass reports every problem, in
// line order (see testdata/errors.yaml).
func TestPolicyEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := LoadPolicy("testdata/errors.yaml")
	f := "testdata/errors.yaml:"
	checkProblems(t, err, []string{
		f + `1: currency: "dollars" is not a 3-letter ISO currency code such as USD or EUR`,
		f + `2: timezone: unknown time zone "Mars/Olympus" (want an IANA name such as America/New_York, Europe/Berlin or UTC)`,
		f + `4: tiers.loyal.min_spnd: unknown field (want min_orders, min_spend, min_nps or min_csat)`,
		f + `5: tiers.gold: unknown tier "gold" (want loyal or advocate)`,
		f + `6: tiers.advocate.min_nps: must be between 0 and 10, got 11`,
		f + `8: signals.repeat_contact.count: "three" is not a whole number`,
		f + `9: signals.first_contact: takes no thresholds (it holds on a customer's first open ticket); remove it`,
		f + `16: gestures[0].eligible.tiers[1]: unknown tier "gold" (want new, satisfied, loyal or advocate)`,
		f + `17: gestures[0].eligible.signals[1]: unknown signal "angry" (want abandoned_cart, delayed_order, long_wait, repeat_contact, low_csat, big_spender or first_contact)`,
		f + `18: gestures[0].cooldown: "30 days" is not a duration (write e.g. 30d, 720h or 90m)`,
		f + `19: gestures[1].id: "Bad-ID" is not a valid id (lower-case letters, digits and _, e.g. free_shipping)`,
		f + `19: gestures[1].title: required: what agents see on the button`,
		f + `20: gestures[1].kind: unknown kind "hug" (want shipping, discount, gift, add_on, note or upgrade)`,
		f + `21: gestures[1].value: must not be negative, got -4`,
		f + `22: gestures[2].id: duplicate id "free_express_shipping" (first on line 11); ids must be unique`,
		f + `25: gestures[2].value: must be more than 0: what a grant costs the budgets`,
		f + `26: gestures[2].paused: want true or false, got "maybe"`,
		f + `28: roles.agent.budget.per: unknown period "fortnight" (want day, week or month)`,
		f + `29: roles.senior.max_per_gesture: required: the most one gesture may cost without approval (0 sends every offer for approval)`,
		f + `29: roles.senior.budget.per: required: day, week or month`,
		f + `32: members.U0BOSS: unknown role "boss" (roles defines agent or senior)`,
		f + `33: members.bob: "bob" is not a Slack user ID such as U0123ABCD (profile → ⋮ → Copy member ID)`,
		f + `37: teams[1].id: duplicate team id "frontline" (first on line 35)`,
		f + `38: teams[1].members[0]: U0AGENT02 is already in team "frontline" (line 36); an agent belongs to one team at most`,
		f + `39: customer_budget.amount: "lots" is not an amount (write e.g. 15 or 15.00)`,
		f + `41: approvals.channel: "supervisors" is not a Slack channel ID such as C0123ABCD (channel details, at the bottom)`,
		f + `42: approvals.supervisors[1]: "jane" is not a Slack user ID such as U0123ABCD (profile → ⋮ → Copy member ID)`,
		f + `43: approvals.expire: must be more than 0, e.g. 24h`,
		f + `45: customer_channels.C0SHAREDACME: "not an email" is not an email address or email domain (e.g. jane@acme.example or acme.example)`,
		f + `46: customer_channels.general: "general" is not a Slack channel ID such as C0123ABCD (channel details, at the bottom)`,
		f + `48: routing[0].when.source: unknown source "email" (want zendesk, shopify, intercom, helpscout, freshdesk, generic or slack)`,
		f + `49: routing[1].when: needs at least one of source, tier, tag or brand (a route without conditions would take every card)`,
		f + `50: routing[2].when.tier: unknown tier "gold" (want new, satisfied, loyal or advocate)`,
		f + `50: routing[2].channel: required: where matching cards go, e.g. C0123ABCD`,
		f + `51: private[1]: unknown customer field "address" (want phone or email)`,
		f + `52: extra: unknown field (want currency, timezone, tiers, signals, gestures, roles, members, teams, customer_budget, approvals, customer_channels, routing, private, outcomes, link_domains, retention, card or escalations)`,
	})
}

// checkProblems compares err, one problem per line, with want.
func checkProblems(t *testing.T, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want:\n%s", strings.Join(want, "\n"))
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != len(policyProblemsOf(t, err)) {
		t.Errorf("Error() has %d lines for %d problems", len(got), len(policyProblemsOf(t, err)))
	}
	for i := range max(len(got), len(want)) {
		switch {
		case i >= len(got):
			t.Errorf("missing: %s", want[i])
		case i >= len(want):
			t.Errorf("unexpected: %s", got[i])
		case got[i] != want[i]:
			t.Errorf("problem %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

func TestPolicyProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want string // the one problem expected, after "p.yaml:"
	}{
		{"empty", "", `1: the policy file is empty; define at least gestures and roles, or unset PLUSONE_POLICY_FILE to use the built-in policy`},
		{"only comments", "# todo\n\n", `1: the policy file is empty`},
		{"null document", "~\n", `1: the policy file is empty`},
		{"not a mapping", "- a\n- b\n", `1: the policy must be a mapping of fields such as currency, gestures and roles, got a list`},
		{"syntax: unclosed list", "currency: USD\nteams: [a, b\nroles: {}\n", `2: invalid YAML: did not find expected ',' or ']'`},
		{"syntax: unclosed mapping", "currency: USD\nroles: {agent: {max_per_gesture: 1}\n\nteams: []\n", `2: invalid YAML: did not find expected ',' or '}'`},
		{"syntax: block", "roles:\n  agent:\n    max_per_gesture: 1\n   budget: {}\n", `2: invalid YAML: did not find expected key`},
		{"syntax: unclosed quote", "currency: 'USD\n", `2: invalid YAML: found unexpected end of stream`},
		{"syntax: tab", "currency: USD\ngestures:\n\t- id: x\n", `3: invalid YAML: found character that cannot start any token`},
		{"syntax: bad indent", "currency: USD\n  timezone: UTC\n", `2: invalid YAML: mapping values are not allowed in this context`},
		{"second document", "currency: USD\n---\ncurrency: EUR\n", `2: a second YAML document (after ---); keep the whole policy in one document`},
		{"repeated field", "currency: USD\ntimezone: UTC\ncurrency: EUR\n", `3: currency: repeated (first on line 1); keep one`},
		{"merge key", "approvals:\n  channel: C0X\n  <<: {expire: 1h}\n", `3: approvals["<<"]: YAML merge keys (<<) are not supported here; write the fields out`},
		{"unknown nested field", "approvals:\n  channel: C0X\n  timeout: 1h\n", `3: approvals.timeout: unknown field (want channel, supervisors or expire)`},
		{"timezone Local", "timezone: Local\n", `1: timezone: name the zone, e.g. America/New_York or UTC, not Local`},
		{"tier new", "tiers:\n  new: {min_orders: 0}\n", `2: tiers.new: tier "new" is defined by orders`},
		{"csat range", "tiers:\n  loyal: {min_csat: 0}\n", `2: tiers.loyal.min_csat: must be between 1 and 5, got 0`},
		{"negative orders", "tiers:\n  loyal: {min_orders: -1}\n", `2: tiers.loyal.min_orders: must be between 0 and 1000000, got -1`},
		{"gestures not a list", "gestures: {id: x}\n", `1: gestures: want a list ([a, b] or lines starting with -), got a mapping`},
		{"gesture required", "gestures:\n  - id: x\n    title: X\n    kind: gift\n", `2: gestures[0].value: required: what a grant costs the budgets, e.g. 15.00`},
		{"gesture no id", "gestures:\n  - {title: X, kind: gift, value: 1}\n", `2: gestures[0].id: required: a unique name such as free_express_shipping`},
		{"gesture title list", "gestures:\n  - {id: x, title: [a], kind: gift, value: 1}\n", `2: gestures[0].title: want a single value, got a list`},
		{"gesture empty title", "gestures:\n  - {id: x, title: '', kind: gift, value: 1}\n", `2: gestures[0].title: needs a value`},
		{"cooldown negative", "gestures:\n  - {id: x, title: X, kind: gift, value: 1, cooldown: -1h}\n", `2: gestures[0].cooldown: must not be negative, got -1h`},
		{"value not money", "gestures:\n  - {id: x, title: X, kind: gift, value: .inf}\n", `2: gestures[0].value: ".inf" is not an amount (write e.g. 15 or 15.00)`},
		{"member role undefined", "members: {U0A: lead}\n", `1: members.U0A: unknown role "lead" (roles defines agent)`},
		{"role name", "roles:\n  Team Lead: {max_per_gesture: 5}\n", `2: roles["Team Lead"]: "Team Lead" is not a valid role name (lower-case letters, digits and _)`},
		{"budget not mapping", "customer_budget: 50\n", `1: customer_budget: want {amount: …, per: day|week|month}, got "50"`},
		{"budget amount missing", "customer_budget: {per: day}\n", `1: customer_budget.amount: required: how much may be spent per period, e.g. 100`},
		{"user in two teams", "teams:\n  - {id: a, members: [U0X]}\n  - {id: b, members: [U0Y, U0X]}\n",
			`3: teams[1].members[1]: U0X is already in team "a" (line 2); an agent belongs to one team at most`},
		{"user twice in a team", "teams:\n  - id: a\n    members:\n      - U0X\n      - U0X\n", `5: teams[0].members[1]: U0X is listed twice (first on line 4)`},
		{"team id missing", "teams:\n  - members: [U0X]\n", `2: teams[0].id: required: a name such as frontline`},
		{"approvals expire", "approvals: {expire: soon}\n", `1: approvals.expire: "soon" is not a duration (write e.g. 30d, 720h or 90m)`},
		{"route when missing", "routing:\n  - channel: C0X\n", `2: routing[0].when: required: at least one of source, tier, tag or brand`},
		{"route unknown condition", "routing:\n  - {when: {team: a}, channel: C0X}\n", `2: routing[0].when.team: unknown field (want source, tier, tag or brand)`},
		{"route channel name", "routing:\n  - {when: {tag: vip}, channel: '#vip'}\n", `2: routing[0].channel: "#vip" is not a Slack channel ID such as C0123ABCD (channel details, at the bottom)`},
		{"private not a list", "private: phone\n", `1: private: want a list ([a, b] or lines starting with -), got "phone"`},
		{"retention too short", "retention: 1095m\n", `1: retention: must be at least 1d (customers with no event for this long are erased), got 1095m`},
		{"retention not a duration", "retention: forever\n", `1: retention: "forever" is not a duration`},
		{"link domain a URL", "link_domains: [https://support.acme.example/]\n",
			`1: link_domains[0]: "https://support.acme.example/" is not a host name (e.g. support.acme.example, without https:// or a path)`},
		{"link domains not a list", "link_domains: support.acme.example\n", `1: link_domains: want a list ([a, b] or lines starting with -), got "support.acme.example"`},
		{"signal unknown", "signals:\n  angry: {after: 1h}\n", `2: signals.angry: unknown signal "angry" (want abandoned_cart, repeat_contact, low_csat, delayed_order, long_wait or big_spender)`},
		{"signal unknown field", "signals:\n  long_wait: {after: 1h, before: 2h}\n", `2: signals.long_wait.before: unknown field (want after)`},
		{"days overflow", "gestures:\n  - {id: x, title: X, kind: gift, value: 1, cooldown: 99999999d}\n", `2: gestures[0].cooldown: "99999999d" is not a duration`},
		{"card field empty", "card:\n  fields: [assignee, '  ']\n", `2: card.fields[1]: needs a value`},
		{"card field twice", "card:\n  fields: [Plan, plan]\n", `2: card.fields[1]: "plan" is listed twice`},
		{"card fields too many", "card:\n  fields: [a, b, c, d, e, f, g, h, i, j, k]\n", `2: card.fields: at most 10 fields, got 11`},
		{"card field a list", "card:\n  fields: [[a]]\n", `2: card.fields[0]: want a single value, got a list`},
		{"card unknown field", "card:\n  facts: [plan]\n", `2: card.facts: unknown field (want fields)`},
		{"escalation bad duration", "escalations:\n  - {when: {tier: advocate}, unanswered: soon, notify: C0VIP}\n",
			`2: escalations[0].unanswered: "soon" is not a duration (write e.g. 30d, 720h or 90m)`},
		{"escalation zero duration", "escalations:\n  - {when: {tier: advocate}, unanswered: 0s, notify: C0VIP}\n",
			`2: escalations[0].unanswered: must be more than 0, e.g. 30m or 2h`},
		{"escalation duration missing", "escalations:\n  - {when: {tier: advocate}, notify: C0VIP}\n",
			`2: escalations[0].unanswered: required: how long a ticket may wait for an agent's reply, e.g. 30m`},
		{"escalation notify a name", "escalations:\n  - {when: {tier: advocate}, unanswered: 30m, notify: '#vip'}\n",
			`2: escalations[0].notify: "#vip" is neither a Slack channel ID such as C0123ABCD (channel details, at the bottom) nor supervisors`},
		{"escalation notify missing", "escalations:\n  - {when: {tier: advocate}, unanswered: 30m}\n",
			`2: escalations[0].notify: required: a Slack channel ID such as C0123ABCD`},
		{"escalation to no supervisors", "escalations:\n  - {unanswered: 30m, notify: supervisors}\n",
			`2: escalations[0].notify: supervisors, but approvals.supervisors lists nobody`},
		{"escalation unknown signal", "escalations:\n  - {when: {signal: angry}, unanswered: 30m, notify: C0VIP}\n",
			`2: escalations[0].when.signal: unknown signal "angry"`},
		{"escalation unknown condition", "escalations:\n  - {when: {team: a}, unanswered: 30m, notify: C0VIP}\n",
			`2: escalations[0].when.team: unknown field (want source, tier, tag, brand or signal)`},
		{"escalation not a mapping", "escalations:\n  - 30m\n",
			`2: escalations[0]: want {when: {…}, unanswered: 30m, notify: C… or supervisors}, got "30m"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePolicy("p.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("no error, policy %+v; want p.yaml:%s", p, tt.want)
			}
			if p != nil {
				t.Errorf("got a policy with an error")
			}
			ps := policyProblemsOf(t, err)
			if len(ps) != 1 || !strings.HasPrefix(ps[0].String(), "p.yaml:"+tt.want) {
				t.Errorf("problems:\n%v\nwant one starting with\np.yaml:%s", err, tt.want)
			}
		})
	}
}

func TestPolicyValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		yaml  string
		check func(*plusone.Policy) bool
	}{
		{"30d cooldown", "gestures:\n  - {id: x, title: X, kind: gift, value: 1, cooldown: 30d}\n",
			func(p *plusone.Policy) bool { return p.Gestures[0].Cooldown == 720*time.Hour }},
		{"money string exact", "customer_budget: {amount: '0.10', per: day}\n",
			func(p *plusone.Policy) bool { return p.CustomerBudget.Amount == 10 }},
		{"money float exact", "customer_budget: {amount: 0.29, per: day}\n",
			func(p *plusone.Policy) bool { return p.CustomerBudget.Amount == 29 }},
		{"anchors", "roles:\n  a: {max_per_gesture: 1, budget: &b {amount: 7, per: week}}\n  agent: {max_per_gesture: 2, budget: *b}\n",
			func(p *plusone.Policy) bool {
				return p.Roles["agent"].Budget.Amount == 7_00 && p.Roles["agent"].MaxPerGesture == 2_00
			}},
		{"agent kept when defined", "roles:\n  agent: {max_per_gesture: 1}\n",
			func(p *plusone.Policy) bool {
				return p.Roles["agent"].MaxPerGesture == 1_00 && p.Roles["agent"].Budget == nil
			}},
		{"null sections", "roles:\nteams:\nrouting:\n",
			func(p *plusone.Policy) bool { return len(p.Roles) == 1 && p.Teams == nil && p.Routing == nil }},
		{"retention in days", "retention: 1095d\n",
			func(p *plusone.Policy) bool { return p.Retention == 1095*24*time.Hour }},
		{"retention unset keeps", "currency: USD\n",
			func(p *plusone.Policy) bool { return p.Retention == 0 }},
		{"link domains lower case, once", "link_domains: [Support.Acme.example, support.acme.example, help.acme.example]\n",
			func(p *plusone.Policy) bool {
				return reflect.DeepEqual(p.LinkDomains, []string{"support.acme.example", "help.acme.example"})
			}},
		{"card fields in order", "card:\n  fields: [assignee, Order ID, plan]\n",
			func(p *plusone.Policy) bool {
				return reflect.DeepEqual(p.CardFields, []string{"assignee", "Order ID", "plan"})
			}},
		{"escalations, first match", "approvals: {supervisors: [U0SUP]}\nescalations:\n" +
			"  - {when: {tier: advocate, source: zendesk}, unanswered: 30m, notify: C0VIP}\n" +
			"  - {when: {signal: repeat_contact}, unanswered: 2h, notify: supervisors}\n  - {unanswered: 1d, notify: C0ALL}\n",
			func(p *plusone.Policy) bool {
				want := []plusone.Escalation{
					{When: plusone.EscalationMatch{RouteMatch: plusone.RouteMatch{Tier: plusone.TierAdvocate, Source: plusone.SourceZendesk}},
						Unanswered: 30 * time.Minute, Notify: "C0VIP"},
					{When: plusone.EscalationMatch{Signal: plusone.SignalRepeatContact}, Unanswered: 2 * time.Hour, Notify: plusone.NotifySupervisors},
					{Unanswered: 24 * time.Hour, Notify: "C0ALL"},
				}
				return reflect.DeepEqual(p.Escalations, want)
			}},
		{"quoted numbers", "tiers:\n  loyal: {min_orders: '5'}\n",
			func(p *plusone.Policy) bool { return p.Tiers.Loyal.MinOrders == 5 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePolicy("p.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("ParsePolicy: %v", err)
			}
			if !tt.check(p) {
				t.Errorf("unexpected policy %+v", p)
			}
		})
	}
}

func TestLoadPolicyMissingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := LoadPolicy(path)
	ps := policyProblemsOf(t, err)
	want := path + ": cannot read the policy file: no such file or directory (check PLUSONE_POLICY_FILE, or unset it to use the built-in policy)"
	if len(ps) != 1 || ps[0].String() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(bad, []byte("currency: USD\ntiers:\n  loyal: {min_spnd: 1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, policy, err := Check(env(map[string]string{"POLICY_FILE": bad, "WORKERS": "0"}), testSources())
	if cfg == nil || policy != nil || err == nil {
		t.Fatalf("Check = %v, %v, %v; want a config, no policy and an error", cfg, policy, err)
	}
	want := "PLUSONE_WORKERS: must be between 1 and 64, got 0\n" + bad + ":3: tiers.loyal.min_spnd: unknown field (want min_orders, min_spend, min_nps or min_csat)"
	if err.Error() != want {
		t.Errorf("Check error:\n%v\nwant\n%s", err, want)
	}
	problemsOf(t, err)
	policyProblemsOf(t, err)

	cfg, policy, err = Check(env(nil), testSources())
	if err != nil || cfg == nil || !reflect.DeepEqual(policy, plusone.DefaultPolicy()) {
		t.Errorf("Check(empty) = %v, %+v, %v; want the default policy", cfg, policy, err)
	}
	good, _ := filepath.Abs("testdata/contract.yaml")
	if _, policy, err = Check(env(map[string]string{"POLICY_FILE": good}), testSources()); err != nil || len(policy.Gestures) != 2 {
		t.Errorf("Check(contract) = %+v, %v", policy, err)
	}
}
