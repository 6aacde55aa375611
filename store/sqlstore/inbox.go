package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plusone-hq/plusone"
)

// AppendEvent stores a raw event once per (source, dedupe key). Concurrent
// calls are committed together (group commit): the appender goroutine
// takes every request waiting and writes them in one transaction, so that
// one fsync serves them all; each call returns only after its event is
// committed and on the disk (with a Flusher, after the flush that follows
// its commit).
//
// The batch is given up at the latest of its callers' deadlines (within the
// store's timeout): nobody waits for it longer.
func (s *Store) AppendEvent(ctx context.Context, ev *plusone.RawEvent) (bool, error) {
	ev.DedupeKey = storableKey(ev.DedupeKey)
	if s.spool != nil {
		return s.spoolEvent(ctx, ev)
	}
	// Encoded here, by each caller, so that the one appender only inserts.
	headers, err := encodeHeaders(ev.Headers)
	if err != nil {
		return false, fmt.Errorf("store event: encode headers: %w", err)
	}
	if ev.ReceivedAt.IsZero() {
		ev.ReceivedAt = time.Now()
	}
	req := appendReq{ev: ev, headers: string(headers), done: make(chan appendRes, 1)}
	req.deadline, _ = ctx.Deadline()
	select {
	case s.appends <- req:
	case <-s.closing:
		return false, errors.New("store is closed")
	case <-ctx.Done():
		return false, ctx.Err()
	}
	select {
	case r := <-req.done:
		return r.dup, r.err
	case <-ctx.Done():
		// The event may still be committed; the sender will retry and be
		// told it is a duplicate.
		return false, ctx.Err()
	}
}

type appendReq struct {
	ev       *plusone.RawEvent
	headers  string    // ev.Headers as JSON
	deadline time.Time // the caller's; zero for none
	dup      bool      // set by the appender
	done     chan appendRes
}

type appendRes struct {
	dup bool
	err error
}

// maxAppendBatch bounds one group commit.
const maxAppendBatch = 256

// concurrentAppenders is how many group commits may be in flight on a
// database that takes concurrent writers.
const concurrentAppenders = 4

// On a single-writer database the appender keeps the writer between group
// commits while webhooks keep coming: after a commit of several, it waits
// up to appendLinger for the next ones, for at most appendRun in all, so
// that a burst of webhooks is not made to wait for an event being applied
// between each two commits. Applying waits instead: a sender waiting for
// its answer comes before a card a few milliseconds later.
const (
	appendLinger = 2 * time.Millisecond
	appendRun    = 25 * time.Millisecond
)

// appender commits waiting appends in batches until the store closes.
func (s *Store) appender() {
	for {
		var batch []appendReq
		select {
		case req := <-s.appends:
			batch = append(batch, req)
		case <-s.closing:
			return
		}
		s.appendRun(s.moreAppends(batch, 0))
	}
}

// moreAppends adds to batch the appends waiting, and those arriving within
// linger, up to maxAppendBatch.
func (s *Store) moreAppends(batch []appendReq, linger time.Duration) []appendReq {
	var timeout <-chan time.Time
	if linger > 0 {
		t := time.NewTimer(linger)
		defer t.Stop()
		timeout = t.C
	}
	for len(batch) < maxAppendBatch {
		select {
		case req := <-s.appends:
			batch = append(batch, req)
			continue
		default:
		}
		if len(batch) > 0 || timeout == nil {
			return batch
		}
		select {
		case req := <-s.appends:
			batch = append(batch, req)
		case <-timeout:
			return batch
		case <-s.closing:
			return batch
		}
	}
	return batch
}

// burstBatch is the size of a group commit that says webhooks are arriving
// faster than they can be committed one by one: a burst (IntakeBusy).
const burstBatch = 8

// burstHold is how long a burst is taken to last after its last big group
// commit.
const burstHold = 50 * time.Millisecond

// IntakeBusy reports whether webhooks are arriving in a burst now, so that
// background work may give intake the CPU and the writer for a while.
func (s *Store) IntakeBusy() bool {
	last := s.lastBurst.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < burstHold
}

// appendRun commits batch durably and, on a single-writer database, the
// batches that follow it closely, on one writer connection. It gives up at
// the latest deadline of the first batch's callers (within the store's
// timeout), or when the store closes.
func (s *Store) appendRun(batch []appendReq) {
	ctx, cancel := context.WithDeadline(s.life, batchDeadline(batch, time.Now().Add(s.timeout)))
	defer cancel()
	start := time.Now()
	if len(batch) >= burstBatch {
		s.lastBurst.Store(start.UnixNano())
	}
	if s.d.InsertInbox != "" && s.flushes == nil {
		// One statement, which commits by itself: one round trip, on
		// whichever connection of the pool is free.
		seq := s.health.begin(time.Now())
		err := insertBatch(ctx, s.writer(), batch)
		s.health.end(seq)
		s.recordAppend(err)
		answer(batch, err)
		return
	}
	// With a Flusher the commits need not wait for the disk: the flusher
	// answers them after its next flush, while this goes on committing.
	mode := durable
	if s.flushes != nil {
		mode = replayable
	}
	err := s.withConn(ctx, s.w, true, true, func(conn *sql.Conn) error {
		return s.withMode(ctx, conn, mode, func() error {
			for {
				seq := s.health.begin(time.Now())
				err := s.txOn(ctx, conn, s.wc, mode, func(x db) error { return insertBatch(ctx, x, batch) })
				s.health.end(seq)
				s.recordAppend(err)
				if err == nil && s.flushes != nil {
					s.flushes.add(batch)
				} else {
					answer(batch, err)
				}
				if err != nil || s.gate == nil || len(batch) < 2 || time.Since(start) > appendRun {
					batch = nil
					return nil
				}
				if batch = s.moreAppends(nil, appendLinger); len(batch) == 0 {
					return nil
				}
			}
		})
	})
	if err != nil && batch != nil {
		s.recordAppend(err)
		answer(batch, err)
	}
}

// batchDeadline is the latest deadline of the batch's callers, or limit
// when one has none or a later one.
func batchDeadline(batch []appendReq, limit time.Time) time.Time {
	var latest time.Time
	for _, req := range batch {
		if req.deadline.IsZero() {
			return limit
		}
		if req.deadline.After(latest) {
			latest = req.deadline
		}
	}
	if latest.After(limit) {
		return limit
	}
	return latest
}

// storableKey is a dedupe key as the inbox keeps it: as it is when it is
// UTF-8 without NUL, else quoted in Go's syntax (\xff, \x00), which is.
// PostgreSQL's text takes neither, a key taken from a header may hold any
// byte, and one from JSON a \u0000: such a key failed its own event and
// every other of its group commit, on each of its sender's retries. Two
// keys never share a quoted form; a UTF-8 key could only by being that
// form itself.
func storableKey(k string) string {
	if utf8.ValidString(k) && strings.IndexByte(k, 0) < 0 {
		return k
	}
	return strconv.Quote(k)
}

// insertBatch inserts each event of batch, noting the duplicates: in one
// statement where the dialect has one for any number (InsertInbox), else
// in statements of several rows, of a few sizes only, so that few
// statements are prepared.
func insertBatch(ctx context.Context, x db, batch []appendReq) error {
	// In key order, so that concurrent group commits holding the same keys
	// (a webhook delivered twice at once) wait for each other instead of
	// deadlocking.
	// (Sorted in place: each request carries its own answer channel.)
	slices.SortFunc(batch, func(a, b appendReq) int {
		return cmp.Or(strings.Compare(string(a.ev.Source), string(b.ev.Source)), strings.Compare(a.ev.DedupeKey, b.ev.DedupeKey))
	})
	if x.d.InsertInbox != "" {
		return insertRaws(ctx, x, batch)
	}
	for len(batch) > 0 {
		n := rowsPerInsert(len(batch))
		if err := insertRaws(ctx, x, batch[:n]); err != nil {
			return err
		}
		batch = batch[n:]
	}
	return nil
}

// rowsPerInsert is how many of n rows waiting go into the next INSERT: one
// of a few sizes only, so that few statements are prepared.
func rowsPerInsert(n int) int {
	for _, size := range []int{32, 8} {
		if n >= size {
			return size
		}
	}
	return 1
}

// insertRaws inserts the events of reqs in one statement; those whose
// (source, dedupe key) is stored already, or comes earlier in reqs, are
// duplicates and get the stored event's id and state.
func insertRaws(ctx context.Context, x db, reqs []appendReq) error {
	var rows *sql.Rows
	var err error
	if x.d.InsertInbox != "" {
		sources, keys, headers := make([]string, len(reqs)), make([]string, len(reqs)), make([]string, len(reqs))
		bodies, received := make([][]byte, len(reqs)), make([]int64, len(reqs))
		for i, r := range reqs {
			sources[i], keys[i], headers[i] = string(r.ev.Source), r.ev.DedupeKey, r.headers
			bodies[i], received[i] = r.ev.Body, r.ev.ReceivedAt.UnixMicro()
		}
		rows, err = x.query(ctx, x.d.InsertInbox, sources, keys, headers, bodies, received)
	} else {
		args := make([]any, 0, 6*len(reqs))
		for _, r := range reqs {
			at := ts(r.ev.ReceivedAt)
			args = append(args, string(r.ev.Source), r.ev.DedupeKey, r.headers, r.ev.Body, at, at)
		}
		rows, err = x.query(ctx, `INSERT INTO inbox (source, dedupe_key, headers, body, received_at, run_after, state)
			VALUES (?, ?, ?, ?, ?, ?, 'pending')`+strings.Repeat(`, (?, ?, ?, ?, ?, ?, 'pending')`, len(reqs)-1)+`
			ON CONFLICT (source, dedupe_key) DO NOTHING
			RETURNING id, source, dedupe_key`, args...)
	}
	if err != nil {
		return err
	}
	type key struct{ source, dedupe string }
	inserted := map[key]int64{}
	for rows.Next() {
		var k key
		var id int64
		if err := rows.Scan(&id, &k.source, &k.dedupe); err != nil {
			rows.Close()
			return err
		}
		inserted[k] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range reqs {
		ev := reqs[i].ev
		k := key{string(ev.Source), ev.DedupeKey}
		if id, ok := inserted[k]; ok {
			ev.ID, ev.State = id, plusone.RawPending
			delete(inserted, k) // a second request with the key is a duplicate
			continue
		}
		err := x.queryRow(ctx, `SELECT id, state FROM inbox WHERE source = ? AND dedupe_key = ?`,
			string(ev.Source), ev.DedupeKey).Scan(&ev.ID, &ev.State)
		if err != nil {
			return fmt.Errorf("find duplicate event: %w", err)
		}
		reqs[i].dup = true
	}
	return nil
}

// answer tells each caller in batch how its append went.
func answer(batch []appendReq, err error) {
	for _, req := range batch {
		if err != nil && req.ev == nil { // a durable transaction's wait for a flush
			req.done <- appendRes{err: err}
			continue
		}
		if err != nil {
			req.done <- appendRes{err: fmt.Errorf("store event: %w", err)}
			continue
		}
		req.done <- appendRes{dup: req.dup}
	}
}

const inboxColumns = `id, source, dedupe_key, headers, body, received_at, attempts, state, last_error`

func scanRaw(row scanner) (*plusone.RawEvent, error) {
	var (
		ev       plusone.RawEvent
		source   string
		headers  string
		received sql.NullInt64
	)
	if err := row.Scan(&ev.ID, &source, &ev.DedupeKey, &headers, &ev.Body, &received,
		&ev.Attempts, &ev.State, &ev.LastError); err != nil {
		return nil, err
	}
	ev.Source = plusone.Source(source)
	ev.ReceivedAt = fromTS(received)
	if err := json.Unmarshal([]byte(headers), &ev.Headers); err != nil {
		return nil, fmt.Errorf("event %d: decode headers: %w", ev.ID, err)
	}
	return &ev, nil
}

func collectRaw(rows *sql.Rows, err error) ([]*plusone.RawEvent, error) {
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRaw)
}

// ClaimEvents leases due pending events, oldest first.
func (s *Store) ClaimEvents(ctx context.Context, c plusone.Claim) ([]*plusone.RawEvent, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	now := c.Now.UnixMicro()
	evs, err := collectRaw(s.writer().query(ctx, `
		UPDATE inbox SET locked_by = ?, locked_until = ?, attempts = attempts + 1
		WHERE id IN (
			SELECT id FROM inbox
			WHERE state = 'pending' AND run_after <= ? AND (locked_until IS NULL OR locked_until <= ?)
			ORDER BY id`+limitClause(c.Limit)+s.d.LockSkip+`)
		RETURNING `+inboxColumns,
		c.Worker, c.Now.Add(c.Lease).UnixMicro(), now, now))
	if err != nil {
		return nil, fmt.Errorf("claim events: %w", err)
	}
	slices.SortFunc(evs, func(a, b *plusone.RawEvent) int { return int(a.ID - b.ID) })
	return evs, nil
}

// RetryEvent releases a claimed event to be tried again at runAfter.
func (s *Store) RetryEvent(ctx context.Context, id int64, worker string, runAfter time.Time, reason string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err := leaseHeld(s.writer().exec(ctx, `
		UPDATE inbox SET locked_by = NULL, locked_until = NULL, run_after = ?, last_error = ?
		WHERE id = ? AND locked_by = ? AND state = 'pending'`,
		runAfter.UnixMicro(), reason, id, worker))
	if err != nil {
		return fmt.Errorf("retry event %d: %w", id, err)
	}
	return nil
}

// ParkEvent sets a claimed event aside for good.
func (s *Store) ParkEvent(ctx context.Context, id int64, worker, reason string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err := leaseHeld(s.writer().exec(ctx, `
		UPDATE inbox SET state = 'parked', locked_by = NULL, locked_until = NULL, last_error = ?
		WHERE id = ? AND locked_by = ? AND state = 'pending'`,
		reason, id, worker))
	if err != nil {
		return fmt.Errorf("park event %d: %w", id, err)
	}
	return nil
}

// ReleaseEvents gives back everything leased to worker.
func (s *Store) ReleaseEvents(ctx context.Context, worker string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.writer().exec(ctx, `
		UPDATE inbox SET locked_by = NULL, locked_until = NULL
		WHERE locked_by = ? AND state = 'pending'`, worker)
	if err != nil {
		return fmt.Errorf("release events of %s: %w", worker, err)
	}
	return nil
}

// ParkedEvents lists parked events, newest first.
func (s *Store) ParkedEvents(ctx context.Context, limit int) ([]*plusone.RawEvent, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	evs, err := collectRaw(s.reader().query(ctx,
		`SELECT `+inboxColumns+` FROM inbox WHERE state = 'parked' ORDER BY id DESC LIMIT ?`, limit))
	if err != nil {
		return nil, fmt.Errorf("list parked events: %w", err)
	}
	return evs, nil
}

// InboxStats counts events by state.
func (s *Store) InboxStats(ctx context.Context) (plusone.InboxStats, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var st plusone.InboxStats
	st.Pending, _ = s.spoolBacklog()
	rows, err := s.reader().query(ctx, `SELECT state, COUNT(*) FROM inbox GROUP BY state`)
	if err != nil {
		return st, fmt.Errorf("count events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return st, err
		}
		switch state {
		case plusone.RawPending:
			st.Pending += n
		case plusone.RawDone:
			st.Done = n
		case plusone.RawParked:
			st.Parked = n
		}
	}
	return st, rows.Err()
}

// CompleteEvent marks a claimed event done, inside the transaction that
// applied it.
func (t *tx) CompleteEvent(ctx context.Context, id int64, worker string, now time.Time) error {
	err := leaseHeld(t.exec(ctx, `
		UPDATE inbox SET state = 'done', locked_by = NULL, locked_until = NULL, done_at = ?, last_error = ''
		WHERE id = ? AND locked_by = ? AND state = 'pending'`,
		now.UnixMicro(), id, worker))
	if err != nil {
		return fmt.Errorf("complete event %d: %w", id, err)
	}
	return nil
}
