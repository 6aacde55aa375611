package gestures_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/gestures"
)

// shopify fails its first call (a timeout) and creates codes after.
type shopify struct {
	mu    sync.Mutex
	calls []string
}

func (s *shopify) CreateDiscountCode(ctx context.Context, code, title string, amount plusone.Money, currency, customerID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, code)
	if len(s.calls) == 1 {
		return errors.New("context deadline exceeded")
	}
	return nil
}

// A write-back that fails is retried; one the target refuses (here: a
// Zendesk note on a ticket that is not Zendesk's) is parked and its failure
// told in the card's thread; an unreadable one is parked. Every outcome
// reaches the store: none is lost.
func TestWriteback(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	granted := f.offer(t, "U0ANA", 0, "free_express_shipping", "k0")
	if granted.Entry.Status != plusone.StatusGranted {
		t.Fatalf("offer: %s, want granted", granted.Entry.Status)
	}
	req := granted.Entry.RequestID
	enqueue := func(key string, payload []byte) {
		t.Helper()
		err := f.store.Update(ctx, func(tx plusone.Tx) error {
			_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: gestures.JobWriteback, Key: key, Payload: payload, CreatedAt: t0}, t0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	wb := func(target plusone.Source) []byte {
		b, _ := json.Marshal(gestures.Writeback{RequestID: req, Target: target})
		return b
	}
	enqueue("shopify", wb(plusone.SourceShopify))
	enqueue("zendesk", wb(plusone.SourceZendesk))
	enqueue("garbled", []byte("{"))

	f.svc.Clock = time.Now // retries come due
	sh := &shopify{}
	w := &gestures.Writer{Gestures: f.svc, Shopify: sh, Zendesk: nil, MaxAttempts: 3,
		RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond, Poll: 5 * time.Millisecond, Timeout: time.Second}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.Run(runCtx, "test"); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, parked, err := f.store.JobStats(ctx, gestures.JobWriteback)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			if parked != 2 {
				t.Fatalf("%d write-backs parked, want 2 (zendesk, garbled)", parked)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("write-backs still pending: %d", pending)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done

	code := gestures.Code(granted.Entry)
	if !slices.Equal(sh.calls, []string{code, code}) {
		t.Errorf("shopify calls %v, want the same code twice (a failure, then its retry)", sh.calls)
	}
	// What the card's thread is told.
	msgs, err := f.store.ClaimJobs(ctx, plusone.JobNotice, plusone.Claim{Worker: "t", Limit: 100, Lease: time.Minute, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var told []string
	for _, m := range msgs {
		var o plusone.Notice
		if err := json.Unmarshal(m.Payload, &o); err != nil {
			t.Fatal(err)
		}
		if o.Kind == plusone.NoticeWriteback {
			told = append(told, o.Text)
			if ok := strings.Contains(o.Text, "Shopify"); o.OK != ok {
				t.Errorf("%q told with ok %v", o.Text, o.OK)
			}
		}
	}
	slices.Sort(told)
	want := []string{"Shopify discount code " + code + " created", "could not write back to Zendesk: Zendesk's API is not configured"}
	if !slices.Equal(told, want) {
		t.Errorf("thread told %q, want %q", told, want)
	}
}
