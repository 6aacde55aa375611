package pipeline

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// The memory's writes are tested in package memory (remember_test.go);
// these test what the pipeline adds: back-fills of new customers.

var t0 = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func testStore(t testing.TB) plusone.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testApplier(policy *plusone.Policy) *Applier {
	return &Applier{Policy: func() *plusone.Policy { return policy }, DefaultChannel: "CDEFAULT"}
}

func apply(t *testing.T, s plusone.Store, a *Applier, evs ...plusone.Event) int64 {
	t.Helper()
	var id int64
	err := s.Update(context.Background(), func(tx plusone.Tx) error {
		for _, e := range evs {
			var err error
			if id, err = a.Apply(context.Background(), tx, e, t0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func jane() plusone.CustomerRef {
	return plusone.CustomerRef{Email: "Jane@Example.com ", Name: "Jane Doe"}
}

func order(id string, total plusone.Money, at time.Time) plusone.Event {
	return plusone.Event{Source: plusone.SourceShopify, ID: "o" + id, Type: plusone.EventOrderCreated, OccurredAt: at,
		Customer: plusone.CustomerRef{Email: "jane@example.com", ExternalID: "6147"},
		Order:    &plusone.Order{ID: id, Name: "#" + id, Total: total, Currency: "USD", CreatedAt: at, CheckoutToken: "chk-" + id}}
}

func ticketEvent(typ plusone.EventType, id, status string, at time.Time) plusone.Event {
	return plusone.Event{Source: plusone.SourceGeneric, ID: string(typ) + id + status + at.String(), Type: typ, OccurredAt: at,
		Customer: jane(),
		Ticket:   &plusone.Ticket{ID: id, Subject: "Where is my order?", URL: "https://help/" + id, Status: status}}
}

// A customer seen for the first time is back-filled once from every
// history source, with her external id for the source that told of her;
// a customer we know, and one first seen in back-filled history, are not.
func TestApplyEnqueuesBackfills(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	a := testApplier(plusone.DefaultPolicy())
	a.History = []plusone.Source{plusone.SourceShopify, plusone.SourceZendesk}
	ctx := context.Background()
	jobs := func() map[string]backfillJob {
		t.Helper()
		claimed, err := s.ClaimJobs(ctx, JobBackfill, plusone.Claim{Worker: "w", Limit: 100, Lease: time.Minute, Now: t0})
		must(t, err)
		got := map[string]backfillJob{}
		for _, j := range claimed {
			var job backfillJob
			must(t, json.Unmarshal(j.Payload, &job))
			got[j.Key] = job
			must(t, s.Update(ctx, func(tx plusone.Tx) error { return tx.CompleteJob(ctx, j.ID, "w", t0) }))
		}
		return got
	}

	id := apply(t, s, a, plusone.Event{Source: plusone.SourceZendesk, ID: "z1", Type: plusone.EventTicketCreated, OccurredAt: t0,
		Customer: plusone.CustomerRef{Email: "Jane@Example.com", ExternalID: "777"}, Ticket: &plusone.Ticket{ID: "5158"}})
	got := jobs()
	want := map[string]backfillJob{
		"backfill:" + strconv.FormatInt(id, 10) + ":shopify": {Source: plusone.SourceShopify, CustomerID: id, Email: "jane@example.com"},
		"backfill:" + strconv.FormatInt(id, 10) + ":zendesk": {Source: plusone.SourceZendesk, CustomerID: id, Email: "jane@example.com", ExternalID: "777"},
	}
	if len(got) != len(want) {
		t.Fatalf("jobs = %+v, want %+v", got, want)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("job %s = %+v, want %+v", k, got[k], w)
		}
	}

	// She again, by another event: known, nothing enqueued.
	apply(t, s, a, order("1", 10_00, t0.Add(time.Hour)))
	// Someone first seen in back-filled history: nobody back-fills her.
	must(t, s.Update(ctx, func(tx plusone.Tx) error {
		e := ticketEvent(plusone.EventTicketCreated, "OLD", "solved", t0.Add(-time.Hour))
		e.Customer = plusone.CustomerRef{Email: "bob@example.com"}
		_, err := a.ApplyHistory(ctx, tx, e, t0)
		return err
	}))
	if got := jobs(); len(got) != 0 {
		t.Errorf("jobs enqueued for known or back-filled customers: %v", slices.Collect(maps.Keys(got)))
	}
}
