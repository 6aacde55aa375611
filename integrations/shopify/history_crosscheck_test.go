package shopify_test

import (
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
)

// The history must describe an order exactly as the webhooks do, so that
// the store records a back-filled order and a webhook of it once: the same
// Order.ID (the numeric id, not the gid: the store's key), the same admin
// link, and the same status vocabulary and amounts.

// webhookOrder parses a webhook fixture as the intake does: the order's
// event, then one per refund.
func webhookOrder(t *testing.T, topic, file string) []plusone.Event {
	t.Helper()
	d, err := deliver(t, topic, "evt-"+file, eventtest.ReadFile(t, file))
	if err != nil {
		t.Fatalf("Parse %s: %v", file, err)
	}
	if len(d.Events) == 0 || d.Events[0].Order == nil {
		t.Fatalf("%s gives %d events, want an order", file, len(d.Events))
	}
	return d.Events
}

// sameOrder compares an order of the history with the webhook's. The
// checkout token is left out: the GraphQL Order has no field for it. A
// phone is compared where the webhook's fixture has one.
func sameOrder(t *testing.T, got, hook plusone.Event) {
	t.Helper()
	want := *hook.Order
	want.CheckoutToken = ""
	if g, w := eventtest.JSON(t, got.Order), eventtest.JSON(t, want); g != w {
		t.Errorf("Order differs\nhistory: %s\nwebhook: %s", g, w)
	}
	gc, wc := got.Customer, hook.Customer
	if plusone.NormalizeEmail(gc.Email) != plusone.NormalizeEmail(wc.Email) || gc.Name != wc.Name ||
		gc.ExternalID != wc.ExternalID || wc.Phone != "" && gc.Phone != wc.Phone || !gc.Since.Equal(wc.Since) {
		t.Errorf("Customer = %+v, webhook %+v", gc, wc)
	}
}

// TestHistoryMatchesOrderCreatedWebhook compares order #1001 as the API
// returned it right after it was placed with its orders/create webhook.
func TestHistoryMatchesOrderCreatedWebhook(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, func(w http.ResponseWriter, c gqlCall, n int) bool {
		if c.kind != "orders" {
			return false
		}
		historytest.WriteJSON(w, http.StatusOK, fixture(t, "order_1001_created.json"))
		return true
	})
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d events, want 1", len(got))
	}
	hook := webhookOrder(t, "orders/create", "orders_create.json")[0]
	if got[0].Type != hook.Type || !got[0].OccurredAt.Equal(hook.OccurredAt) {
		t.Errorf("event = %s at %v, webhook %s at %v", got[0].Type, got[0].OccurredAt, hook.Type, hook.OccurredAt)
	}
	sameOrder(t, got[0], hook)
	// The webhook's event id is its delivery id; the store dedupes the order
	// on Order.ID, so the history's own id only has to be stable.
	if got[0].ID != "history:order:5940139491234" {
		t.Errorf("ID = %q", got[0].ID)
	}
}

// TestHistoryMatchesOrderUpdatedWebhook compares order #1001, fulfilled and
// partly refunded, with the orders/updated webhook of that state.
func TestHistoryMatchesOrderUpdatedWebhook(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	hook := webhookOrder(t, "orders/updated", "orders_updated--refunded.json")
	for i, e := range got {
		if e.Order.ID != hook[0].Order.ID || e.Order.RefundID != "" {
			continue
		}
		sameOrder(t, e, hook[0])
		// Each refund as the webhook reports it, with the same refund id,
		// amount and time, so that it is counted once.
		refunds := got[i+1:]
		if len(refunds) < len(hook)-1 {
			t.Fatalf("history gives %d refunds of order %s, the webhook %d", len(refunds), e.Order.ID, len(hook)-1)
		}
		for j, want := range hook[1:] {
			if !refunds[j].OccurredAt.Equal(want.OccurredAt) {
				t.Errorf("refund %s at %v, webhook at %v", want.Order.RefundID, refunds[j].OccurredAt, want.OccurredAt)
			}
			sameOrder(t, refunds[j], want)
		}
		return
	}
	t.Fatalf("history lacks order %s: %s", hook[0].Order.ID, eventtest.JSON(t, got))
}
