package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/spool"
	"github.com/plusone-hq/plusone/store/sqlite"
	"github.com/plusone-hq/plusone/store/sqlstore"
)

// What a process acknowledged from its spool but had not moved into the
// inbox when it died is moved at the next start, under the IDs it was
// acknowledged with; redeliveries of it are duplicates, and new events get
// later IDs.
func TestSpoolLeftByACrashIsMovedAtStart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plusone.db")
	dir := path + ".spool"

	s, err := sqlite.Open(ctx, path, sqlstore.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	first := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "before", Body: []byte(`{"id":"before"}`)}
	if _, err := s.AppendEvent(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// A crashed process's spool: records acknowledged, never moved.
	log, _, err := spool.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i := range int64(40) {
		done, err := log.Append(&spool.Record{ID: first.ID + 1 + i, Source: "generic", DedupeKey: fmt.Sprint("crash-", i),
			Headers: `{"X-Test":["1"]}`, Body: fmt.Appendf(nil, `{"id":"crash-%d"}`, i), ReceivedAt: at.UnixMicro()})
		if err != nil {
			t.Fatal(err)
		}
		if err := spool.Wait(ctx, done); err != nil {
			t.Fatal(err)
		}
	}
	log.Close()

	s, err = sqlite.Open(ctx, path, sqlstore.WithSpool(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.InboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 41 {
		t.Fatalf("pending after the restart: %d, want 41", st.Pending)
	}
	again := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "crash-7", Body: []byte(`{}`)}
	dup, err := s.AppendEvent(ctx, again)
	if err != nil || !dup || again.ID != first.ID+8 {
		t.Fatalf("redelivery of a spooled event: dup=%v id=%d err=%v, want a duplicate with id %d", dup, again.ID, err, first.ID+8)
	}
	old := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "before", Body: []byte(`{}`)}
	if dup, err := s.AppendEvent(ctx, old); err != nil || !dup || old.ID != first.ID {
		t.Fatalf("redelivery of an event in the inbox before the restart: dup=%v id=%d err=%v", dup, old.ID, err)
	}
	fresh := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "after", Body: []byte(`{}`)}
	if dup, err := s.AppendEvent(ctx, fresh); err != nil || dup || fresh.ID != first.ID+41 {
		t.Fatalf("new event after the restart: dup=%v id=%d err=%v, want id %d", dup, fresh.ID, err, first.ID+41)
	}
	evs, err := s.ClaimEvents(ctx, plusone.Claim{Worker: "w", Limit: 100, Lease: time.Minute, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) < 41 {
		t.Fatalf("claimed %d events, want at least the 41 from before", len(evs))
	}
	for _, ev := range evs {
		if ev.DedupeKey == "crash-3" && (string(ev.Body) != `{"id":"crash-3"}` || ev.Headers.Get("X-Test") != "1" || !ev.ReceivedAt.Equal(at)) {
			t.Fatalf("a moved event changed: %+v", ev)
		}
	}
	// A second serving process on the same file is refused.
	if _, err := sqlite.Open(ctx, path, sqlstore.WithSpool(dir)); err == nil {
		t.Fatal("a second process opened the same spool")
	}
}

// While webhooks arrive in a burst, the mover leaves them in the spool for
// a while (moveDefer) but never loses or doubles one; Settle brings them
// in at once.
func TestSpoolUnderBurst(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plusone.db")
	s, err := sqlite.Open(ctx, path, sqlstore.WithSpool(path+".spool"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	moved := make(chan struct{}, 1)
	s.OnMoved(func() {
		select {
		case moved <- struct{}{}:
		default:
		}
	})
	const n = 3000
	errs := make(chan error, 32)
	for c := range 32 {
		go func() {
			var err error
			for i := c; i < n && err == nil; i += 32 {
				ev := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: fmt.Sprint("b-", i%(n-100)), Body: []byte(`{}`)}
				_, err = s.AppendEvent(ctx, ev)
			}
			errs <- err
		}()
	}
	for range 32 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-moved:
	default:
		t.Fatal("OnMoved was never called")
	}
	st, err := s.InboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != n-100 {
		t.Fatalf("%d events in the inbox, want %d (100 keys were sent twice)", st.Pending, n-100)
	}
}

// A sender whose append was not confirmed (here its context ended before
// the sync) is refused and retries; the retry is taken as a new delivery,
// not answered "duplicate" for a record that might never reach the disk,
// and the inbox ends with the event once.
func TestSpoolRefusedAppendIsRetried(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plusone.db")
	s, err := sqlite.Open(ctx, path, sqlstore.WithSpool(path+".spool"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ended, cancel := context.WithCancel(ctx)
	cancel()
	key := ""
	for i := range 50 { // the sync may win the race with the ended context
		ev := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: fmt.Sprint("refused-", i), Body: []byte(`{}`)}
		if _, err := s.AppendEvent(ended, ev); err != nil {
			key = ev.DedupeKey
			break
		}
	}
	if key == "" {
		t.Skip("every append beat its ended context")
	}
	retry := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: key, Body: []byte(`{}`)}
	dup, err := s.AppendEvent(ctx, retry)
	if err != nil || dup {
		t.Fatalf("the retry of a refused append: dup=%v err=%v, want a new delivery", dup, err)
	}
	if err := s.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := s.ClaimEvents(ctx, plusone.Claim{Worker: "w", Limit: 100, Lease: time.Minute, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.DedupeKey == key {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d events with the refused key in the inbox, want 1", n)
	}
	if again, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: key, Body: []byte(`{}`)}); err != nil || !again {
		t.Fatalf("a third delivery: dup=%v err=%v, want a duplicate", again, err)
	}
}
