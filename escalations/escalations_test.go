package escalations_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/escalations"
	"github.com/plusone-hq/plusone/store/sqlite"
)

var now = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// Compose places an escalation from the store as it is when sent: in the
// card's thread once the card is posted (retried until then), to the
// rule's target with where the card is, and nowhere for a ticket or a
// customer gone since.
func TestCompose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "plusone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	svc := &escalations.Service{Store: s, Policy: plusone.DefaultPolicy, Clock: func() time.Time { return now }}
	var customerID int64
	must(t, s.Update(ctx, func(tx plusone.Tx) error {
		c := &plusone.Customer{Name: "Jane Doe", Email: "jane@example.com", CreatedAt: now}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		customerID = c.ID
		if err := tx.SaveTicket(ctx, &plusone.TicketRecord{Ticket: plusone.Ticket{ID: "1", Subject: "Refund", Status: "open"},
			Source: plusone.SourceZendesk, CustomerID: c.ID, CreatedAt: now, UpdatedAt: now, WaitingSince: now}); err != nil {
			return err
		}
		return tx.TouchCard(ctx, plusone.CardState{Key: "zendesk:1", CustomerID: c.ID, Source: plusone.SourceZendesk, TicketID: "1",
			Channel: "C0CARDS"}, now)
	}))
	text, _ := json.Marshal(plusone.EscalationNotice{Rule: "tier=advocate,30m0s,C0VIP", Unanswered: 30 * time.Minute, Since: now})
	thread := plusone.Notice{Kind: plusone.NoticeEscalation, Ticket: "zendesk:1", Text: string(text)}
	notify := thread
	notify.Channel = "C0VIP"

	if _, err := svc.Compose(ctx, thread); err == nil || plusone.ErrorCode(err) == plusone.EINVALID {
		t.Errorf("in the thread of a card not posted yet: %v; want an error that is retried", err)
	}
	c, err := svc.Compose(ctx, notify)
	if err != nil || c.Skip || c.Channel != "C0VIP" || c.ThreadTS != "" || c.CardChannel != "C0CARDS" ||
		c.Customer.Name != "Jane Doe" || c.Ticket.Subject != "Refund" || c.Escalation.Unanswered != 30*time.Minute {
		t.Errorf("to the notify channel: %+v %v", c, err)
	}

	cards, err := s.ClaimCards(ctx, plusone.Claim{Worker: "w/sender", Limit: 1, Lease: time.Minute, Now: now})
	if err != nil || len(cards) != 1 {
		t.Fatalf("claim the card: %v %v", cards, err)
	}
	must(t, s.CardDelivered(ctx, "zendesk:1", "w/sender", "C0CARDS", "1700000000.000100", cards[0].Version))
	if c, err := svc.Compose(ctx, thread); err != nil || c.Skip || c.Channel != "C0CARDS" || c.ThreadTS != "1700000000.000100" {
		t.Errorf("in the card's thread: %+v %v", c, err)
	}

	unknown := notify
	unknown.Ticket = "zendesk:2"
	if c, err := svc.Compose(ctx, unknown); err != nil || !c.Skip {
		t.Errorf("an unknown ticket: skip %v, %v", c.Skip, err)
	}
	other := notify
	other.Kind = plusone.NoticeTicketWork
	if _, err := svc.Compose(ctx, other); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("another kind: %v", err)
	}
	must(t, s.Update(ctx, func(tx plusone.Tx) error {
		_, err := tx.EraseCustomer(ctx, customerID, now)
		return err
	}))
	for _, n := range []plusone.Notice{thread, notify} {
		if c, err := svc.Compose(ctx, n); err != nil || !c.Skip {
			t.Errorf("an erased customer's ticket (%q): skip %v, %v", n.Channel, c.Skip, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
