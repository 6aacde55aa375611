package memory_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/store/postgres"
	"github.com/plusone-hq/plusone/store/postgres/pgtest"
)

// pgStores opens n stores on one fresh PostgreSQL schema, as n replicas.
func pgStores(t *testing.T, n int) []plusone.Store {
	t.Helper()
	url := pgtest.Schema(t)
	var out []plusone.Store
	for range n {
		s, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// A supervisor merges two records of one person while events about the
// one merged away keep coming, through replicas on one PostgreSQL, and a
// supervisor splits an identity off while events about it come: every
// event applies at the first attempt, to the record that survives.
func TestMergeAndSplitWhileEventsApply(t *testing.T) {
	t.Parallel()
	stores := pgStores(t, 3)
	a := testWriter(plusone.DefaultPolicy())
	ctx := context.Background()
	event := func(i int, ref plusone.CustomerRef, source plusone.Source) plusone.Event {
		return plusone.Event{Source: source, ID: fmt.Sprint("e", i), Type: plusone.EventTicketCreated, OccurredAt: t0,
			Customer: ref, Ticket: &plusone.Ticket{ID: fmt.Sprint("T-", i), Subject: "Hello"}}
	}
	jane := remember(t, stores[0], a, event(0, plusone.CustomerRef{Email: "jane@example.com"}, plusone.SourceGeneric))
	other := remember(t, stores[0], a, event(1, plusone.CustomerRef{Email: "jane.doe@example.com", ExternalID: "777"}, plusone.SourceZendesk))
	mem := &memory.Service{Store: stores[1], Policy: plusone.DefaultPolicy, Clock: func() time.Time { return t0 }}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			<-start
			// Through her Zendesk id alone, or her second email alone.
			ref := plusone.CustomerRef{ExternalID: "777"}
			source := plusone.SourceZendesk
			if i%2 == 1 {
				ref, source = plusone.CustomerRef{Email: "jane.doe@example.com"}, plusone.SourceGeneric
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
		if err := mem.Merge(ctx, jane, other, "same person"); err != nil {
			t.Errorf("merge: %v", err)
		}
	})
	close(start)
	wg.Wait()
	must(t, stores[0].View(ctx, func(tx plusone.Tx) error {
		if _, err := tx.Customer(ctx, other); plusone.ErrorCode(err) != plusone.ENOTFOUND {
			t.Errorf("the merged record: %v", err)
		}
		tickets, err := tx.Tickets(ctx, jane, 100)
		if err != nil {
			return err
		}
		if len(tickets) != 32 {
			t.Errorf("the survivor has %d tickets, want 32", len(tickets))
		}
		return nil
	}))
	// Her Zendesk id split off while events about it come.
	var fresh int64
	for i := range 30 {
		wg.Go(func() {
			<-start
			err := stores[i%3].UpdateReplayable(ctx, func(tx plusone.Tx) error {
				_, _, err := a.Remember(ctx, tx, event(200+i, plusone.CustomerRef{ExternalID: "777"}, plusone.SourceZendesk), t0)
				return err
			})
			if err != nil {
				t.Errorf("event %d: %v", i, err)
			}
		})
	}
	wg.Go(func() {
		var err error
		if fresh, err = mem.Split(ctx, jane, plusone.Identity{Kind: "zendesk", Value: "777"}, "not the same"); err != nil {
			t.Errorf("split: %v", err)
		}
	})
	wg.Wait()
	must(t, stores[0].View(ctx, func(tx plusone.Tx) error {
		owner, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "zendesk", Value: "777"})
		if err != nil {
			return err
		}
		theirs, err := tx.Tickets(ctx, fresh, 100)
		if err != nil {
			return err
		}
		mine, err := tx.Tickets(ctx, jane, 100)
		if err != nil {
			return err
		}
		// Every Zendesk ticket goes with the Zendesk id, the others stay.
		if owner.ID != fresh || len(theirs) != 1+15+30 || len(mine) != 1+15 {
			t.Errorf("after the split: zendesk:777 is customer %d's (want %d); %d tickets split off (want 46), %d kept (want 16)",
				owner.ID, fresh, len(theirs), len(mine))
		}
		return nil
	}))
}
