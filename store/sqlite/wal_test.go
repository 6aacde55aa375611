package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/sqlstore"
)

// heldFlusher wraps the store's own flusher: each flush waits for a word
// on release, and reports itself on called; fail makes it fail.
type heldFlusher struct {
	sqlstore.Flusher
	called  chan struct{}
	release chan struct{}
	mu      sync.Mutex
	fail    error
}

func (h *heldFlusher) Flush() error {
	h.called <- struct{}{}
	<-h.release
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil {
		return h.fail
	}
	return h.Flusher.Flush()
}

func openHeld(t *testing.T) (*sqlstore.Store, *heldFlusher) {
	t.Helper()
	h := &heldFlusher{called: make(chan struct{}, 16), release: make(chan struct{})}
	s, err := open(context.Background(), filepath.Join(t.TempDir(), "plusone.db"), nil, func(o *sqlstore.Options) {
		if o.Flusher == nil {
			t.Fatal("a WAL database has no flusher")
		}
		h.Flusher = o.Flusher
		o.Flusher = h
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, h
}

// A stored webhook is answered only after the write-ahead log was synced
// once its group commit was made: the commit itself does not wait for the
// disk, the answer does.
func TestAppendAnsweredAfterTheFlush(t *testing.T) {
	t.Parallel()
	s, h := openHeld(t)
	defer s.Close()
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "evt-1", Body: []byte(`{}`)})
		done <- err
	}()
	<-h.called // committed, and the flush has begun
	select {
	case err := <-done:
		t.Fatalf("answered (%v) before the write-ahead log was synced", err)
	default:
	}
	// The commit is there for readers already; its answer waits.
	st, err := s.InboxStats(ctx)
	if err != nil || st.Pending != 1 {
		t.Fatalf("before the flush: %+v, %v; want the event committed", st, err)
	}
	close(h.release)
	if err := <-done; err != nil {
		t.Fatalf("after the flush: %v", err)
	}
	// A redelivery is a duplicate (it goes through a flush as well).
	dup, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "evt-1", Body: []byte(`{}`)})
	if err != nil || !dup {
		t.Fatalf("redelivery: dup=%v err=%v", dup, err)
	}
}

// A flush that fails (an I/O error from the disk) fails the appends it
// covers, so that their senders retry, and Ready says the store cannot
// write; a redelivery after the disk recovers is a duplicate of the
// committed event, never a second one.
func TestFailedFlushFailsTheAppend(t *testing.T) {
	t.Parallel()
	s, h := openHeld(t)
	defer s.Close()
	ctx := context.Background()
	h.fail = errors.New("input/output error")
	close(h.release)
	_, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "evt-1", Body: []byte(`{}`)})
	if err == nil || !strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("append with a failing disk: %v, want the flush's error", err)
	}
	if err := s.Ready(ctx); err == nil {
		t.Error("Ready after a failed flush: nil, want an error")
	}
	h.mu.Lock()
	h.fail = nil
	h.mu.Unlock()
	dup, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "evt-1", Body: []byte(`{}`)})
	if err != nil || !dup {
		t.Fatalf("redelivery after the disk recovered: dup=%v err=%v, want a duplicate", dup, err)
	}
}

// Many concurrent appends share flushes: every one is answered, each once,
// and there are fewer flushes than appends.
func TestFlushesServeManyAppends(t *testing.T) {
	t.Parallel()
	s, h := openHeld(t)
	defer s.Close()
	ctx := context.Background()
	var flushes int
	stop := make(chan struct{})
	var counted sync.WaitGroup
	counted.Go(func() {
		for {
			select {
			case <-h.called:
				flushes++
				h.release <- struct{}{}
			case <-stop:
				return
			}
		}
	})
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: fmt.Sprint("evt-", i), Body: []byte(`{}`)})
			errs <- err
		})
	}
	wg.Wait()
	close(stop)
	counted.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.InboxStats(ctx)
	if err != nil || st.Pending != n {
		t.Fatalf("stored %+v, %v; want %d", st, err, n)
	}
	if flushes == 0 || flushes >= n {
		t.Errorf("%d flushes for %d appends: want at least one, and fewer than the appends", flushes, n)
	}
	t.Logf("%d appends, %d flushes", n, flushes)
}

// The flusher syncs the log SQLite writes to, and finds it again after
// the log was deleted and made anew (every connection closed, then a new
// one opened).
func TestWALFlusherFollowsTheLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := &walFlusher{path: filepath.Join(dir, "x.db-wal")}
	defer w.Close()
	if err := w.Flush(); err == nil {
		t.Fatal("flush without a log: nil, want an error")
	}
	if err := os.WriteFile(w.path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	first := w.f
	if err := os.Remove(w.path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.path, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if w.f == first {
		t.Error("the flusher kept syncing the deleted log")
	}
}

// A durable transaction (a click, a posted card's record) commits without
// holding the writer through the disk's wait, and returns only after a
// flush that began after its commit.
func TestDurableUpdateWaitsForTheFlush(t *testing.T) {
	t.Parallel()
	s, h := openHeld(t)
	defer s.Close()
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		done <- s.Update(ctx, func(tx plusone.Tx) error {
			return tx.Audit(ctx, "U1", "test", "flush", "ok", time.Now())
		})
	}()
	<-h.called
	select {
	case err := <-done:
		t.Fatalf("Update returned (%v) before the write-ahead log was synced", err)
	default:
	}
	// The writer is free meanwhile: a stored webhook commits (its answer
	// waits for the next flush).
	appended := make(chan error, 1)
	go func() {
		_, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "evt-1", Body: []byte(`{}`)})
		appended <- err
	}()
	close(h.release)
	if err := <-done; err != nil {
		t.Fatalf("Update after the flush: %v", err)
	}
	if err := <-appended; err != nil {
		t.Fatal(err)
	}
}

// countingFlusher counts the store's flushes of its write-ahead log.
type countingFlusher struct {
	sqlstore.Flusher
	mu sync.Mutex
	n  int
}

func (c *countingFlusher) Flush() error {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.Flusher.Flush()
}

func (c *countingFlusher) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// Moving spooled webhooks into the inbox does not wait for the disk while
// no spool segment can be freed: the records stay in the spool until then,
// and a steady flow of webhooks costs no fdatasync of the write-ahead log.
func TestSpoolMovesWithoutFlushingTillASegmentIsFreed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plusone.db")
	c := &countingFlusher{}
	s, err := open(ctx, path, nil, sqlstore.WithSpool(path+".spool"), func(o *sqlstore.Options) {
		c.Flusher = o.Flusher
		o.Flusher = c
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 20 {
		if _, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: fmt.Sprint("evt-", i),
			Body: fmt.Appendf(nil, `{"id":"evt-%d"}`, i)}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := s.InboxStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Pending == 20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("inbox %+v after 10 s, want the 20 events moved", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := c.count(); n != 0 {
		t.Errorf("%d flushes of the write-ahead log for moves that freed no segment", n)
	}
}
