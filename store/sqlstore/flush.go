package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Flusher makes every transaction committed so far survive a power
// failure, where commits do not wait for the disk themselves (SQLite in
// WAL mode with synchronous=NORMAL: an fdatasync of the write-ahead log).
type Flusher interface {
	Flush() error
	Close() error
}

// flushQueue holds group commits of appended events that are committed but
// not yet on the disk. Their callers are answered after a flush that
// began after their commit, while the writer goes on to the next group
// commit: committing and waiting for the disk overlap (a pipelined group
// commit), and one flush serves every commit made before it.
type flushQueue struct {
	f       Flusher
	mu      sync.Mutex
	pending []appendReq
	wake    chan struct{} // capacity 1: a flush is wanted
	stop    chan struct{} // closed once the appenders have stopped
	ended   chan struct{} // closed when the flusher has made its last flush
	once    sync.Once
	done    sync.WaitGroup
}

func newFlushQueue(f Flusher) *flushQueue {
	return &flushQueue{f: f, wake: make(chan struct{}, 1), stop: make(chan struct{}), ended: make(chan struct{})}
}

// add queues a committed batch for the next flush.
func (q *flushQueue) add(batch []appendReq) {
	q.mu.Lock()
	q.pending = append(q.pending, batch...)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// wait returns after a flush that began after it was called: every
// transaction committed before then is on the disk. It gives up when ctx
// ends.
func (q *flushQueue) wait(ctx context.Context) error {
	req := appendReq{done: make(chan appendRes, 1)} // no event: a flush only
	q.add([]appendReq{req})
	select {
	case r := <-req.done:
		return r.err
	case <-ctx.Done():
		return fmt.Errorf("wait for the disk: %w", ctx.Err())
	case <-q.ended:
		select {
		case r := <-req.done: // the last flush served it
			return r.err
		default:
			return errors.New("wait for the disk: the store is closed")
		}
	}
}

// flusher flushes and answers queued batches until stop is closed, then
// once more for whatever the appenders queued last.
func (s *Store) flusher() {
	q := s.flushes
	defer close(q.ended)
	for {
		select {
		case <-q.wake:
			s.flushPending()
		case <-q.stop:
			s.flushPending()
			return
		}
	}
}

// flushPending flushes once for every batch queued so far and answers
// their callers: stored, or the flush's error (the sender retries, and a
// redelivery of an event that did reach the disk is a duplicate).
func (s *Store) flushPending() {
	q := s.flushes
	q.mu.Lock()
	batch := q.pending
	q.pending = nil
	q.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	// No burst is told here: what waits for a flush is mostly the workers'
	// own commits, and intake counts its webhooks itself (appendRun, or
	// the spool's syncs).
	seq := s.health.begin(time.Now())
	err := q.f.Flush()
	s.health.end(seq)
	if err != nil && s.life.Err() == nil {
		// The disk refused what was committed: intake cannot store events.
		s.health.fail(time.Now(), err)
	}
	answer(batch, err)
}

// closeFlushes stops the flusher after the appenders have stopped, and
// closes the Flusher.
func (s *Store) closeFlushes() error {
	q := s.flushes
	if q == nil {
		return nil
	}
	var err error
	q.once.Do(func() {
		close(q.stop)
		q.done.Wait()
		err = q.f.Close()
	})
	return err
}
