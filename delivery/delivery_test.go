package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/delivery"
	"github.com/plusone-hq/plusone/metrics"
	"github.com/plusone-hq/plusone/store/sqlite"
	dto "github.com/prometheus/client_model/go"
)

// The errors the test Classify tells apart: Slack's 429, a refusal that
// retrying cannot fix (channel_not_found) and anything else (a timeout).
var (
	errRateLimited = errors.New("ratelimited")
	errPermanent   = errors.New("channel_not_found")
	errTransient   = errors.New("context deadline exceeded")
)

// retryAfter is the Retry-After of errRateLimited.
const retryAfter = 20 * time.Millisecond

// classify tells the test's errors apart as bot.Classify does Slack's.
func classify(err error) plusone.Failure {
	switch {
	case errors.Is(err, errRateLimited):
		return plusone.Failure{RetryAfter: retryAfter, Reason: "ratelimited"}
	case errors.Is(err, errPermanent):
		return plusone.Failure{Permanent: true, Reason: "channel_not_found"}
	}
	return plusone.Failure{Reason: "timeout"}
}

// call is one Slack call as the fake saw it.
type call struct {
	what    string // post, update <ts>, find, send <what>
	channel string
	at      time.Time // when the call began
	keys    []string  // FindCards' keys
	since   time.Time // FindCards' since
}

// slack records calls and answers them from scripts: answer decides a
// post, update or outbox send (nil: success), find answers FindCards.
type slack struct {
	mu     sync.Mutex
	calls  []call
	answer func(n int, c call) error
	find   func(n int, c call) (map[string]string, error)
	nFind  int
}

// do records c and returns its answer.
func (s *slack) do(c call) error {
	s.mu.Lock()
	c.at = time.Now()
	s.calls = append(s.calls, c)
	n, answer := len(s.calls)-1, s.answer
	s.mu.Unlock()
	if answer == nil {
		return nil
	}
	return answer(n, c)
}

func (s *slack) PostCard(ctx context.Context, channel string, card *plusone.ContextCard) (string, error) {
	if err := s.do(call{what: "post", channel: channel}); err != nil {
		return "", err
	}
	return "200.000001", nil
}

func (s *slack) UpdateCard(ctx context.Context, channel, ts string, card *plusone.ContextCard) error {
	return s.do(call{what: "update " + ts, channel: channel})
}

// SendNotice records "send <kind>", or "replace <ts> <kind>" for a
// notice that replaces a message.
func (s *slack) SendNotice(ctx context.Context, n plusone.ComposedNotice) (string, error) {
	what := "send " + string(n.Kind)
	if n.ReplaceTS != "" {
		what = "replace " + n.ReplaceTS + " " + string(n.Kind)
	}
	if err := s.do(call{what: what, channel: n.Channel}); err != nil {
		return "", err
	}
	if n.ReplaceTS != "" {
		return n.ReplaceTS, nil
	}
	return "300.000001", nil
}

func (s *slack) FindCards(ctx context.Context, channel string, keys []string, since time.Time) (map[string]string, error) {
	c := call{what: "find", channel: channel, keys: slices.Sorted(slices.Values(keys)), since: since}
	s.do(c)
	s.mu.Lock()
	n := s.nFind
	s.nFind++
	s.mu.Unlock()
	return s.find(n, c)
}

func (s *slack) log() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func (s *slack) whats() []string {
	var out []string
	for _, c := range s.log() {
		out = append(out, c.what)
	}
	return out
}

// plainSlack is a Slack that cannot look for earlier posts (no Finder),
// like the terminal in local mode.
type plainSlack struct{ s *slack }

func (p plainSlack) PostCard(ctx context.Context, channel string, card *plusone.ContextCard) (string, error) {
	return p.s.PostCard(ctx, channel, card)
}

func (p plainSlack) UpdateCard(ctx context.Context, channel, ts string, card *plusone.ContextCard) error {
	return p.s.UpdateCard(ctx, channel, ts, card)
}

func (p plainSlack) SendNotice(ctx context.Context, n plusone.ComposedNotice) (string, error) {
	return p.s.SendNotice(ctx, n)
}

// failOnce fails to assemble the first card, then assembles every card
// empty.
type failOnce struct {
	mu        sync.Mutex
	assembled int
}

func (f *failOnce) Card(context.Context, string, time.Time) (*plusone.ContextCard, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.assembled++; f.assembled == 1 {
		return nil, errors.New("customer gone")
	}
	return &plusone.ContextCard{}, nil
}

// blankCards assembles every card empty.
type blankCards struct{}

func (blankCards) Card(context.Context, string, time.Time) (*plusone.ContextCard, error) {
	return &plusone.ContextCard{}, nil
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

func setup(t *testing.T, sl *slack) (plusone.Store, *delivery.Deliverer) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plusone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	d := &delivery.Deliverer{
		Store: s, Slack: sl,
		Classify: classify,
		Cards:    blankCards{},
		Clock:    time.Now, Log: slog.New(slog.DiscardHandler), Metrics: metrics.New(s, metrics.Labels{}),
		Lease: time.Minute, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond, Poll: 10 * time.Millisecond,
	}
	return s, d
}

// touch creates the card of ticket key in channel C1, or bumps its version.
func touch(t *testing.T, s plusone.Store, key string) { touchIn(t, s, key, "C1") }

func touchIn(t *testing.T, s plusone.Store, key, channel string) {
	t.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx plusone.Tx) error {
		c := &plusone.Customer{Name: key, CreatedAt: time.Now()}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		return tx.TouchCard(ctx, plusone.CardState{Key: key, CustomerID: c.ID, Source: plusone.SourceGeneric,
			TicketID: key, Channel: channel}, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// card reads the card of ticket key.
func card(t *testing.T, s plusone.Store, key string) *plusone.CardState {
	t.Helper()
	var c *plusone.CardState
	err := s.View(context.Background(), func(tx plusone.Tx) (err error) {
		c, err = tx.Card(context.Background(), key)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// doubt leaves the cards as a sender that claimed them and died before
// recording a post would: in doubt. It returns when they were claimed.
func doubt(t *testing.T, s plusone.Store, n int) time.Time {
	t.Helper()
	ctx := context.Background()
	at := time.Now()
	if got, err := s.ClaimCards(ctx, plusone.Claim{Worker: "dead/cards", Limit: n, Lease: time.Minute, Now: at}); err != nil || len(got) != n {
		t.Fatalf("claim: %v %v", got, err)
	}
	if err := s.ReleaseCards(ctx, "dead/cards"); err != nil {
		t.Fatal(err)
	}
	return at
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

// delivered waits until no card waits for delivery.
func delivered(t *testing.T, s plusone.Store) {
	t.Helper()
	eventually(t, "every card delivered", func() bool {
		pending, _, err := s.CardStats(context.Background())
		return err == nil && pending == 0
	})
}

// deliveries is the count of Slack calls of method with outcome.
func deliveries(d *delivery.Deliverer, method, outcome string) int {
	var m dto.Metric
	if err := d.Metrics.SlackDeliveries.WithLabelValues(method, outcome).Write(&m); err != nil {
		panic(err)
	}
	return int(m.GetCounter().GetValue())
}

// A card in doubt whose lookup Slack rate-limits is handed back still in
// doubt: the next attempt looks again and adopts the card, never posting a
// second one.
func TestDoubtSurvivesRateLimitedLookup(t *testing.T) {
	t.Parallel()
	sl := &slack{find: func(n int, _ call) (map[string]string, error) {
		if n == 0 {
			return nil, errRateLimited
		}
		return map[string]string{"generic:1": "100.000001"}, nil
	}}
	s, d := setup(t, sl)
	touch(t, s, "generic:1")
	doubt(t, s, 1)
	run(t, d)
	delivered(t, s)
	if got, want := sl.whats(), []string{"find", "find", "update 100.000001"}; !slices.Equal(got, want) {
		t.Errorf("Slack calls %q, want %q", got, want)
	}
}

// Cards in doubt are looked for in their channel's history, once for all
// of a channel's cards in doubt in a round, from a minute before the
// first attempt in doubt began. A card found is adopted (updated where it
// is, its ts recorded); one not found is posted.
func TestInDoubtAdoption(t *testing.T) {
	t.Parallel()
	sl := &slack{find: func(int, call) (map[string]string, error) {
		return map[string]string{"generic:1": "100.000001"}, nil
	}}
	s, d := setup(t, sl)
	touch(t, s, "generic:1")
	touch(t, s, "generic:2")
	claimed := doubt(t, s, 2)
	run(t, d)
	delivered(t, s)

	calls := sl.log()
	if got, want := sl.whats(), []string{"find", "update 100.000001", "post"}; !slices.Equal(got, want) {
		t.Fatalf("Slack calls %q, want %q", got, want)
	}
	find := calls[0]
	if want := []string{"generic:1", "generic:2"}; find.channel != "C1" || !slices.Equal(find.keys, want) {
		t.Errorf("FindCards(%s, %q), want (C1, %q)", find.channel, find.keys, want)
	}
	if from := claimed.Add(-time.Minute); find.since.After(from) || find.since.Before(from.Add(-time.Millisecond)) {
		t.Errorf("FindCards since %v, want a minute before the attempt in doubt (%v)", find.since, from)
	}
	if c := card(t, s, "generic:1"); c.TS != "100.000001" || c.Delivered != c.Version {
		t.Errorf("adopted card: ts %q, delivered %d of %d; want the ts found, delivered", c.TS, c.Delivered, c.Version)
	}
	if c := card(t, s, "generic:2"); c.TS != "200.000001" {
		t.Errorf("card not found in history: ts %q, want the one posted", c.TS)
	}
}

// When the history cannot be read (no scope, Slack down) or Slack cannot
// search it at all, a card in doubt is posted: a possible duplicate rather
// than no card.
func TestInDoubtWithoutLookup(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		slack func(*slack) delivery.Slack
		want  []string
	}{
		{"lookup fails", func(s *slack) delivery.Slack { return s }, []string{"find", "post"}},
		{"no finder", func(s *slack) delivery.Slack { return plainSlack{s} }, []string{"post"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sl := &slack{find: func(int, call) (map[string]string, error) { return nil, errors.New("missing_scope") }}
			s, d := setup(t, sl)
			d.Slack = tt.slack(sl)
			touch(t, s, "generic:1")
			doubt(t, s, 1)
			run(t, d)
			delivered(t, s)
			if got := sl.whats(); !slices.Equal(got, tt.want) {
				t.Errorf("Slack calls %q, want %q", got, tt.want)
			}
			if c := card(t, s, "generic:1"); c.TS != "200.000001" {
				t.Errorf("ts %q, want the one posted", c.TS)
			}
		})
	}
}

// A post that timed out may have reached Slack: the retry looks for it
// first and adopts it instead of posting a second card.
func TestTimedOutPostIsLookedFor(t *testing.T) {
	t.Parallel()
	sl := &slack{
		answer: func(n int, _ call) error {
			if n == 0 {
				return errTransient
			}
			return nil
		},
		find: func(_ int, c call) (map[string]string, error) {
			return map[string]string{"generic:1": "150.000001"}, nil
		},
	}
	s, d := setup(t, sl)
	touch(t, s, "generic:1")
	run(t, d)
	delivered(t, s)
	if got, want := sl.whats(), []string{"post", "find", "update 150.000001"}; !slices.Equal(got, want) {
		t.Errorf("Slack calls %q, want %q", got, want)
	}
	if c := card(t, s, "generic:1"); c.TS != "150.000001" {
		t.Errorf("ts %q, want the one found", c.TS)
	}
}

// Two messages to one channel are at least a pace apart, cards and outbox
// messages alike; a card already posted is updated where it is.
func TestPacing(t *testing.T) {
	t.Parallel()
	sl := &slack{}
	s, d := setup(t, sl)
	d.Slack = plainSlack{sl}
	d.Pace = 60 * time.Millisecond
	d.Notices = &notices{channel: "C1"}
	touch(t, s, "generic:1")
	touch(t, s, "generic:2")
	touchIn(t, s, "generic:3", "C2")
	enqueue(t, s, "m1", plusone.Notice{Kind: plusone.NoticeTodo, RequestID: 1}, nil)
	run(t, d)
	delivered(t, s)
	eventually(t, "the message sent", func() bool { return len(sl.log()) == 4 })
	touch(t, s, "generic:1")
	delivered(t, s)

	calls := sl.log()
	if got, want := len(calls), 5; got != want {
		t.Fatalf("%d Slack calls %q, want %d", got, sl.whats(), want)
	}
	last := map[string]time.Time{}
	for _, c := range calls {
		if prev, ok := last[c.channel]; ok && c.at.Sub(prev) < d.Pace {
			t.Errorf("%s to %s %v after the one before, want at least the pace (%v)", c.what, c.channel, c.at.Sub(prev), d.Pace)
		}
		last[c.channel] = c.at
	}
	if got, want := calls[4].what, "update 200.000001"; got != want {
		t.Errorf("changed card: %q, want %q", got, want)
	}
	if got := deliveries(d, "chat.postMessage", "ok"); got != 4 {
		t.Errorf("%d posts counted ok, want 4", got)
	}
}

// After Slack's 429 no call at all (post, update, lookup or outbox
// message, to any channel) is made before Retry-After has passed; the
// card that was refused is sent after it.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	sl := &slack{answer: func(n int, _ call) error {
		if n == 0 {
			return errRateLimited
		}
		return nil
	}}
	s, d := setup(t, sl)
	d.Notices = &notices{}
	touch(t, s, "generic:1")
	touchIn(t, s, "generic:2", "C2")
	touchIn(t, s, "generic:3", "C3")
	enqueue(t, s, "m1", plusone.Notice{Kind: plusone.NoticeTodo, RequestID: 1}, nil)
	run(t, d)
	delivered(t, s)
	eventually(t, "the message sent", func() bool { return len(sl.log()) == 5 })

	calls := sl.log()
	if calls[0].what != "post" || calls[0].channel != "C1" {
		t.Fatalf("first call %+v, want the post to C1", calls[0])
	}
	for _, c := range calls[1:] {
		if c.at.Sub(calls[0].at) < retryAfter {
			t.Errorf("%s to %s %v after the 429, before Retry-After (%v)", c.what, c.channel, c.at.Sub(calls[0].at), retryAfter)
		}
	}
	if got := deliveries(d, "chat.postMessage", "rate_limited"); got != 1 {
		t.Errorf("%d rate-limited posts counted, want 1", got)
	}
	if c := card(t, s, "generic:1"); c.TS == "" {
		t.Error("the refused card was never posted")
	}
}

// A 429 on an outbox message pauses cards too.
func TestRetryAfterOnMessage(t *testing.T) {
	t.Parallel()
	sl := &slack{answer: func(n int, _ call) error {
		if n == 0 {
			return errRateLimited
		}
		return nil
	}}
	s, d := setup(t, sl)
	d.Notices = &notices{}
	enqueue(t, s, "m1", plusone.Notice{Kind: plusone.NoticeTodo, RequestID: 1}, nil)
	enqueue(t, s, "m2", plusone.Notice{Kind: plusone.NoticeTodo, RequestID: 2}, nil)
	run(t, d)
	eventually(t, "the 429", func() bool { return len(sl.log()) > 0 })
	touch(t, s, "generic:1")
	d.Wake()
	delivered(t, s)
	eventually(t, "the messages sent", func() bool { return jobs(t, s) == [2]int{0, 0} })

	calls := sl.log()
	if len(calls) != 4 {
		t.Fatalf("Slack calls %q, want 4", sl.whats())
	}
	for _, c := range calls[1:] {
		if c.at.Sub(calls[0].at) < retryAfter {
			t.Errorf("%s %v after the 429, before Retry-After (%v)", c.what, c.at.Sub(calls[0].at), retryAfter)
		}
	}
}

// Slack refusing a card for good (channel_not_found) fails it: it is not
// retried until the card changes again, and then delivered.
func TestPermanentFailure(t *testing.T) {
	t.Parallel()
	sl := &slack{answer: func(n int, _ call) error {
		if n == 0 {
			return errPermanent
		}
		return nil
	}}
	s, d := setup(t, sl)
	touch(t, s, "generic:1")
	run(t, d)
	eventually(t, "the card failed", func() bool {
		_, failed, err := s.CardStats(context.Background())
		return err == nil && failed == 1
	})
	c := card(t, s, "generic:1")
	if c.State != plusone.CardFailed || !strings.Contains(c.LastError, "chat.postMessage: channel_not_found") {
		t.Errorf("card %s, %q; want failed naming the call and Slack's error", c.State, c.LastError)
	}
	// Not due at any time: nobody would claim it again.
	later, err := s.ClaimCards(context.Background(), plusone.Claim{Worker: "other/cards", Limit: 10, Lease: time.Minute,
		Now: time.Now().Add(24 * time.Hour)})
	if err != nil || len(later) != 0 {
		t.Errorf("a failed card was claimed again: %v %v", later, err)
	}
	if got := deliveries(d, "chat.postMessage", "permanent"); got != 1 {
		t.Errorf("%d permanent failures counted, want 1", got)
	}

	touch(t, s, "generic:1") // the card changes: it is tried again
	delivered(t, s)
	if got, want := sl.whats(), []string{"post", "post"}; !slices.Equal(got, want) {
		t.Errorf("Slack calls %q, want %q", got, want)
	}
}

// A transient failure (a timeout, a 5xx) is retried with a growing
// backoff until Slack takes the card; so is a card that cannot be
// assembled.
func TestTransientRetry(t *testing.T) {
	t.Parallel()
	sl := &slack{answer: func(n int, _ call) error {
		if n < 2 {
			return errTransient
		}
		return nil
	}}
	s, d := setup(t, sl)
	d.Slack = plainSlack{sl}
	d.RetryBase, d.RetryMax = 40*time.Millisecond, time.Second
	d.Cards = &failOnce{}
	touch(t, s, "generic:1")
	run(t, d)
	delivered(t, s)

	calls := sl.log()
	if got, want := sl.whats(), []string{"post", "post", "post"}; !slices.Equal(got, want) {
		t.Fatalf("Slack calls %q, want %q", got, want)
	}
	// Attempts 2 and 3 (the first failed to assemble): base·2, base·4,
	// less 20 % jitter.
	for i, least := range []time.Duration{64 * time.Millisecond, 128 * time.Millisecond} {
		if gap := calls[i+1].at.Sub(calls[i].at); gap < least {
			t.Errorf("retry %d came %v after the failure, want at least %v", i+1, gap, least)
		}
	}
	if got := deliveries(d, "chat.postMessage", "transient"); got != 2 {
		t.Errorf("%d transient failures counted, want 2", got)
	}
	if c := card(t, s, "generic:1"); c.TS != "200.000001" || c.Attempts != 0 || c.LastError != "" {
		t.Errorf("card ts %q, attempts %d, error %q; want posted and reset", c.TS, c.Attempts, c.LastError)
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
	if calls := sl.log(); len(calls) != 0 {
		t.Fatalf("Slack called while another replica is the sender: %q", sl.whats())
	}

	since := time.Now()
	sender.set(since, since.Add(time.Hour))
	eventually(t, "the card posted", func() bool { return len(sl.log()) == 1 })
	if at := sl.log()[0].at; at.Sub(since) < d.Pace {
		t.Errorf("first call %v after the term began; a new sender waits one pace (%v)", at.Sub(since), d.Pace)
	}

	sender.set(since, time.Now()) // the term ends
	touch(t, s, "generic:2")
	time.Sleep(50 * time.Millisecond)
	if calls := sl.log(); len(calls) != 1 {
		t.Errorf("Slack called after the term ended: %q", sl.whats())
	}
	pending, _, err := s.CardStats(ctx)
	if err != nil || pending != 1 {
		t.Errorf("the card waits for the next sender: pending %d, %v", pending, err)
	}
}

// When the sender's term ends in the middle of a round, the cards and
// messages not yet tried are given back at once, free for the next
// sender.
func TestTermEndsMidRound(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		prepare func(t *testing.T, s plusone.Store)
		claim   func(s plusone.Store) (int, error)
	}{
		{"cards", func(t *testing.T, s plusone.Store) {
			for _, k := range []string{"generic:1", "generic:2", "generic:3"} {
				touch(t, s, k)
			}
		}, func(s plusone.Store) (int, error) {
			got, err := s.ClaimCards(context.Background(), plusone.Claim{Worker: "next/cards", Limit: 10, Lease: time.Minute, Now: time.Now()})
			return len(got), err
		}},
		{"messages", func(t *testing.T, s plusone.Store) {
			for _, k := range []string{"m1", "m2", "m3"} {
				enqueue(t, s, k, plusone.Notice{Kind: plusone.NoticeTodo}, nil)
			}
		}, func(s plusone.Store) (int, error) {
			got, err := s.ClaimJobs(context.Background(), plusone.JobNotice,
				plusone.Claim{Worker: "next/cards", Limit: 10, Lease: time.Minute, Now: time.Now()})
			return len(got), err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sender := &term{}
			sender.set(time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
			sl := &slack{}
			sl.answer = func(int, call) error {
				sender.set(time.Now().Add(-time.Hour), time.Now()) // the term ends during the call
				return nil
			}
			s, d := setup(t, sl)
			d.Sender, d.Notices = sender, &notices{}
			tt.prepare(t, s)
			run(t, d)
			eventually(t, "the first call", func() bool { return len(sl.log()) == 1 })
			// They are given back one by one: count every claim.
			given := 0
			eventually(t, "the rest given back", func() bool {
				n, err := tt.claim(s)
				given += n
				return err == nil && given == 2
			})
			if calls := sl.log(); len(calls) != 1 {
				t.Errorf("Slack calls %q after the term ended, want one", sl.whats())
			}
		})
	}
}

// slowCards builds a card in a while, noting when each build began, how
// many ran at once, and which ticket each card is for (its Ticket.ID).
type slowCards struct {
	took time.Duration

	mu            sync.Mutex
	began         map[string][]time.Time // by key
	running, most int
}

func (c *slowCards) Card(ctx context.Context, key string, _ time.Time) (*plusone.ContextCard, error) {
	c.mu.Lock()
	c.began[key] = append(c.began[key], time.Now())
	c.running++
	c.most = max(c.most, c.running)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running--
		c.mu.Unlock()
	}()
	select {
	case <-time.After(c.took):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &plusone.ContextCard{Ticket: plusone.TicketRecord{Ticket: plusone.Ticket{ID: key}}}, nil
}

// cardSlack is a Slack that notes which card each post carried and when.
type cardSlack struct {
	plainSlack
	mu     sync.Mutex
	posted map[string]time.Time // by the card's ticket id
	twice  []string
}

func (s *cardSlack) PostCard(ctx context.Context, channel string, card *plusone.ContextCard) (string, error) {
	ts, err := s.plainSlack.PostCard(ctx, channel, card)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.posted[card.Ticket.ID]; ok {
		s.twice = append(s.twice, card.Ticket.ID)
	}
	s.posted[card.Ticket.ID] = time.Now()
	return ts, err
}

// The cards of a claimed batch are built a few at a time while the sender
// calls Slack one at a time; each post carries its own ticket's card, each
// card is built once. With a pace, a channel's next card is built only
// when its turn comes, so that it shows what is true then.
func TestCardsBuiltAheadOfTheirTurn(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		pace     time.Duration
		channels []string // of the cards, in the order of their keys
	}{
		{"no pace", 0, []string{"C1", "C1", "C1", "C2", "C2", "C3", "C3", "C3"}},
		{"a pace", 80 * time.Millisecond, []string{"C1", "C1", "C1", "C2", "C2", "C3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sl := &cardSlack{plainSlack: plainSlack{&slack{}}, posted: map[string]time.Time{}}
			cards := &slowCards{took: 30 * time.Millisecond, began: map[string][]time.Time{}}
			s, d := setup(t, sl.s)
			d.Slack, d.Cards, d.Pace = sl, cards, tc.pace
			var keys []string
			for i, ch := range tc.channels {
				keys = append(keys, fmt.Sprintf("generic:%d", i+1))
				touchIn(t, s, keys[i], ch)
			}
			run(t, d)
			delivered(t, s)

			sl.mu.Lock()
			defer sl.mu.Unlock()
			cards.mu.Lock()
			defer cards.mu.Unlock()
			if len(sl.posted) != len(keys) || len(sl.twice) > 0 {
				t.Fatalf("posted the cards of %d tickets (twice: %q), want each of %d once", len(sl.posted), sl.twice, len(keys))
			}
			for _, k := range keys {
				if _, ok := sl.posted[k]; !ok {
					t.Errorf("no card carried ticket %s", k)
				}
				if n := len(cards.began[k]); n != 1 {
					t.Errorf("card of %s built %d times, want once", k, n)
				}
			}
			if cards.most < 2 {
				t.Errorf("at most %d card built at a time, want builds ahead of the sender", cards.most)
			}
			if tc.pace == 0 {
				return
			}
			// A card to a channel is built only after the card before it
			// to that channel was posted.
			prev := map[string]string{}
			for i, k := range keys {
				ch := tc.channels[i]
				if p, ok := prev[ch]; ok && cards.began[k][0].Before(sl.posted[p]) {
					t.Errorf("card of %s built %v before %s was posted to %s", k, sl.posted[p].Sub(cards.began[k][0]), p, ch)
				}
				prev[ch] = k
			}
		})
	}
}
