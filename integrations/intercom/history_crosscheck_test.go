package intercom_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
)

// The history must describe a conversation exactly as the webhooks do, so
// that the store records a back-filled conversation and a webhook of it
// once: same ticket id (the store's key), link, type and status, and for a
// rating the same event id.

// historyOf serves the conversation of the webhook fixture file as the
// only result of the conversation search, and returns the history.
func historyOf(t *testing.T, file string) []plusone.Event {
	t.Helper()
	var n struct {
		Data struct {
			Item json.RawMessage `json:"item"`
		} `json:"data"`
	}
	if err := json.Unmarshal(eventtest.ReadFile(t, file), &n); err != nil {
		t.Fatal(err)
	}
	list := `{"type":"conversation.list","pages":{"type":"pages","page":1,"per_page":20,"total_pages":1},"total_count":1,"conversations":[` + string(n.Data.Item) + `]}`
	s := newFake(t, func(w http.ResponseWriter, r historytest.Request, _ int) bool {
		if r.Kind != historytest.Page {
			return false
		}
		historytest.WriteJSON(w, http.StatusOK, list)
		return true
	})
	return history(t, s, plusone.HistoryQuery{Email: "jane.doe@example.com"})
}

// webhookEvents parses a webhook fixture as the intake does.
func webhookEvents(t *testing.T, file string) []plusone.Event {
	t.Helper()
	d, err := deliver(t, eventtest.ReadFile(t, file))
	if err != nil {
		t.Fatalf("Parse %s: %v", file, err)
	}
	return d.Events
}

// sameObject compares what identifies the object of an event, and what
// the webhook says of the ticket, the message and the customer.
func sameObject(t *testing.T, got, hook plusone.Event) {
	t.Helper()
	if got.Type != hook.Type || !got.OccurredAt.Equal(hook.OccurredAt) {
		t.Errorf("event = %s at %v, webhook %s at %v", got.Type, got.OccurredAt, hook.Type, hook.OccurredAt)
	}
	if got.Ticket.ID != hook.Ticket.ID || got.Ticket.URL != hook.Ticket.URL || got.Ticket.Status != hook.Ticket.Status {
		t.Errorf("ticket %s %s %s, webhook %s %s %s", got.Ticket.ID, got.Ticket.URL, got.Ticket.Status, hook.Ticket.ID, hook.Ticket.URL, hook.Ticket.Status)
	}
	// The whole ticket: subject, priority, tags and channel too.
	if g, w := eventtest.JSON(t, got.Ticket), eventtest.JSON(t, hook.Ticket); g != w {
		t.Errorf("Ticket differs\nhistory: %s\nwebhook: %s", g, w)
	}
	if g, w := eventtest.JSON(t, got.Message), eventtest.JSON(t, hook.Message); g != w {
		t.Errorf("Message differs\nhistory: %s\nwebhook: %s", g, w)
	}
	if g, w := eventtest.JSON(t, got.Feedback), eventtest.JSON(t, hook.Feedback); g != w {
		t.Errorf("Feedback differs\nhistory: %s\nwebhook: %s", g, w)
	}
	gc, wc := got.Customer, hook.Customer
	if plusone.NormalizeEmail(gc.Email) != plusone.NormalizeEmail(wc.Email) || gc.Name != wc.Name || gc.ExternalID != wc.ExternalID {
		t.Errorf("Customer = %+v, webhook %+v", gc, wc)
	}
}

// TestHistoryMatchesCreatedWebhook compares conversation 215473853299345 as
// the API returned it right after it was started with its
// conversation.user.created webhook.
func TestHistoryMatchesCreatedWebhook(t *testing.T) {
	t.Parallel()
	got := historyOf(t, "conversation.user.created.json")
	hook := webhookEvents(t, "conversation.user.created.json")
	if len(got) != 1 || len(hook) != 1 {
		t.Fatalf("history has %d events, the webhook %d; want 1 each", len(got), len(hook))
	}
	sameObject(t, got[0], hook[0])
	// The webhook's event id is its delivery id; the store dedupes the
	// conversation on its ticket id, so the history's own id only has to be
	// stable.
	if got[0].ID != "history:conversation:215473853299345" {
		t.Errorf("ID = %q", got[0].ID)
	}
}

// TestHistoryMatchesRatingWebhook compares the conversation, closed and
// rated, with its conversation.rating.added webhook: the feedback is the
// same event, with the same id.
func TestHistoryMatchesRatingWebhook(t *testing.T) {
	t.Parallel()
	got := historyOf(t, "conversation.rating.added.json")
	hook := webhookEvents(t, "conversation.rating.added.json")
	if len(got) != 2 || len(hook) != 1 {
		t.Fatalf("history has %d events, the webhook %d; want 2 and 1", len(got), len(hook))
	}
	rating := got[0] // the newest
	if rating.ID != hook[0].ID {
		t.Errorf("rating ID = %q, webhook %q", rating.ID, hook[0].ID)
	}
	sameObject(t, rating, hook[0])
	if created := got[1]; created.Type != plusone.EventTicketCreated || created.Ticket.ID != hook[0].Ticket.ID || created.Ticket.URL != hook[0].Ticket.URL {
		t.Errorf("the rated conversation's ticket.created = %s", eventtest.JSON(t, created))
	}
}
