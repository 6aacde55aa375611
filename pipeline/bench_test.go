package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
)

// BenchmarkApply applies a ticket.created event of a new customer, with her
// message, in its own transaction — what a worker does per webhook.
func BenchmarkApply(b *testing.B) {
	s := benchStore(b)
	a := testApplier(plusone.DefaultPolicy())
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e := plusone.Event{Source: plusone.SourceGeneric, ID: fmt.Sprint("e", i), Type: plusone.EventTicketCreated, OccurredAt: t0,
			Customer: plusone.CustomerRef{Email: fmt.Sprintf("b%d@example.com", i), Name: "Bench"},
			Ticket:   &plusone.Ticket{ID: fmt.Sprint("T-", i), Subject: "Where is my order?"},
			Message:  &plusone.Message{Text: "hello", FromCustomer: true}}
		if err := s.Update(ctx, func(tx plusone.Tx) error { _, err := a.Apply(ctx, tx, e, t0); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCard assembles the card of a customer with some history.
func BenchmarkLoadCard(b *testing.B) {
	s := benchStore(b)
	p := plusone.DefaultPolicy()
	a := testApplier(p)
	ctx := context.Background()
	for i := range 20 {
		e := order(fmt.Sprint(i), 50_00, t0.Add(time.Duration(i)*time.Hour))
		if err := s.Update(ctx, func(tx plusone.Tx) error { _, err := a.Apply(ctx, tx, e, t0); return err }); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Update(ctx, func(tx plusone.Tx) error {
		_, err := a.Apply(ctx, tx, ticketEvent(plusone.EventTicketCreated, "T-1", "open", t0), t0)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.View(ctx, func(tx plusone.Tx) error { _, err := memory.LoadCard(ctx, tx, "generic:T-1", p, t0); return err }); err != nil {
			b.Fatal(err)
		}
	}
}

func benchStore(b *testing.B) plusone.Store {
	b.Helper()
	return testStore(b)
}
