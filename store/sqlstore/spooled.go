package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bits-and-blooms/bloom/v3"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/spool"
)

// A spooled store takes webhooks into a spool (package spool) instead of
// its inbox: a delivery is acknowledged once its record is on the disk,
// and a mover brings records into the inbox afterwards, in large batches,
// where the workers find them. The inbox's writer, its indexes and its
// transactions leave the webhook's path: intake costs a write and a share
// of an fdatasync. Only a store that one process uses can do this (SQLite
// with one `plusone serve`): the spool, its IDs and the keys it has not
// moved yet are that process's own.
//
// Duplicates are still answered at once: a delivery's (source, dedupe key)
// is looked for among the records not moved yet, then in the inbox; the
// mover drops a key from the first only after its commit made it visible
// in the second, and a delivery that looked at the inbox while a move
// happened looks again. A Bloom filter of every key the store holds spares
// a new delivery (nearly every one) the look-up in the inbox.
type spooled struct {
	log   *spool.Log
	wake  chan struct{} // capacity 1: records wait to be moved
	moved atomic.Pointer[func()]
	done  sync.WaitGroup

	rate   rateWindow // webhooks synced lately: IntakeBusy
	moving sync.Mutex // one move at a time
	// releasing is set while segments are being freed (releaseSpool):
	// one release at a time, beside the mover.
	releasing atomic.Bool
	reader    *spool.Reader // where the next move reads (moving held)

	mu      sync.Mutex
	next    int64              // the next event ID
	keys    map[spoolKey]int64 // records not moved yet: their IDs
	pending []spoolRef         // records not moved yet, in ID order
	gen     uint64             // moves so far
	// seen holds every key in the inbox or the spool (and, rarely, a key
	// that is in neither): a key it has not seen is no duplicate, and
	// needs no look-up in the inbox.
	seen *bloom.BloomFilter
}

type spoolKey struct{ source, dedupe string }

// spoolRef is what memory keeps of a record waiting in the spool: its body
// and headers stay on the disk till the mover reads them back.
type spoolRef struct {
	id         int64
	receivedAt int64 // Unix microseconds
}

func (k spoolKey) bytes() []byte { return []byte(k.source + "\x00" + k.dedupe) }

// seenCapacity and seenFalse size the filter of keys: room for this many
// keys (or twice those in the inbox at the start) at this rate of false
// "seen" answers, each of which costs one look-up. It holds about 1.2 MB per
// million keys; past its capacity it only answers "seen" more often.
const (
	seenCapacity = 2_000_000
	seenFalse    = 0.01
)

// inboxKeys returns a filter holding every key in the inbox.
func (s *Store) inboxKeys(ctx context.Context) (*bloom.BloomFilter, error) {
	var n int
	if err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM inbox`).Scan(&n); err != nil {
		return nil, fmt.Errorf("spool: count events: %w", err)
	}
	f := bloom.NewWithEstimates(uint(max(seenCapacity, 2*n)), seenFalse)
	rows, err := s.reader().query(ctx, `SELECT source, dedupe_key FROM inbox`)
	if err != nil {
		return nil, fmt.Errorf("spool: read event keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k spoolKey
		if err := rows.Scan(&k.source, &k.dedupe); err != nil {
			return nil, fmt.Errorf("spool: read event keys: %w", err)
		}
		f.Add(k.bytes())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("spool: read event keys: %w", err)
	}
	return f, nil
}

// The mover leaves records in the spool while webhooks arrive in a burst
// (IntakeBusy), so that intake has the CPU, unless this many wait or the
// oldest has waited moveDefer: the inbox is at most that far behind. A
// waiting record takes memory only for its key and ID (about 100 bytes);
// its body and headers stay on the disk (the page cache) till the mover
// reads them back. The cards of a burst's events wait for it to end (at
// most moveDefer), as the workers would yield to it (IntakeBusy) anyway.
const (
	moveBacklog = 200_000
	moveDefer   = 10 * time.Second
	moveTick    = 200 * time.Millisecond
	moveBatch   = 1024
	// spoolLimit bounds the events waiting in the spool: past it, while
	// the inbox cannot take them (its database stalled), webhooks get 503
	// and their senders retry.
	spoolLimit = 250_000
)

// StartSpool takes webhooks into a spool in dir from now on. It first moves
// whatever the spool holds from before (a crash, or a stop) into the inbox,
// durably. It must be called once, before the store is used; see spooled.
func (s *Store) StartSpool(ctx context.Context, dir string) error {
	log, recs, err := spool.Open(dir, s.watchSpool)
	if err != nil {
		return err
	}
	sp := &spooled{log: log, reader: log.Reader(), wake: make(chan struct{}, 1), keys: map[spoolKey]int64{}}
	if sp.seen, err = s.inboxKeys(ctx); err != nil {
		log.Close()
		return err
	}
	for _, r := range recs {
		sp.seen.Add(spoolKey{r.Source, r.DedupeKey}.bytes())
	}
	for len(recs) > 0 {
		n := min(len(recs), moveBatch)
		if err := s.moveRecords(ctx, durable, recs[:n]); err != nil {
			log.Close()
			return fmt.Errorf("move spooled events into the inbox: %w", err)
		}
		recs = recs[n:]
	}
	var last sql.NullInt64
	if err := s.w.QueryRowContext(ctx, `SELECT MAX(id) FROM inbox`).Scan(&last); err != nil {
		log.Close()
		return fmt.Errorf("spool: last event id: %w", err)
	}
	sp.next = last.Int64 + 1
	if err := log.Release(last.Int64); err != nil {
		log.Close()
		return err
	}
	s.spool = sp
	sp.done.Go(s.mover)
	return nil
}

// OnMoved sets f to be called after spooled events reached the inbox (the
// event workers' wake-up). It reports whether the store spools: if not, f
// is never called.
func (s *Store) OnMoved(f func()) bool {
	if s.spool == nil {
		return false
	}
	s.spool.moved.Store(&f)
	return true
}

// watchSpool tracks each sync of the spool for Ready and IntakeBusy.
func (s *Store) watchSpool() func(int, error) {
	start := time.Now()
	seq := s.health.begin(start)
	return func(n int, err error) {
		s.health.end(seq)
		switch {
		case err != nil:
			s.health.fail(time.Now(), err)
		default:
			s.health.ok(time.Now())
		}
		if sp := s.spool; sp != nil && sp.rate.add(time.Now(), n) {
			s.lastBurst.Store(start.UnixNano())
		}
	}
}

// burstRate is the rate of webhooks the spool takes for a burst: more than
// the workers apply (some hundreds a second), and far more than a busy
// contact center's steady flow. Group sizes cannot tell it: with the
// spool's fast syncs a burst comes in groups of a few records.
const (
	burstRate   = 1000 // a second
	burstWindow = 50 * time.Millisecond
)

// rateWindow counts the records synced in the current window.
type rateWindow struct {
	mu    sync.Mutex
	start time.Time
	n     int
}

// add counts n records synced at now; it reports whether the window holds
// a burst's worth.
func (w *rateWindow) add(now time.Time, n int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.start) > burstWindow {
		w.start, w.n = now, 0
	}
	w.n += n
	return w.n >= burstRate*int(burstWindow/time.Millisecond)/1000
}

// spoolEvent is AppendEvent on a spooled store.
func (s *Store) spoolEvent(ctx context.Context, ev *plusone.RawEvent) (bool, error) {
	sp := s.spool
	k := spoolKey{string(ev.Source), ev.DedupeKey}
	headers, err := encodeHeaders(ev.Headers)
	if err != nil {
		return false, fmt.Errorf("store event: encode headers: %w", err)
	}
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = time.Now()
	}
	var done <-chan error
	for {
		sp.mu.Lock()
		if id, ok := sp.keys[k]; ok {
			sp.mu.Unlock()
			ev.ID, ev.State = id, plusone.RawPending
			return true, nil
		}
		gen := sp.gen
		maybe := sp.seen.Test(k.bytes())
		sp.mu.Unlock()

		if maybe {
			var id int64
			var state string
			err := s.reader().queryRow(ctx, `SELECT id, state FROM inbox WHERE source = ? AND dedupe_key = ?`,
				string(ev.Source), ev.DedupeKey).Scan(&id, &state)
			switch {
			case err == nil:
				ev.ID, ev.State = id, state
				return true, nil
			case !errors.Is(err, sql.ErrNoRows):
				return false, fmt.Errorf("store event: look for a duplicate: %w", err)
			}
		}

		sp.mu.Lock()
		if id, ok := sp.keys[k]; ok {
			sp.mu.Unlock()
			ev.ID, ev.State = id, plusone.RawPending
			return true, nil
		}
		if sp.gen != gen {
			sp.mu.Unlock() // a move ended meanwhile: the key may have gone to the inbox
			continue
		}
		if len(sp.pending) >= spoolLimit {
			sp.mu.Unlock()
			return false, fmt.Errorf("store event: %d events wait to be moved into the inbox, which takes none now", len(sp.pending))
		}
		rec := &spool.Record{ID: sp.next, Source: k.source, DedupeKey: k.dedupe, Headers: string(headers),
			Body: ev.Body, ReceivedAt: ev.ReceivedAt.UnixMicro()}
		done, err = sp.log.Append(rec)
		if err != nil {
			sp.mu.Unlock()
			return false, fmt.Errorf("store event: %w", err)
		}
		sp.next++
		sp.keys[k] = rec.ID
		sp.seen.Add(k.bytes())
		sp.pending = append(sp.pending, spoolRef{id: rec.ID, receivedAt: rec.ReceivedAt})
		sp.mu.Unlock()
		ev.ID, ev.State = rec.ID, plusone.RawPending
		break
	}
	if err := spool.Wait(ctx, done); err != nil {
		// Perhaps not on the disk, perhaps not even written: the sender
		// retries, and its retry is appended again. If this record was
		// written after all, the mover brings both into the inbox, whose
		// unique key keeps the first.
		sp.forget(k, ev.ID)
		return false, fmt.Errorf("store event: %w", err)
	}
	if s.IntakeBusy() {
		// The mover leaves a burst in the spool anyway (moveSome): its
		// ticker looks again, and waking it for every webhook of a burst
		// would only cost the burst the CPU.
		return false, nil
	}
	select { // it is in the spool's file now, where the mover reads
	case sp.wake <- struct{}{}:
	default:
	}
	return false, nil
}

// forget drops a record its sender was refused for from the keys and the
// records waiting.
func (sp *spooled) forget(k spoolKey, id int64) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.keys[k] == id {
		delete(sp.keys, k)
	}
	if i, ok := slices.BinarySearchFunc(sp.pending, id, func(r spoolRef, id int64) int { return cmp.Compare(r.id, id) }); ok {
		sp.pending = slices.Delete(sp.pending, i, i+1)
	}
}

// mover moves spooled records into the inbox until the store closes, then
// once more, within the store's timeout, for what is left.
func (s *Store) mover() {
	sp := s.spool
	tick := time.NewTicker(moveTick)
	defer tick.Stop()
	for {
		select {
		case <-sp.wake:
		case <-tick.C:
		case <-s.closing:
			// What can be moved within the store's timeout is; the rest
			// waits in the spool for the next start.
			ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
			for s.moveSome(ctx, true) {
			}
			cancel()
			return
		}
		for s.moveSome(s.life, false) {
		}
	}
}

// moveSome moves one batch of spooled records into the inbox, unless it is
// better left for later (a burst); it reports whether more wait.
func (s *Store) moveSome(ctx context.Context, now bool) bool {
	sp := s.spool
	sp.moving.Lock()
	defer sp.moving.Unlock()
	sp.mu.Lock()
	n := len(sp.pending)
	if n == 0 {
		sp.mu.Unlock()
		return false
	}
	oldest := time.UnixMicro(sp.pending[0].receivedAt)
	if !now && n < moveBacklog && time.Since(oldest) < moveDefer && s.IntakeBusy() {
		sp.mu.Unlock()
		return false // the ticker comes back
	}
	sp.mu.Unlock()

	batch, next, err := sp.reader.Read(moveBatch)
	if err != nil {
		s.health.fail(time.Now(), err)
		return false // the ticker tries again
	}
	if len(batch) == 0 {
		return false // not in the file yet: its sync wakes the mover
	}
	// Committed without waiting for the disk, so that the workers hear of
	// the events at once; the spool keeps them until a flush made the
	// commit durable.
	mode := durable
	if s.flushes != nil {
		mode = replayable
	}
	if err := s.moveRecords(ctx, mode, batch); err != nil {
		return false // Ready reports the failure; the ticker tries again
	}
	sp.reader.Seek(next)
	last := batch[len(batch)-1].ID
	sp.mu.Lock()
	for _, r := range batch {
		if k := (spoolKey{r.Source, r.DedupeKey}); sp.keys[k] == r.ID {
			delete(sp.keys, k)
		}
	}
	// Every record up to the last one read is in the inbox now, or was
	// never written whole (its sender was refused and forgotten).
	i, found := slices.BinarySearchFunc(sp.pending, last, func(r spoolRef, id int64) int { return cmp.Compare(r.id, id) })
	if found {
		i++
	}
	sp.pending = sp.pending[i:]
	sp.gen++
	more := len(sp.pending) > 0
	sp.mu.Unlock()
	if f := sp.moved.Load(); f != nil {
		(*f)()
	}
	if !sp.log.Releasable(last) || !sp.releasing.CompareAndSwap(false, true) {
		// Nothing to free yet (or a release under way): the records stay
		// in the spool until a move frees their segment, after a flush
		// that makes every move before it durable. (A crash before then
		// moves them again; the inbox keeps the first of each.) In a
		// steady flow this spares each move an fdatasync of the
		// write-ahead log.
		return more
	}
	// That flush may take a while after many commits: it is waited for
	// beside the mover, which goes on moving meanwhile.
	sp.done.Go(func() {
		defer sp.releasing.Store(false)
		s.releaseSpool(ctx, last)
	})
	return more
}

// releaseSpool frees the spool's segments whose records, all up to last,
// are in the inbox, once a flush made their moves durable.
func (s *Store) releaseSpool(ctx context.Context, last int64) {
	if s.flushes != nil {
		if err := s.flushes.wait(ctx); err != nil {
			return // released with a later move
		}
	}
	if err := s.spool.log.Release(last); err != nil {
		s.health.fail(time.Now(), err)
	}
}

// moveRecords inserts recs into the inbox with their IDs, committed in
// mode. A record whose ID or key is there already is
// left out: it was moved before a crash.
//
// It goes first at the writer (urgent), as the group commit of webhooks
// did: behind it wait the workers it is about to wake.
func (s *Store) moveRecords(ctx context.Context, mode commitMode, recs []spool.Record) error {
	return s.writeTx(ctx, mode, true, func(x db) error {
		for len(recs) > 0 {
			n := rowsPerInsert(len(recs))
			args := make([]any, 0, 7*n)
			for _, r := range recs[:n] {
				args = append(args, r.ID, r.Source, r.DedupeKey, r.Headers, r.Body, r.ReceivedAt, r.ReceivedAt)
			}
			if _, err := x.exec(ctx, `INSERT INTO inbox (id, source, dedupe_key, headers, body, received_at, run_after, state)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`+strings.Repeat(`, (?, ?, ?, ?, ?, ?, ?, 'pending')`, n-1)+`
				ON CONFLICT DO NOTHING`, args...); err != nil {
				return err
			}
			recs = recs[n:]
		}
		return nil
	})
}

// Settle moves every event spooled so far into the inbox now, burst or
// not (tests, and callers that read the inbox right after appending). An
// append still waiting for its sync is waited for, within ctx and a few
// seconds.
func (s *Store) Settle(ctx context.Context) error {
	if s.spool == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		for s.moveSome(ctx, true) {
		}
		n, _ := s.spoolBacklog()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("settle: %d events could not be moved into the inbox: %w", n, ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

// spoolBacklog is how many events wait in the spool and the oldest's time.
func (s *Store) spoolBacklog() (int, time.Time) {
	if s.spool == nil {
		return 0, time.Time{}
	}
	sp := s.spool
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if len(sp.pending) == 0 {
		return 0, time.Time{}
	}
	return len(sp.pending), time.UnixMicro(sp.pending[0].receivedAt)
}

// closeSpool waits for the mover and closes the spool (after the appenders
// stopped: nothing appends any more).
func (s *Store) closeSpool() error {
	if s.spool == nil {
		return nil
	}
	s.spool.done.Wait()
	return errors.Join(s.spool.reader.Close(), s.spool.log.Close())
}
