package view

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// Gestures of the sample policy.
var (
	expressShipping = plusone.Gesture{ID: "free_express_shipping", Title: "Free express shipping on the next order",
		Kind: "shipping", Value: 15_00}
	handwrittenNote = plusone.Gesture{ID: "handwritten_note", Title: "Handwritten thank-you note", Kind: "note", Value: 4_00}
	valveCaps       = plusone.Gesture{ID: "chrome_valve_caps", Title: "Chrome valve caps", Kind: "gift", Value: 40_00}
	tenOff          = plusone.Gesture{ID: "ten_off", Title: "10% off the next order", Kind: "discount", Value: 30_00}
)

// entry is a ledger entry of Jane's, offered by Ana from the rich card.
func entry(id, request int64, g plusone.Gesture, status plusone.LedgerStatus, by, reason string, at time.Time) plusone.LedgerEntry {
	return plusone.LedgerEntry{ID: id, RequestID: request, Key: fmt.Sprintf("U0ANA:%s:%d", g.ID, request), Gesture: g.ID,
		Title: g.Title, Kind: g.Kind, Value: g.Value, Currency: "USD", CustomerID: 42, Agent: "U0ANA", Team: "frontline",
		Status: status, Reason: reason, By: by, TicketKey: "zendesk:5158", CreatedAt: at}
}

func grantedEntry() plusone.LedgerEntry {
	e := entry(17, 17, expressShipping, plusone.StatusGranted, "U0ANA", "within your limits", ago(20*time.Minute))
	e.Charge = e.Value
	return e
}

func pendingEntry() plusone.LedgerEntry {
	return entry(21, 21, valveCaps, plusone.StatusPendingApproval, "plusone", "over your $25 limit per gesture", ago(time.Hour))
}

// outcomeOf is the entry deciding request.
func outcomeOf(request plusone.LedgerEntry, id int64, status plusone.LedgerStatus, by, reason string) plusone.LedgerEntry {
	e := request
	e.ID, e.Status, e.By, e.Reason, e.CreatedAt = id, status, by, reason, request.CreatedAt.Add(30*time.Minute)
	return e
}

// noteEntry is a granted handwritten note: a physical gesture to send.
func noteEntry() plusone.LedgerEntry {
	return entry(30, 30, handwrittenNote, plusone.StatusGranted, "U0ANA", "within your limits", ago(2*day))
}

// janeGestures are Jane's recent gestures as the store gives them: the
// latest entry of each request, newest first, one of them refused.
func janeGestures() []plusone.LedgerEntry {
	return []plusone.LedgerEntry{
		grantedEntry(),
		entry(40, 40, tenOff, plusone.StatusRefused, "plusone", "cooldown: granted 12 days ago", ago(25*time.Minute)),
		pendingEntry(),
		outcomeOf(noteEntry(), 31, plusone.StatusFulfilled, "U0BEN", ""),
		outcomeOf(entry(12, 12, valveCaps, plusone.StatusPendingApproval, "plusone", "", ago(12*day)), 13,
			plusone.StatusDeclined, "U0SUP", "She got one last month"),
	}
}

// gestureCard is the rich card with suggestions and recent gestures.
func gestureCard() plusone.ContextCard {
	c := viewtest.RichCard()
	c.Suggestions = []plusone.Suggestion{
		{Gesture: handwrittenNote, Reason: "loyal · NPS 9", Score: 40},
		{Gesture: expressShipping, Reason: "loyal · abandoned $89 cart", Score: 90},
		{Gesture: plusone.Gesture{ID: "paused_gift", Title: "Paused gift", Value: 5_00, Paused: true}, Score: 99},
		{Gesture: expressShipping, Reason: "a duplicate", Score: 10},
		{Gesture: valveCaps, Reason: "big spender", Score: 50},
		{Gesture: tenOff, Reason: "fourth best: not shown", Score: 5},
	}
	c.Gestures = janeGestures()
	return c
}

// gestureWordedCard is a card a model ordered and worded: its order stands
// over the scores, and its note shows, marked as drafted by AI.
func gestureWordedCard() plusone.ContextCard {
	c := viewtest.RichCard()
	c.Suggestions = []plusone.Suggestion{
		{Gesture: valveCaps, Reason: "She asked about tire care twice.", Score: 50, Worded: true},
		{Gesture: expressShipping, Reason: "Her tires came three days late.", Score: 90, Worded: true},
		{Gesture: handwrittenNote, Reason: "loyal · NPS 9", Score: 40},
	}
	c.Worded = true
	c.Note = "Dear Jane, we are sorry your tires kept you waiting. Thank you for sticking with us since 2019."
	return c
}

// gestureMinimalCard is a looked-up customer with one suggestion and no
// history of gestures.
func gestureMinimalCard() plusone.ContextCard {
	c := viewtest.LookupMinimalCard()
	c.Suggestions = []plusone.Suggestion{{Gesture: plusone.Gesture{ID: "sticker"}}}
	return c
}

// gestureExtremeCard has too many suggestions and gestures, all with text
// that needs cleaning and escaping.
func gestureExtremeCard() plusone.ContextCard {
	c := viewtest.ExtremeCard()
	long := strings.Repeat("<!channel> & *bold* 🎉\n", 30)
	for i := range 20 {
		c.Suggestions = append(c.Suggestions, plusone.Suggestion{
			Gesture: plusone.Gesture{ID: fmt.Sprintf("g;%d=<&>%s", i, strings.Repeat("é", i*20)), Title: long,
				Value: 987654321_99},
			Reason: long, Score: i})
	}
	c.Suggestions = append(c.Suggestions, plusone.Suggestion{Gesture: plusone.Gesture{ID: strings.Repeat("x", 300)}, Score: 100})
	statuses := []plusone.LedgerStatus{plusone.StatusGranted, plusone.StatusPendingApproval, plusone.StatusApproved,
		plusone.StatusDeclined, plusone.StatusExpired, plusone.StatusFulfilled, plusone.StatusCancelled, plusone.StatusRefused,
		"on_hold"}
	for i := range 30 {
		c.Gestures = append(c.Gestures, extremeEntry(int64(1000+i), statuses[i%len(statuses)], ago(time.Duration(i)*time.Hour)))
	}
	return c
}

// extremeEntry is a ledger entry with too much of everything.
func extremeEntry(id int64, status plusone.LedgerStatus, at time.Time) plusone.LedgerEntry {
	long := strings.Repeat("<!here> & <@U0BOSS> 🎉\n\x1b[31m", 40)
	return plusone.LedgerEntry{ID: id, RequestID: id, Gesture: "g<&>;=" + strings.Repeat("x", 100), Title: long, Kind: "gift",
		Value: 987654321_99, Currency: "CHF", CustomerID: 1, Agent: "<!channel>", Team: long, Status: status,
		Reason: long, By: strings.Repeat("W", 50), TicketKey: strings.Repeat("zendesk:<&>", 50), CreatedAt: at}
}

// sampleBudgets are Ana's, her team's and Jane's budgets.
func sampleBudgets() []plusone.BudgetLine {
	return []plusone.BudgetLine{
		{Scope: "customer", Key: "42", Budget: plusone.Budget{Amount: 50_00, Per: plusone.PerMonth}, Spent: 15_00,
			Remaining: 35_00, Period: "2026-11"},
		{Scope: "team", Key: "frontline", Budget: plusone.Budget{Amount: 1000_00, Per: plusone.PerWeek}, Spent: 400_00,
			Remaining: 600_00, Period: "2026-W47"},
		{Scope: "agent", Key: "U0ANA", Budget: plusone.Budget{Amount: 100_00, Per: plusone.PerDay}, Spent: 96_00,
			Remaining: 4_00, Period: "2026-11-20"},
	}
}

// extremeBudgets are more budget lines than fit, with odd keys and
// amounts.
func extremeBudgets() []plusone.BudgetLine {
	var ls []plusone.BudgetLine
	for i := range 40 {
		ls = append(ls, plusone.BudgetLine{Scope: []plusone.BudgetScope{"agent", "team", "customer", "brand <&>"}[i%4],
			Key:    fmt.Sprintf("%d %s", i, strings.Repeat("<!channel> & 🎉", 10)),
			Budget: plusone.Budget{Amount: 987654321_99, Per: []plusone.Period{"day", "week", "month", "fortnight", ""}[i%5]},
			Spent:  987654321_99, Remaining: plusone.Money(-i * 100_00), Period: strings.Repeat("2026", 30)})
	}
	return ls
}

// sampleSettings are what a supervisor may change.
func sampleSettings() []plusone.Setting {
	return []plusone.Setting{
		{Path: "roles.agent.max_per_gesture", Label: "Agents: limit per gesture", Current: "25"},
		{Path: "roles.agent.budget", Label: "Agents: budget", Current: "100/day"},
		{Path: "roles.senior.budget", Label: "Seniors: budget", Current: "300/day"},
		{Path: "agents.U0ANA.budget", Label: "Ana's own budget", Current: ""},
		{Path: "teams.frontline.budget", Label: "Team frontline: budget", Current: "1000/week"},
		{Path: "customer_budget", Label: "Budget per customer", Current: "50/month"},
		{Path: "gestures.free_express_shipping.paused", Label: "Free express shipping: paused", Current: "false"},
	}
}

// extremeSettings are more settings than a select takes, with long and
// repeated paths and labels that need cleaning.
func extremeSettings() []plusone.Setting {
	var ss []plusone.Setting
	for i := range 150 {
		ss = append(ss, plusone.Setting{Path: fmt.Sprintf("teams.t%d.budget", i),
			Label: fmt.Sprintf("Team %d %s", i, strings.Repeat("<&> 🎉\n", 30)), Current: strings.Repeat("1000/week ", 10)})
	}
	ss = append([]plusone.Setting{{Path: strings.Repeat("p", 200), Label: "too long a path"}, {Path: "", Label: "no path"},
		{Path: "teams.t0.budget", Label: "a repeated path"}}, ss...)
	return ss
}

// sampleChanges are supervisors' latest overrides.
func sampleChanges() []plusone.Override {
	return []plusone.Override{
		{ID: 3, Path: "roles.agent.budget", OldValue: "100/day", NewValue: "150/day", By: "U0SUP", At: ago(3 * day)},
		{ID: 5, Path: "gestures.ten_off.paused", OldValue: "", NewValue: "true", By: "U0SUP", At: ago(time.Hour)},
		{ID: 4, Path: "agents.U0ANA.budget", OldValue: "200/day", NewValue: "", By: "U0SUP2", At: ago(day)},
		{ID: 1, Path: "customer_budget", OldValue: "", NewValue: "50/month", By: "plusone", At: ago(30 * day)},
	}
}

// agentGestures is what Ana's App Home shows of gestures.
func agentGestures() plusone.HomeGestures {
	return plusone.HomeGestures{
		Budgets:  sampleBudgets()[1:],
		Recent:   janeGestures(),
		Names:    map[int64]string{42: "Jane Doe"},
		Currency: "USD",
	}
}

// supervisorGestures is what a supervisor's App Home shows.
func supervisorGestures() plusone.HomeGestures {
	g := agentGestures()
	g.Supervisor = true
	g.Teams = []plusone.BudgetLine{sampleBudgets()[1],
		{Scope: "team", Key: "returns", Budget: plusone.Budget{Amount: 500_00, Per: plusone.PerMonth}, Spent: 510_00, Remaining: -10_00},
		{Scope: "team", Key: "vip"}}
	other := pendingEntry()
	other.ID, other.RequestID, other.CustomerID, other.Agent, other.Reason = 22, 22, 43, "U0BEN", "team budget: $5 left of $1,000 this week"
	g.Pending = []plusone.LedgerEntry{pendingEntry(), other}
	g.Names[43] = "Janet O'Neil & Sons <Ltd>"
	g.Changes = sampleChanges()
	g.OutcomesWindow = "30d"
	g.Outcomes = []plusone.OutcomeLine{
		{Title: "Free express shipping", Effect: "+19 pts repeat purchase (11 to 27) · 398 granted · $76 per extra purchase",
			HeldOut: "50% held out (of 800; configured 50%)"},
		{Title: "Handwritten note", Effect: "not measured yet · 0 granted", HeldOut: "10% held out (configured; nobody exposed yet)"},
	}
	return g
}

// extremeGestures has more of everything than the App Home shows.
func extremeGestures() plusone.HomeGestures {
	g := plusone.HomeGestures{Supervisor: true, Names: map[int64]string{1: strings.Repeat("<!channel> Bartholomäa 🎉 ", 20)},
		Budgets: extremeBudgets(), Teams: extremeBudgets(), Currency: "CHF"}
	for i := range 40 {
		g.Recent = append(g.Recent, extremeEntry(int64(2000+i), plusone.StatusGranted, ago(time.Duration(i)*time.Hour)))
		g.Pending = append(g.Pending, extremeEntry(int64(3000+i), plusone.StatusPendingApproval, ago(time.Duration(i)*time.Hour)))
		g.Changes = append(g.Changes, plusone.Override{ID: int64(i), Path: "agents." + strings.Repeat("<!here>", 30) + ".budget",
			OldValue: strings.Repeat("`1000/week` ", 20), NewValue: strings.Repeat("<&>", 50), By: "<!channel>",
			At: ago(time.Duration(i) * day)})
		g.Outcomes = append(g.Outcomes, plusone.OutcomeLine{Title: strings.Repeat("<!channel> *gift* ", 20),
			Effect: strings.Repeat("+19 pts <&> ", 40), HeldOut: strings.Repeat("held out ", 30)})
	}
	g.OutcomesWindow = "<!here>"
	return g
}

// gestureSurfaces are every Slack surface of the gestures work, rendered
// with rich data: what the manifest test and the action-id test look at.
func gestureSurfaces() []any {
	var surfaces []any
	for _, m := range []Message{
		CardMessage(gestureCard()), LookupMessage(gestureCard()),
		RefusalMessage(plusone.Decision{Status: plusone.StatusRefused, Reason: "no"}, "Gift"),
		OfferResultMessage(grantedEntry(), "Jane Doe"), OfferResultMessage(pendingEntry(), "Jane Doe"),
		ApprovalRequestMessage(pendingEntry(), "Jane Doe", "Jane Doe · Loyal", nil, sampleBudgets()),
		ApprovalDecidedMessage(pendingEntry(), outcomeOf(pendingEntry(), 25, plusone.StatusApproved, "U0SUP", ""), "Jane Doe"),
		ThreadOutcomeMessage(outcomeOf(pendingEntry(), 25, plusone.StatusApproved, "U0SUP", ""), ""),
		FulfilmentTodoMessage(noteEntry(), "Jane Doe"), FulfilledMessage(noteEntry(), "U0BEN"),
		WritebackResultMessage(grantedEntry(), "Zendesk", "internal note added", true),
		BudgetMessage(sampleBudgets(), "USD"),
	} {
		surfaces = append(surfaces, m.Blocks)
	}
	return append(surfaces, HomeView(viewtest.RichHome(), supervisorGestures()), EditPolicyModal(sampleSettings()))
}

// gestureModals are the modals of the gestures work.
func gestureModals() []slack.ModalViewRequest {
	return []slack.ModalViewRequest{EditPolicyModal(sampleSettings())}
}
