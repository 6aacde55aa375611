package pipeline

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/metrics"
)

// scripted is an integration whose bodies say what to do: "panic",
// "bad" (unparseable), or anything else, a ticket of that name.
type scripted struct{}

func (scripted) Source() plusone.Source                      { return plusone.SourceGeneric }
func (scripted) Verify(http.Header, []byte, time.Time) error { return nil }
func (scripted) Parse(_ http.Header, b []byte) (plusone.Delivery, error) {
	body := string(b)
	switch body {
	case "panic":
		panic("poison")
	case "bad":
		return plusone.Delivery{}, plusone.Errorf(plusone.EINVALID, "bad body")
	}
	return plusone.Delivery{DedupeKey: body, Events: []plusone.Event{{Source: plusone.SourceGeneric, ID: body,
		Type: plusone.EventTicketCreated, Customer: plusone.CustomerRef{Email: body + "@example.com"},
		Ticket: &plusone.Ticket{ID: body, Subject: body}}}}, nil
}

func TestPoisonEventsAreParkedAndBlockNothing(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	ctx := context.Background()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, body := range []string{"panic", "a", "bad", "b", "c"} {
		if _, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: body, Body: []byte(body), ReceivedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	m := metrics.New(nil, metrics.Labels{})
	p := &Processor{
		Store: s, Applier: testApplier(plusone.DefaultPolicy()),
		Parsers: map[plusone.Source]plusone.Integration{plusone.SourceGeneric: scripted{}},
		Clock:   time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m,
		Workers: 2, MaxAttempts: 3, Lease: time.Minute, RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond,
		Poll: 5 * time.Millisecond,
	}
	done := make(chan struct{})
	go func() { p.Run(runCtx, "test"); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := s.InboxStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending == 0 {
			if st.Done != 3 || st.Parked != 2 {
				t.Fatalf("stats = %+v, want 3 done and 2 parked", st)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events still pending: %+v", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	parked, err := s.ParkedEvents(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, ev := range parked {
		reasons[string(ev.Body)] = ev.LastError
	}
	if !strings.Contains(reasons["panic"], "panic: poison") || !strings.Contains(reasons["panic"], "3 attempts") {
		t.Errorf("panic parked with %q", reasons["panic"])
	}
	if !strings.Contains(reasons["bad"], "bad body") {
		t.Errorf("bad parked with %q", reasons["bad"])
	}
	// The good events were applied despite the poison ones before them.
	for _, key := range []string{"a", "b", "c"} {
		err := s.View(ctx, func(tx plusone.Tx) error {
			_, err := tx.Card(ctx, "generic:"+key)
			return err
		})
		if err != nil {
			t.Errorf("event %s not applied: %v", key, err)
		}
	}
}
