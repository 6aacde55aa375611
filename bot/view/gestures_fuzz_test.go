package view

import (
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// FuzzGestureViews: whatever the ledger, the names and the reasons, every
// gesture view fits Slack.
func FuzzGestureViews(f *testing.F) {
	f.Add("Free express shipping", "free_express_shipping", "U0ANA", "within your limits", "Jane Doe", "zendesk:5158", int64(15_00))
	f.Add("", "", "", "", "", "", int64(0))
	f.Add(strings.Repeat("&<>", 700), strings.Repeat("🎉", 2000), "<!channel>", strings.Repeat("<!here> ", 500), "\x00\u202e",
		strings.Repeat(";=%", 900), int64(-9223372036854775808))
	f.Fuzz(func(t *testing.T, title, gesture, person, reason, name, ticket string, value int64) {
		e := plusone.LedgerEntry{ID: 7, RequestID: 7, Gesture: gesture, Title: title, Kind: "note", Value: plusone.Money(value),
			Currency: name, CustomerID: 42, Agent: person, Status: plusone.LedgerStatus(reason), Reason: reason, By: person,
			TicketKey: ticket, CreatedAt: now}
		line := plusone.BudgetLine{Scope: plusone.BudgetScope(name), Key: person, Budget: plusone.Budget{Amount: plusone.Money(value), Per: plusone.Period(ticket)},
			Spent: plusone.Money(value), Remaining: plusone.Money(-value), Period: reason}
		lines := []plusone.BudgetLine{line, line}
		for label, m := range map[string]Message{
			"refusal":   RefusalMessage(plusone.Decision{Status: plusone.StatusRefused, Reason: reason, Blocking: []string{reason, title}}, title),
			"offer":     OfferResultMessage(e, name),
			"approval":  ApprovalRequestMessage(e, name, reason, []string{reason}, lines),
			"decided":   ApprovalDecidedMessage(e, e, name),
			"thread":    ThreadOutcomeMessage(e, title),
			"todo":      FulfilmentTodoMessage(e, name),
			"fulfilled": FulfilledMessage(e, person),
			"writeback": WritebackResultMessage(e, name, reason, value%2 == 0),
			"budget":    BudgetMessage(lines, name),
		} {
			if err := Validate(m); err != nil {
				t.Errorf("%s: %v", label, err)
			}
		}
		c := gestureCard()
		c.Suggestions[0].Gesture.ID, c.Suggestions[0].Gesture.Title, c.Suggestions[0].Reason = gesture, title, reason
		c.Suggestions[0].Gesture.Value = plusone.Money(value)
		c.Ticket.ID = ticket
		c.Gestures = append(c.Gestures, e)
		if err := Validate(CardMessage(c)); err != nil {
			t.Errorf("card: %v", err)
		}
		g := supervisorGestures()
		g.Recent, g.Pending = append(g.Recent, e), append(g.Pending, e)
		g.Names[42], g.Currency = name, name
		g.Budgets, g.Teams = lines, lines
		g.Changes = append(g.Changes, plusone.Override{Path: reason, OldValue: title, NewValue: gesture, By: person, At: now})
		if err := ValidateView(HomeView(viewtest.RichHome(), g)); err != nil {
			t.Errorf("home: %v", err)
		}
		if err := ValidateView(EditPolicyModal([]plusone.Setting{{Path: gesture, Label: title, Current: reason}})); err != nil {
			t.Errorf("edit policy modal: %v", err)
		}
	})
}
