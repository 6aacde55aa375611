package memory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
)

// After an erasure nothing more is written about her: a note, a
// preference or a look-up by her old id (a card or a list shown before)
// find nobody; her card says she was erased; the export finds nothing.
func TestNothingWrittenAboutTheErased(t *testing.T) {
	t.Parallel()
	svc, s, changed := fixture(t)
	ctx := context.Background()
	before, err := svc.Export(ctx, "JANE@example.com")
	must(t, err)
	if len(before) != 1 || len(before[0].Orders) != 1 || len(before[0].Tickets) != 1 || len(before[0].Cards) != 1 {
		t.Fatalf("export before = %+v", before)
	}
	jane := before[0].Customer.ID
	if _, err := svc.EraseByEmail(ctx, "not an email", plusone.Erasure{Via: "api"}); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("erasing a non-email: %v", err)
	}
	id, err := svc.EraseByEmail(ctx, "jane@example.com", plusone.Erasure{By: "api", Via: "api"})
	if err != nil || id != jane || *changed != 1 {
		t.Fatalf("erase = %d, %v (changed %d)", id, err, *changed)
	}
	if _, err := svc.EraseByEmail(ctx, "jane@example.com", plusone.Erasure{By: "api", Via: "api"}); plusone.ErrorCode(err) != plusone.ENOTFOUND {
		t.Errorf("erasing her twice: %v", err)
	}
	if _, err := svc.AddNote(ctx, plusone.Note{CustomerID: jane, Author: "U0ANA", Text: "hi"}); plusone.ErrorCode(err) != plusone.ENOTFOUND {
		t.Errorf("a note on her: %v", err)
	}
	if err := svc.SetPreference(ctx, "U0ANA", jane, "contact", "email"); plusone.ErrorCode(err) != plusone.ENOTFOUND {
		t.Errorf("a preference of hers: %v", err)
	}
	if _, err := svc.Customer(ctx, "U0ANA", jane); plusone.ErrorCode(err) != plusone.ENOTFOUND {
		t.Errorf("her card by id: %v", err)
	}
	if _, _, ok, err := svc.CardCustomer(ctx, "C1", "1700.0001", ""); ok || err != nil {
		t.Errorf("her card's customer: %v %v", ok, err)
	}
	after, err := svc.Export(ctx, "jane@example.com")
	if err != nil || len(after) != 0 {
		t.Errorf("export after = %+v, %v", after, err)
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		card, err := memory.LoadCard(ctx, tx, "zendesk:5158", plusone.DefaultPolicy(), now)
		if err != nil {
			return err
		}
		if !card.Erased || card.View.Customer.Name != "" || card.Ticket.Key() != "zendesk:5158" {
			t.Errorf("her card = %+v", card)
		}
		recent, err := tx.RecentCustomers(ctx, "U0ANA", 10)
		if len(recent) != 0 {
			t.Errorf("recent after erasure: %+v", recent)
		}
		return err
	}))
}

// Retention erases those not seen for its length, and keeps whoever an
// event reached since, within the limit given.
func TestEraseUnseen(t *testing.T) {
	t.Parallel()
	svc, s, _ := fixture(t) // Jane seen an hour before now, the Janets never (created now)
	ctx := context.Background()
	n, more, err := svc.EraseUnseen(ctx, 30*time.Minute, 1)
	if err != nil || n != 1 || !more {
		t.Fatalf("first round = %d %v %v", n, more, err)
	}
	n, more, err = svc.EraseUnseen(ctx, 30*time.Minute, 10)
	if err != nil || n != 0 || more {
		t.Fatalf("second round = %d %v %v", n, more, err)
	}
	if n, _, _ := svc.EraseUnseen(ctx, 0, 10); n != 0 {
		t.Error("no retention erased someone")
	}
	// Jane was seen an hour ago; the Janets were created at now.
	for _, email := range []string{"janet@example.com", "janet2@example.com"} {
		if got, _ := svc.Export(ctx, email); len(got) != 1 {
			t.Errorf("%s after retention: %+v", email, got)
		}
	}
	if got, _ := svc.Export(ctx, "jane@example.com"); len(got) != 0 {
		t.Errorf("jane after retention: %+v", got)
	}
	var audit []plusone.AuditRecord
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		audit, err = tx.AuditLog(ctx, 10)
		return err
	}))
	if len(audit) != 1 || audit[0].Actor != "retention" || audit[0].Outcome != "erased via retention" {
		t.Errorf("audit = %+v", audit)
	}
}

// A supervisor erases her while events about her keep coming through
// three replicas on one PostgreSQL: every event applies at the first
// attempt, either to her before the erasure (and is erased with her) or
// to somebody new after it; nothing of hers is left on the erased record.
func TestEraseWhileEventsApply(t *testing.T) {
	t.Parallel()
	stores := pgStores(t, 3)
	a := testWriter(plusone.DefaultPolicy())
	ctx := context.Background()
	event := func(i int, ref plusone.CustomerRef, source plusone.Source) plusone.Event {
		return plusone.Event{Source: source, ID: fmt.Sprint("e", i), Type: plusone.EventTicketCreated, OccurredAt: t0,
			Customer: ref, Ticket: &plusone.Ticket{ID: fmt.Sprint("T-", i), Subject: "Hello"}}
	}
	jane := remember(t, stores[0], a, event(0, plusone.CustomerRef{Email: "jane@example.com", ExternalID: "777"}, plusone.SourceZendesk))
	mem := &memory.Service{Store: stores[1], Policy: plusone.DefaultPolicy, Clock: func() time.Time { return t0 }}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			<-start
			ref, source := plusone.CustomerRef{ExternalID: "777"}, plusone.SourceZendesk
			if i%2 == 1 {
				ref, source = plusone.CustomerRef{Email: "jane@example.com"}, plusone.SourceGeneric
			}
			err := stores[i%3].UpdateReplayable(ctx, func(tx plusone.Tx) error {
				_, _, err := a.Remember(ctx, tx, event(100+i, ref, source), t0)
				return err
			})
			if err != nil {
				t.Errorf("event %d: %v", i, err)
			}
		})
	}
	wg.Go(func() {
		<-start
		if _, err := mem.EraseByEmail(ctx, "jane@example.com", plusone.Erasure{By: "U0SUP", Via: "slack"}); err != nil {
			t.Errorf("erase: %v", err)
		}
	})
	close(start)
	wg.Wait()
	must(t, stores[0].View(ctx, func(tx plusone.Tx) error {
		c, err := tx.Customer(ctx, jane)
		if err != nil {
			return err
		}
		ids, _ := tx.Identities(ctx, jane)
		tickets, _ := tx.Tickets(ctx, jane, 100)
		timeline, _ := tx.Timeline(ctx, jane, 100)
		if c.ErasedAt.IsZero() || c.Name != "" || len(ids)+len(tickets)+len(timeline) != 0 {
			t.Errorf("the erased record: %+v, identities %v, %d tickets, %d timeline entries", c, ids, len(tickets), len(timeline))
		}
		// Whoever has her identities now is new.
		for _, id := range []plusone.Identity{{Kind: "email", Value: "jane@example.com"}, {Kind: "zendesk", Value: "777"}} {
			if owner, err := tx.CustomerByIdentity(ctx, id); err == nil && owner.ID == jane {
				t.Errorf("%v still finds the erased record", id)
			}
		}
		return nil
	}))
}

// A shop's erasure takes every customer known through its source, in
// rounds of at most the limit, and nobody else.
func TestEraseSource(t *testing.T) {
	t.Parallel()
	svc, _, _ := fixture(t) // Jane has a Shopify order; the Janets do not
	ctx := context.Background()
	er := plusone.Erasure{By: "shopify", Via: "shopify", Ref: "sr1"}
	n, more, err := svc.EraseSource(ctx, plusone.SourceShopify, er, 1)
	if err != nil || n != 1 || !more {
		t.Fatalf("first round = %d %v %v", n, more, err)
	}
	n, more, err = svc.EraseSource(ctx, plusone.SourceShopify, er, 10)
	if err != nil || n != 0 || more {
		t.Fatalf("second round = %d %v %v", n, more, err)
	}
	if got, _ := svc.Export(ctx, "jane@example.com"); len(got) != 0 {
		t.Errorf("jane after the shop's erasure: %+v", got)
	}
	if got, _ := svc.Export(ctx, "janet@example.com"); len(got) != 1 {
		t.Errorf("janet after the shop's erasure: %+v", got)
	}
}
