package zendesk_test

import (
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
)

// The history must describe a ticket exactly as the webhooks do, so that the
// store records a back-filled ticket and a webhook of it once: same
// Ticket.ID (the store's key), same link, same type and status vocabulary,
// and for ratings the same event id.

// TestHistoryMatchesEventWebhook compares the history of ticket 5158 as the
// API returned it right after it was created with the ticket.created
// event-subscribed webhook of the same moment.
func TestHistoryMatchesEventWebhook(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if !isPath(r, ticketsPath) {
			return false
		}
		f := newFixture(t, "tickets_5158_new.json")
		historytest.WriteJSON(w, http.StatusOK, f)
		return true
	})
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{ExternalID: janeID})
	if err != nil {
		t.Fatal(err)
	}
	hook := webhookEvent(t, "event_ticket_created.json")
	if len(got) != 1 {
		t.Fatalf("got %d events, want 1", len(got))
	}
	h := got[0]
	if h.Type != hook.Type {
		t.Errorf("Type = %q, webhook %q", h.Type, hook.Type)
	}
	// The whole ticket: id, subject, link, status, priority, tags, channel.
	if g, w := eventtest.JSON(t, h.Ticket), eventtest.JSON(t, hook.Ticket); g != w {
		t.Errorf("Ticket differs\nhistory: %s\nwebhook: %s", g, w)
	}
	if h.Customer.ExternalID != hook.Customer.ExternalID {
		t.Errorf("Customer.ExternalID = %q, webhook %q", h.Customer.ExternalID, hook.Customer.ExternalID)
	}
	// The webhook's event id is its delivery id; the store dedupes the
	// ticket on Ticket.ID, so the history's own id only has to be stable.
	if h.ID != "history:ticket:5158" {
		t.Errorf("ID = %q", h.ID)
	}
}

// TestHistoryMatchesTriggerWebhook compares the history of ticket 5158,
// solved and rated good, with the trigger webhook of that moment.
func TestHistoryMatchesTriggerWebhook(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := deliver(t, eventtest.ReadFile(t, "trigger_satisfaction.json"))
	if err != nil {
		t.Fatal(err)
	}
	hookTicket, hookRating := d.Events[0], d.Events[1]

	var ticket, rating *plusone.Event
	for i := range got {
		switch got[i].ID {
		case "history:ticket:5158":
			ticket = &got[i]
		case hookRating.ID: // "ticket:5158:satisfaction:good"
			rating = &got[i]
		}
	}
	if ticket == nil || rating == nil {
		t.Fatalf("history lacks ticket 5158 or its rating %q: %s", hookRating.ID, eventtest.JSON(t, got))
	}
	if rating.Type != hookRating.Type || !rating.OccurredAt.Equal(hookRating.OccurredAt) {
		t.Errorf("rating = %s at %v, webhook %s at %v", rating.Type, rating.OccurredAt, hookRating.Type, hookRating.OccurredAt)
	}
	if g, w := eventtest.JSON(t, rating.Feedback), eventtest.JSON(t, hookRating.Feedback); g != w {
		t.Errorf("Feedback = %s, webhook %s", g, w)
	}
	for _, h := range []*plusone.Event{ticket, rating} {
		ht, wt := h.Ticket, hookTicket.Ticket
		if ht.ID != wt.ID || ht.URL != wt.URL || ht.Status != wt.Status || ht.Subject != wt.Subject ||
			ht.Priority != wt.Priority || eventtest.JSON(t, ht.Tags) != eventtest.JSON(t, wt.Tags) {
			t.Errorf("%s: Ticket = %s\nwebhook: %s", h.ID, eventtest.JSON(t, ht), eventtest.JSON(t, wt))
		}
		hc, wc := h.Customer, hookTicket.Customer
		if plusone.NormalizeEmail(hc.Email) != plusone.NormalizeEmail(wc.Email) || hc.Name != wc.Name || hc.ExternalID != wc.ExternalID {
			t.Errorf("%s: Customer = %+v, webhook %+v", h.ID, hc, wc)
		}
	}
}

func newFixture(t *testing.T, name string) string {
	t.Helper()
	return string(eventtest.ReadFile(t, "history/"+name))
}
