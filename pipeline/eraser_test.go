package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
)

// lockedBuffer is a log shared by several workers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Two replicas run the eraser on one store, polling never (only a wake-up,
// the enqueued retention's or a round's with more to do, makes them look):
// the shop's erasure goes in rounds of two until its five customers are
// erased; then a retention is set, and the day's erases the customer
// unseen for longer than it, once; the customers of other sources seen
// lately stay.
func TestEraserAcrossReplicas(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	ctx := context.Background()
	now := time.Now()
	var policy atomic.Pointer[plusone.Policy]
	policy.Store(plusone.DefaultPolicy())
	a := testApplier(policy.Load())
	var events []plusone.Event
	for i := range 5 {
		events = append(events, plusone.Event{Source: plusone.SourceShopify, ID: fmt.Sprint("o", i), Type: plusone.EventOrderCreated,
			OccurredAt: now, Customer: plusone.CustomerRef{Email: fmt.Sprintf("s%d@example.com", i), ExternalID: fmt.Sprint(700 + i)},
			Order: &plusone.Order{ID: fmt.Sprint(i), Total: 10_00, Currency: "USD", CreatedAt: now}})
	}
	for _, c := range []struct {
		who string
		at  time.Time
	}{{"old", now.AddDate(0, 0, -40)}, {"new", now}} {
		events = append(events, plusone.Event{Source: plusone.SourceGeneric, ID: c.who, Type: plusone.EventTicketCreated, OccurredAt: c.at,
			Customer: plusone.CustomerRef{Email: c.who + "@example.com"}, Ticket: &plusone.Ticket{ID: c.who, Subject: c.who}})
	}
	must(t, s.Update(ctx, func(tx plusone.Tx) error {
		for _, e := range events {
			if _, err := a.Apply(ctx, tx, e, e.OccurredAt); err != nil {
				return err
			}
		}
		_, err := a.Comply(ctx, tx, plusone.Event{Source: plusone.SourceShopify, ID: "sr1", Type: plusone.EventShopRedact,
			Compliance: &plusone.Compliance{Shop: "tires-co.myshopify.com", RequestID: "sr1"}}, now)
		return err
	}))

	var logs lockedBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	mem := &memory.Service{Store: s, Policy: policy.Load, Clock: time.Now, Log: log}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, replica := range []string{"a", "b"} {
		e := &Eraser{Store: s, Memory: mem, Policy: mem.Policy, Clock: time.Now, Log: log,
			Poll: time.Hour, Check: 5 * time.Millisecond, Round: 2, RetryBase: time.Millisecond}
		wg.Go(func() { e.Run(runCtx, replica) })
	}
	day := now.UTC().Format(time.DateOnly)
	done := func(key string) int {
		return strings.Count(logs.String(), `"msg":"erasure job done","job":"`+key+`"`)
	}
	waitFor := func(key string) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); done(key) == 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s not done:\n%s", key, logs.String())
			}
		}
	}
	waitFor("shop_redact:shopify:sr1")
	// A retention set while they run.
	p := *policy.Load()
	p.Retention = 30 * 24 * time.Hour
	policy.Store(&p)
	waitFor("retention:" + day)
	cancel()
	wg.Wait()

	out := logs.String()
	if done("retention:"+day) != 1 || done("shop_redact:shopify:sr1") != 1 {
		t.Errorf("jobs done more than once:\n%s", out)
	}
	if n := strings.Count(out, `"msg":"erasure job: more to erase","job":"shop_redact:shopify:sr1"`); n != 2 {
		t.Errorf("the shop's erasure took %d rounds with more to erase, want 2 (5 customers, 2 a round):\n%s", n+1, out)
	}
	for who, kept := range map[string]bool{"s0": false, "s3": false, "s4": false, "old": false, "new": true} {
		got, err := mem.Export(ctx, who+"@example.com")
		must(t, err)
		if (len(got) == 1) != kept {
			t.Errorf("%s: %d records exported, kept = %v", who, len(got), kept)
		}
	}
	for _, kind := range []string{JobRetention, JobShopRedact} {
		left, err := s.ClaimJobs(ctx, kind, plusone.Claim{Worker: "check", Limit: 10, Lease: time.Minute, Now: time.Now()})
		must(t, err)
		if len(left) != 0 {
			t.Errorf("%s jobs left: %+v", kind, left)
		}
	}
}
