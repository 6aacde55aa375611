package freshdesk_test

import (
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
)

// TestHistoryMatchesTicketCreatedRule compares ticket 42 as the API
// returned it right after it was created with the ticket_created rule's
// webhook of the same moment: the history must describe the ticket exactly
// as the webhook does (same ticket id, the store's key, same link, type and
// status), so that the store records it once.
func TestHistoryMatchesTicketCreatedRule(t *testing.T) {
	t.Parallel()
	s := newFake(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind != historytest.Page {
			return false
		}
		historytest.WriteJSON(w, http.StatusOK, string(eventtest.ReadFile(t, "history/tickets_42_new.json")))
		return true
	})
	got := history(t, s, plusone.HistoryQuery{ExternalID: janeID})
	d, err := deliver(t, eventtest.ReadFile(t, "ticket_created.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || len(d.Events) != 1 {
		t.Fatalf("history has %d events, the webhook %d; want 1 each", len(got), len(d.Events))
	}
	h, hook := got[0], d.Events[0]
	if h.Type != hook.Type || !h.OccurredAt.Equal(hook.OccurredAt) {
		t.Errorf("event = %s at %v, webhook %s at %v", h.Type, h.OccurredAt, hook.Type, hook.OccurredAt)
	}
	if h.Ticket.ID != hook.Ticket.ID || h.Ticket.URL != hook.Ticket.URL || h.Ticket.Status != hook.Ticket.Status {
		t.Errorf("ticket %s %s %s, webhook %s %s %s", h.Ticket.ID, h.Ticket.URL, h.Ticket.Status, hook.Ticket.ID, hook.Ticket.URL, hook.Ticket.Status)
	}
	// The whole ticket (subject, priority, tags, channel) and the first
	// message too.
	if g, w := eventtest.JSON(t, h.Ticket), eventtest.JSON(t, hook.Ticket); g != w {
		t.Errorf("Ticket differs\nhistory: %s\nwebhook: %s", g, w)
	}
	if g, w := eventtest.JSON(t, h.Message), eventtest.JSON(t, hook.Message); g != w {
		t.Errorf("Message differs\nhistory: %s\nwebhook: %s", g, w)
	}
	hc, wc := h.Customer, hook.Customer
	if plusone.NormalizeEmail(hc.Email) != plusone.NormalizeEmail(wc.Email) || hc.Name != wc.Name || hc.Phone != wc.Phone || hc.ExternalID != wc.ExternalID {
		t.Errorf("Customer = %+v, webhook %+v", hc, wc)
	}
	// The webhook's event id is made of its body; the store dedupes the
	// ticket on its id, so the history's own id only has to be stable.
	if h.ID != "history:ticket:42" {
		t.Errorf("ID = %q", h.ID)
	}
}
