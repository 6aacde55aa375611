package cluster

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// clock is a test clock moved by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func openStore(t *testing.T) plusone.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plusone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func member(s plusone.Store, name string, c *clock, alone bool) *Member {
	return &Member{Store: s, Name: name, Every: 2 * time.Second, Alone: alone, Clock: c.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// holds says whether r may be acted in at now.
func holds(r *Role, now time.Time) bool {
	_, until := r.Term()
	return now.Before(until)
}

// Two replicas: the first to start plays the role; when it stops beating,
// the other gives back its claims and takes the role within DeadAfter
// beats, and acts in it only after the first one's term ended.
func TestTakeOverFromDeadMember(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	a, b := member(s, "a", c, false), member(s, "b", c, false)
	ra, rb := a.Role("sender"), b.Role("sender")
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !holds(ra, c.Now()) || holds(rb, c.Now()) {
		t.Fatal("the first member to start should play the role, and only it")
	}
	// a claims an event, then dies: it beats no more.
	ev := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "e1", Body: []byte(`{}`), ReceivedAt: c.Now()}
	if _, err := s.AppendEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ClaimEvents(ctx, plusone.Claim{Worker: "a/events", Limit: 1, Lease: time.Minute, Now: c.Now()}); err != nil || len(got) != 1 {
		t.Fatalf("claim: %v %v", got, err)
	}
	aUntil := func() time.Time { _, u := ra.Term(); return u }()
	beats, released := 0, false
	for ; beats < 10 && !(released && holds(rb, c.Now())); beats++ {
		c.add(b.Every)
		b.beat(ctx)
		if holds(rb, c.Now()) && c.Now().Before(aUntil) {
			t.Fatalf("b acts in the role at %v, before a's term ends at %v", c.Now(), aUntil)
		}
		if !released {
			got, err := s.ClaimEvents(ctx, plusone.Claim{Worker: "b/events", Limit: 1, Lease: time.Minute, Now: c.Now()})
			if err != nil {
				t.Fatal(err)
			}
			released = len(got) == 1
		}
	}
	// Dead after DeadAfter beats, taken over at the next one.
	if beats > DeadAfter+1 {
		t.Errorf("b took over after %d beats (released %v), want at most %d", beats, released, DeadAfter+1)
	}
	// a comes back (it was only paused): it beats, but b keeps the role
	// until b's term ends.
	a.beat(ctx)
	if holds(ra, c.Now()) {
		t.Error("a took the role back from b")
	}
}

// A lone process takes over every claim and role at start, and a member
// leaving frees its role at once.
func TestAloneAndLeave(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)}
	old := member(s, "old", c, true)
	old.Role("sender")
	if err := old.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ev := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "e1", Body: []byte(`{}`), ReceivedAt: c.Now()}
	if _, err := s.AppendEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimEvents(ctx, plusone.Claim{Worker: "old/events", Limit: 1, Lease: time.Minute, Now: c.Now()}); err != nil {
		t.Fatal(err)
	}
	// old is killed; the next process on the file starts a second later.
	c.add(time.Second)
	next := member(s, "next", c, true)
	r := next.Role("sender")
	if err := next.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !holds(r, c.Now()) {
		t.Error("a lone process does not play the role at once")
	}
	if got, err := s.ClaimEvents(ctx, plusone.Claim{Worker: "next/events", Limit: 1, Lease: time.Minute, Now: c.Now()}); err != nil || len(got) != 1 {
		t.Errorf("the dead process's claim was not taken over at start: %v %v", got, err)
	}

	// A clean stop: Run leaves the store and the role is free for another.
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { next.Run(runCtx); close(done) }()
	stop()
	<-done
	if holds(r, c.Now()) {
		t.Error("a member that left still plays its role")
	}
	other := member(s, "other", c, false)
	ro := other.Role("sender")
	if err := other.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !holds(ro, c.Now()) {
		t.Error("the role of a member that left is not free")
	}
}
