package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// testInstancesSuite runs the tests of instances, roles and take-over.
func testInstancesSuite(t *testing.T, open Opener) {
	t.Run("Reap", func(t *testing.T) { testInstances(t, open) })
	t.Run("TakeOver", func(t *testing.T) { testTakeOver(t, open) })
	t.Run("Roles", func(t *testing.T) { testRoles(t, open) })
	t.Run("CardAttempt", func(t *testing.T) { testCardAttempt(t, open) })
}

// testInstances checks heartbeats and the take-over of a dead instance's
// work: its leases (events, cards, jobs, roles) and nobody else's, however
// its name compares with others' (prefixes, LIKE wildcards).
func testInstances(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	q := newLeases(t, s)
	// "a" and "a_b" die; "ab" and "aXb" live. LIKE 'a_b/%' would match
	// "aXb/…", and a prefix "a" without the slash would match "ab/…".
	for _, w := range []string{"a", "a_b", "ab", "aXb"} {
		q.hold(w)
	}
	for _, name := range []string{"a", "a_b", "ab", "aXb"} {
		must(t, s.Heartbeat(ctx, name, base))
	}
	if _, ok, err := s.HoldRole(ctx, "sender", "a", base, 6*time.Second); err != nil || !ok {
		t.Fatalf("first holder of a free role: ok %v, err %v", ok, err)
	}
	now := base.Add(10 * time.Second)
	must(t, s.Heartbeat(ctx, "ab", now))
	must(t, s.Heartbeat(ctx, "aXb", now))

	reaped, err := s.ReapInstances(ctx, now, now.Add(-6*time.Second), now.Add(-time.Hour))
	must(t, err)
	if !slices.Equal(reaped, []string{"a", "a_b"}) {
		t.Fatalf("reaped %v, want [a a_b]", reaped)
	}
	q.expectReleased(now, "a", "a_b")
	if _, ok, err := s.HoldRole(ctx, "sender", "ab", now, 6*time.Second); err != nil || !ok {
		t.Errorf("the role of a reaped instance was not given back: ok %v, err %v", ok, err)
	}
	if again, err := s.ReapInstances(ctx, now, now.Add(-6*time.Second), now.Add(-time.Hour)); err != nil || len(again) != 0 {
		t.Errorf("reaped again: %v, %v", again, err)
	}

	// A reaped instance that beats again is alive, and reaped again when it
	// dies again.
	later := now.Add(time.Second)
	must(t, s.Heartbeat(ctx, "a", later))
	if got, err := s.ReapInstances(ctx, later, now.Add(-6*time.Second), now.Add(-time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("reaped a live instance: %v, %v", got, err)
	}
	if got, err := s.ReapInstances(ctx, later, later.Add(time.Second), now.Add(-time.Hour)); err != nil ||
		!slices.Equal(got, []string{"a", "aXb", "ab"}) {
		t.Errorf("reaped %v (%v), want [a aXb ab]", got, err)
	}

	// An instance long silent is reaped before it is forgotten, so that its
	// leases are given back all the same.
	s2, _ := newStore(t, open)
	q2 := newLeases(t, s2)
	q2.hold("old")
	must(t, s2.Heartbeat(ctx, "old", base.Add(-2*time.Hour)))
	got, err := s2.ReapInstances(ctx, base, base.Add(-6*time.Second), base.Add(-time.Hour))
	must(t, err)
	if !slices.Equal(got, []string{"old"}) {
		t.Errorf("reaped %v, want [old]", got)
	}
	q2.expectReleased(base, "old")

	// An instance that left (its shutdown timed out with work in hand) is
	// reaped at the next beat of another, however recent its last beat.
	q2.hold("gone")
	must(t, s2.Heartbeat(ctx, "gone", base))
	must(t, s2.Leave(ctx, "gone"))
	got, err = s2.ReapInstances(ctx, base, base.Add(-6*time.Second), base.Add(-time.Hour))
	must(t, err)
	if !slices.Equal(got, []string{"gone"}) {
		t.Errorf("reaped %v after Leave, want [gone]", got)
	}
	q2.expectReleased(base, "gone")

	if err := s.Heartbeat(ctx, "bad/name", base); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("instance name with a slash: %v", err)
	}
}

// testTakeOver checks that a lone process takes over every lease but its
// own at once.
func testTakeOver(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	q := newLeases(t, s)
	for _, w := range []string{"me", "x", "y"} {
		q.hold(w)
	}
	must(t, s.Heartbeat(ctx, "x", base))
	must(t, s.Heartbeat(ctx, "y", base))
	if _, ok, err := s.HoldRole(ctx, "sender", "x", base, time.Minute); err != nil || !ok {
		t.Fatalf("hold role: %v %v", ok, err)
	}
	now := base.Add(time.Second) // every lease still runs
	others, err := s.TakeOver(ctx, "me", now)
	must(t, err)
	if !slices.Equal(others, []string{"x", "y"}) {
		t.Errorf("took over from %v, want [x y]", others)
	}
	q.expectReleased(now, "x", "y")
	if _, ok, err := s.HoldRole(ctx, "sender", "me", now, time.Minute); err != nil || !ok {
		t.Errorf("role not taken over: ok %v, err %v", ok, err)
	}
	if got, err := s.ReapInstances(ctx, now, now.Add(time.Hour), base.Add(-time.Hour)); err != nil || len(got) != 0 {
		t.Errorf("instances taken over are reaped again: %v, %v", got, err)
	}
}

// testRoles checks the election of one holder by lease.
func testRoles(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	const ttl = 6 * time.Second
	hold := func(holder string, at time.Time, wantOK bool, wantSince time.Time) {
		t.Helper()
		since, ok, err := s.HoldRole(ctx, "sender", holder, at, ttl)
		must(t, err)
		if ok != wantOK || (ok && !since.Equal(wantSince)) {
			t.Fatalf("%s at %v: ok %v since %v, want %v since %v", holder, at.Sub(base), ok, since.Sub(base), wantOK, wantSince.Sub(base))
		}
	}
	hold("a", base, true, base)
	hold("b", base.Add(time.Second), false, time.Time{})
	renewed := base.Add(2 * time.Second)
	hold("a", renewed, true, base) // a renewal keeps the term's start
	hold("b", renewed.Add(ttl-time.Microsecond), false, time.Time{})
	taken := renewed.Add(ttl)
	hold("b", taken, true, taken)
	hold("a", taken.Add(time.Second), false, time.Time{})
	// b's term runs out with nobody waiting: b holds it again, anew.
	again := taken.Add(time.Hour)
	hold("b", again, true, again)
	must(t, s.Leave(ctx, "b"))
	hold("a", again.Add(time.Second), true, again.Add(time.Second))

	// Many candidates at once: exactly one wins.
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		won []string
	)
	at := base.Add(48 * time.Hour)
	for i := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("c%d", i)
			_, ok, err := s.HoldRole(context.Background(), "race", name, at, ttl)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				won = append(won, name)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(won) != 1 {
		t.Errorf("holders of one role at once: %v", won)
	}
}

// testCardAttempt checks that a card in doubt says when the first attempt
// of its doubt began.
func testCardAttempt(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	ref := plusone.CardState{Key: "generic:1", CustomerID: jane.ID, Source: plusone.SourceGeneric, TicketID: "1", Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base) })
	at := base
	next := func(wantAttempt time.Time, why string) {
		t.Helper()
		at = at.Add(time.Hour) // past any lease
		cards := cardClaim(t, s, "d", at)
		if len(cards) != 1 {
			t.Fatalf("%s: claimed %d cards", why, len(cards))
		}
		if c := cards[0]; !c.AttemptAt.Equal(wantAttempt) || c.InDoubt != !wantAttempt.IsZero() {
			t.Errorf("%s: in doubt %v since %v, want since %v", why, c.InDoubt, c.AttemptAt, wantAttempt)
		}
	}
	next(time.Time{}, "first claim")
	first := at
	next(first, "after a lost lease")
	next(first, "after a second lost lease: the first attempt may have posted")
	must(t, s.RetryCard(ctx, ref.Key, "d", at, "ratelimited", false))
	next(time.Time{}, "after a failure that surely did not post")
	second := at
	must(t, s.RetryCard(ctx, ref.Key, "d", at, "timeout", true))
	next(second, "after a failure that may have posted")
}

// leases is one item of each queue (an inbox event, a card, a job) leased
// to a worker of each of some instances, to check which a take-over gives
// back.
type leases struct {
	t      *testing.T
	s      plusone.Store
	events map[string]int64  // instance -> its event
	cards  map[string]string // instance -> its card
	jobs   map[string]int64  // instance -> its job
	n      int
}

func newLeases(t *testing.T, s plusone.Store) *leases {
	return &leases{t: t, s: s, events: map[string]int64{}, cards: map[string]string{}, jobs: map[string]int64{}}
}

// hold leases a new event, card and job to workers of instance for a minute
// from base.
func (q *leases) hold(instance string) {
	t, s, ctx := q.t, q.s, context.Background()
	t.Helper()
	q.n++
	ev := raw(plusone.SourceGeneric, fmt.Sprintf("lease-%d", q.n))
	if _, err := s.AppendEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	evs := claim(t, s, instance+"/events", 1, base)
	if len(evs) != 1 || evs[0].ID != ev.ID {
		t.Fatalf("claimed %v, want event %d", evs, ev.ID)
	}
	q.events[instance] = ev.ID

	c := newCustomer(t, s, "Lease "+instance, fmt.Sprintf("lease%d@example.com", q.n))
	card := plusone.CardState{Key: fmt.Sprintf("generic:L%d", q.n), CustomerID: c.ID, Source: plusone.SourceGeneric,
		TicketID: fmt.Sprintf("L%d", q.n), Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, card, base) })
	if cards := cardClaim(t, s, instance+"/cards", base); len(cards) != 1 || cards[0].Key != card.Key {
		t.Fatalf("claimed %v, want card %s", cards, card.Key)
	}
	q.cards[instance] = card.Key

	job := &plusone.Job{Kind: "lease-test", Key: fmt.Sprintf("lease-job-%d", q.n)}
	update(t, s, func(tx plusone.Tx) error {
		_, err := tx.EnqueueJob(ctx, job, base)
		return err
	})
	jobs, err := s.ClaimJobs(ctx, "lease-test", plusone.Claim{Worker: instance + "/jobs", Limit: 1, Lease: time.Minute, Now: base})
	must(t, err)
	if len(jobs) != 1 || jobs[0].ID != job.ID {
		t.Fatalf("claimed %v, want job %d", jobs, job.ID)
	}
	q.jobs[instance] = job.ID
}

// expectReleased claims everything claimable at now and checks that it is
// exactly the work of the instances named.
func (q *leases) expectReleased(now time.Time, instances ...string) {
	t, s, ctx := q.t, q.s, context.Background()
	t.Helper()
	var wantEvents, wantJobs []int64
	var wantCards []string
	for _, in := range instances {
		wantEvents = append(wantEvents, q.events[in])
		wantCards = append(wantCards, q.cards[in])
		wantJobs = append(wantJobs, q.jobs[in])
	}
	var gotEvents, gotJobs []int64
	var gotCards []string
	for _, ev := range claim(t, s, "taker/events", 100, now) {
		gotEvents = append(gotEvents, ev.ID)
	}
	for _, c := range cardClaim(t, s, "taker/cards", now) {
		gotCards = append(gotCards, c.Key)
	}
	jobs, err := s.ClaimJobs(ctx, "lease-test", plusone.Claim{Worker: "taker/jobs", Limit: 100, Lease: time.Minute, Now: now})
	must(t, err)
	for _, j := range jobs {
		gotJobs = append(gotJobs, j.ID)
	}
	slices.Sort(wantEvents)
	slices.Sort(gotEvents)
	slices.Sort(wantJobs)
	slices.Sort(gotJobs)
	slices.Sort(wantCards)
	slices.Sort(gotCards)
	if !slices.Equal(gotEvents, wantEvents) || !slices.Equal(gotCards, wantCards) || !slices.Equal(gotJobs, wantJobs) {
		t.Errorf("released events %v cards %v jobs %v; want those of %v: events %v cards %v jobs %v",
			gotEvents, gotCards, gotJobs, instances, wantEvents, wantCards, wantJobs)
	}
}
