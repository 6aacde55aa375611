package delivery_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/delivery"
	"github.com/plusone-hq/plusone/metrics"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// errRateLimited stands for Slack's 429.
var errRateLimited = errors.New("ratelimited")

// slack records calls and answers FindCards from a script.
type slack struct {
	mu    sync.Mutex
	calls []string
	at    []time.Time
	// find answers the n-th FindCards call (from 0).
	find func(n int) (map[string]string, error)
	n    int
}

func (s *slack) record(call string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	s.at = append(s.at, time.Now())
}

func (s *slack) PostCard(ctx context.Context, channel string, card *plusone.ContextCard) (string, error) {
	s.record("post")
	return "200.000001", nil
}

func (s *slack) UpdateCard(ctx context.Context, channel, ts string, card *plusone.ContextCard) error {
	s.record("update " + ts)
	return nil
}

func (s *slack) FindCards(ctx context.Context, channel string, keys []string, since time.Time) (map[string]string, error) {
	s.record("find")
	s.mu.Lock()
	n := s.n
	s.n++
	s.mu.Unlock()
	return s.find(n)
}

func (s *slack) log() ([]string, []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...), append([]time.Time(nil), s.at...)
}

// term is a Sender moved by the test.
type term struct {
	mu           sync.Mutex
	since, until time.Time
}

func (t *term) Term() (time.Time, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.since, t.until
}

func (t *term) set(since, until time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.since, t.until = since, until
}

type noStats struct{}

func (noStats) QueueDepths(context.Context) (int, int, int, int, error) { return 0, 0, 0, 0, nil }

func setup(t *testing.T, sl *slack) (plusone.Store, *delivery.Deliverer) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plusone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := &delivery.Deliverer{
		Store: s, Slack: sl,
		Classify: func(err error) delivery.Failure {
			if errors.Is(err, errRateLimited) {
				return delivery.Failure{RetryAfter: 20 * time.Millisecond}
			}
			return delivery.Failure{}
		},
		Card: func(ctx context.Context, key string, now time.Time) (*plusone.ContextCard, error) {
			return &plusone.ContextCard{}, nil
		},
		Clock: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New(noStats{}),
		Lease: time.Minute, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, Poll: 10 * time.Millisecond,
	}
	return s, d
}

func touch(t *testing.T, s plusone.Store, key string) {
	t.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx plusone.Tx) error {
		c := &plusone.Customer{Name: key, CreatedAt: time.Now()}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		return tx.TouchCard(ctx, plusone.CardState{Key: key, CustomerID: c.ID, Source: plusone.SourceGeneric,
			TicketID: key, Channel: "C1"}, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, d *delivery.Deliverer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx, "me"); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A card in doubt whose lookup Slack rate-limits is handed back still in
// doubt: the next attempt looks again and adopts the card, never posting a
// second one.
func TestDoubtSurvivesRateLimitedLookup(t *testing.T) {
	t.Parallel()
	sl := &slack{find: func(n int) (map[string]string, error) {
		if n == 0 {
			return nil, errRateLimited
		}
		return map[string]string{"generic:1": "100.000001"}, nil
	}}
	s, d := setup(t, sl)
	touch(t, s, "generic:1")
	// A sender claimed the card and died before recording a post.
	ctx := context.Background()
	if got, err := s.ClaimCards(ctx, plusone.Claim{Worker: "dead/cards", Limit: 1, Lease: time.Minute, Now: time.Now()}); err != nil || len(got) != 1 {
		t.Fatalf("claim: %v %v", got, err)
	}
	if err := s.ReleaseCards(ctx, "dead/cards"); err != nil {
		t.Fatal(err)
	}
	run(t, d)
	eventually(t, "the card delivered", func() bool {
		pending, _, err := s.CardStats(ctx)
		return err == nil && pending == 0
	})
	calls, _ := sl.log()
	want := []string{"find", "find", "update 100.000001"}
	if len(calls) != len(want) || calls[0] != want[0] || calls[1] != want[1] || calls[2] != want[2] {
		t.Errorf("Slack calls %q, want %q", calls, want)
	}
}

// Only the sender calls Slack, from one pace after its term began and
// until its term ends.
func TestOnlyTheSenderCalls(t *testing.T) {
	t.Parallel()
	sl := &slack{}
	s, d := setup(t, sl)
	sender := &term{}
	d.Sender, d.Pace = sender, 100*time.Millisecond
	run(t, d)
	ctx := context.Background()
	touch(t, s, "generic:1")
	time.Sleep(50 * time.Millisecond) // a few polls
	if calls, _ := sl.log(); len(calls) != 0 {
		t.Fatalf("Slack called while another replica is the sender: %q", calls)
	}

	since := time.Now()
	sender.set(since, since.Add(time.Hour))
	eventually(t, "the card posted", func() bool { calls, _ := sl.log(); return len(calls) == 1 })
	if _, at := sl.log(); at[0].Sub(since) < d.Pace {
		t.Errorf("first call %v after the term began; a new sender waits one pace (%v)", at[0].Sub(since), d.Pace)
	}

	sender.set(since, time.Now()) // the term ends
	touch(t, s, "generic:2")
	time.Sleep(50 * time.Millisecond)
	if calls, _ := sl.log(); len(calls) != 1 {
		t.Errorf("Slack called after the term ended: %q", calls)
	}
	pending, _, err := s.CardStats(ctx)
	if err != nil || pending != 1 {
		t.Errorf("the card waits for the next sender: pending %d, %v", pending, err)
	}
}
