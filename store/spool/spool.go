// Package spool is an append-only log of webhook deliveries on the local
// disk: the durable first stop of an event on a single-process store.
//
// A webhook is acknowledged once its record is in the log and the log is
// on the disk (an fdatasync that began after the record was written).
// Records are written and synced in groups: one write and one fdatasync
// serve every record that arrived while the previous one ran, and two
// syncs may be in flight at once (the disk serves them together), so that
// the wait for the disk overlaps instead of queueing; syncs begin at most
// one a millisecond (syncGap), so that in a burst each serves every record
// of its millisecond, not the two or three that a fast disk leaves it
// time to gather, unless a full group (groupFull) already waits. Nothing
// here parses a record or knows a database: the store moves records into
// its inbox in large batches, when intake leaves it the time, and releases
// the segments whose records it has made durable there.
//
// The log is a directory of segment files, each a sequence of records
// (length, CRC-32C, payload). Only the newest segment is written; a
// segment is closed, synced and its directory entry made durable before
// the next one takes records. A crash can leave a torn record only at the
// end of the newest segment, and that record was never acknowledged:
// Open stops reading there.
//
// Once records come in numbers (the active segment a quarter full), the
// next segment is made ready in the background: written with zeros to its
// full size and made durable, as databases do with their write-ahead logs.
// A record then overwrites allocated blocks instead of growing the file,
// and its fdatasync has no file size or extents to journal: a quarter of
// the time and half of the CPU on ext4. A zero length ends a segment's
// records. An idle log (and a test's) never makes one.
package spool

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record is one delivery.
type Record struct {
	ID         int64
	Source     string
	DedupeKey  string
	Headers    string // JSON
	Body       []byte
	ReceivedAt int64 // Unix microseconds
}

// SegmentSize is the size past which the log starts a new segment: under
// load, a zeroed one is made ready every second or so.
const SegmentSize = 8 << 20

// maxRecord bounds one record's payload when reading (a corrupt length
// must not make Open allocate gigabytes).
const maxRecord = 64 << 20

// syncers is how many fdatasyncs may be in flight at once.
const syncers = 2

// syncGap is the least time between the starts of two syncs of less than
// a full group (groupFull): at most a thousand a second, however fast the
// disk. A sync on a fast disk (a fraction of a millisecond here) would
// otherwise serve only the two or three records that arrived while the one
// before ran, and each costs some 100 µs of system CPU on a virtual disk
// whatever it carries: in a burst of 10,000 webhooks a second, 0.4 of a
// core went to 4,100 syncs of three records.
// Paced, a sync serves every record of its millisecond; a webhook waits at
// most that much longer for its answer, and none waits when the last sync
// began more than a gap ago (a steady flow). On a slow disk the syncs take
// longer than the gap and the pace never binds. PostgreSQL's commit_delay
// and MySQL's binlog_group_commit_sync_delay make the same trade.
const syncGap = time.Millisecond

// groupFull is how many waiting records start a sync before its gap is
// over: sixteen already spread a sync's CPU to a few microseconds each,
// which is all the gap is for, and waiting longer only keeps their senders
// (and the CPU that would answer them) idle. With a few dozen senders that
// each wait for their answer before sending again, the gap alone gathers
// nearly all of them into one sync, and the CPU idles while it runs; full
// groups split them in two, one group answered while the other syncs.
const groupFull = 16

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Watch is told of each sync: it is called before the sync starts and
// returns what to call when it ends, with the number of records it
// acknowledged and its error.
type Watch func() func(n int, err error)

// Log is an open spool.
type Log struct {
	dir     string
	lock    *os.File
	watch   Watch
	segSize int64 // SegmentSize; tests make it smaller (fixed at open)

	mu      sync.Mutex
	active  *segment
	closed  []*segment // in order; deleted by Release
	seq     int        // number of the newest segment
	first   int        // number of the segment Open started: Reader begins there
	buf     []byte     // records not yet written to active
	waiters []chan error
	err     error     // a write or sync failure: the log takes nothing until it recovers
	errAt   time.Time // when err happened
	shut    bool
	gap     time.Duration // syncGap; tests change it (fixed at open)
	last    time.Time     // when the latest sync began

	wake    chan struct{} // capacity 1: records wait for a sync
	full    chan struct{} // capacity 1: groupFull records wait
	stop    chan struct{}
	syncing sync.WaitGroup

	spare   *os.File      // a zeroed segment ready to be the next one, if any
	prepare chan struct{} // capacity 1: make a new spare
}

// spareName is the spare segment's file; it is renamed to a segment's name
// when it becomes the active one.
const spareName = "next.spare"

type segment struct {
	f     *os.File
	path  string
	seq   int // its number, in its name
	size  int64
	maxID int64 // the highest record ID in it
	busy  int   // syncs in flight on f: Release leaves it open till they end
}

// Open opens (creating) the spool in dir and returns the records it holds
// from before, in the order they were written. The caller stores them
// elsewhere durably, then calls Release with the highest ID. Only one
// process may have a spool open: a second Open fails.
func Open(dir string, watch Watch) (*Log, []Record, error) {
	return open(dir, watch, SegmentSize)
}

// open is Open with segments of segSize bytes (tests make them smaller).
func open(dir string, watch Watch, segSize int64) (*Log, []Record, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("spool: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, nil, err
	}
	l := &Log{dir: dir, lock: lock, watch: watch, segSize: segSize, gap: syncGap,
		wake: make(chan struct{}, 1), full: make(chan struct{}, 1), stop: make(chan struct{}), prepare: make(chan struct{}, 1)}
	recs, err := l.load()
	if err == nil {
		err = l.rotate()
	}
	if err == nil {
		l.first = l.active.seq
	}
	if err != nil {
		lock.Close()
		return nil, nil, err
	}
	for range syncers {
		l.syncing.Go(l.syncer)
	}
	l.syncing.Go(l.preparer)
	return l, recs, nil
}

// preparer makes a spare segment each time rotate took the last one, for as
// long as the log is open.
func (l *Log) preparer() {
	for {
		select {
		case <-l.prepare:
			// Only this goroutine writes the spare's file, and only while
			// there is no spare: rotate renames it only when there is.
			l.mu.Lock()
			need := l.spare == nil && !l.shut
			l.mu.Unlock()
			if !need {
				continue
			}
			f := l.makeSpare()
			l.mu.Lock()
			if l.spare == nil && !l.shut {
				l.spare, f = f, nil
			}
			l.mu.Unlock()
			if f != nil {
				f.Close()
			}
		case <-l.stop:
			return
		}
	}
}

// makeSpare writes the spare segment: zeros to the segment size, made
// durable. It returns nil when it cannot (rotate then starts a segment
// that grows as it is written, as slow to sync but as safe).
func (l *Log) makeSpare() *os.File {
	path := filepath.Join(l.dir, spareName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o600)
	if err != nil {
		return nil
	}
	zeros := make([]byte, min(l.segSize, 1<<20))
	for off := int64(0); off < l.segSize && err == nil; off += int64(len(zeros)) {
		_, err = f.WriteAt(zeros[:min(int64(len(zeros)), l.segSize-off)], off)
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		os.Remove(path)
		return nil
	}
	return f
}

// load reads every segment in dir into closed, and their records.
func (l *Log) load() ([]Record, error) {
	names, err := filepath.Glob(filepath.Join(l.dir, "*.seg"))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	slices.Sort(names) // fixed-width numbers
	var all []Record
	for _, name := range names {
		n, err := strconv.Atoi(strings.TrimSuffix(filepath.Base(name), ".seg"))
		if err != nil {
			return nil, fmt.Errorf("spool: unexpected file %s", name)
		}
		l.seq = max(l.seq, n)
		recs, err := readSegment(name)
		if err != nil {
			return nil, err
		}
		seg := &segment{path: name, seq: n}
		for _, r := range recs {
			seg.maxID = max(seg.maxID, r.ID)
		}
		l.closed = append(l.closed, seg)
		all = append(all, recs...)
	}
	return all, nil
}

// Peek reads the records of the spool in dir without opening it: what
// another process, which may be writing to it, has written so far (an
// operator's or a test's look; the last record may be missing).
func Peek(dir string) ([]Record, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	slices.Sort(names)
	var all []Record
	for _, name := range names {
		recs, err := readSegment(name)
		if err != nil && !errors.Is(err, os.ErrNotExist) { // released meanwhile
			return nil, err
		}
		all = append(all, recs...)
	}
	return all, nil
}

// readSegment reads the records of one segment, up to a torn or corrupt
// one.
func readSegment(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	recs, _, _ := parseRecords(data, math.MaxInt)
	return recs, nil
}

// parseRecords reads whole records from the front of data, at most max. It
// returns them, the bytes they took, and the size of the record that
// follows when data holds only its start (0 when what follows is no
// record: the end of the records, zeros, or a torn or corrupt one).
func parseRecords(data []byte, max int) (recs []Record, used int, partial int64) {
	for len(recs) < max && len(data)-used >= 8 {
		n := int64(binary.LittleEndian.Uint32(data[used:]))
		switch {
		case n > maxRecord:
			return recs, used, 0
		case int64(len(data)-used-8) < n:
			return recs, used, 8 + n
		}
		payload := data[used+8 : used+8+int(n)]
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(data[used+4:]) {
			return recs, used, 0
		}
		r, err := decode(payload)
		if err != nil {
			return recs, used, 0
		}
		recs = append(recs, r)
		used += 8 + int(n)
	}
	return recs, used, 0
}

// Append queues r to be written and returns a channel that gives the
// outcome once r is on the disk (nil) or cannot be (an error).
func (l *Log) Append(r *Record) (<-chan error, error) {
	done := make(chan error, 1)
	l.mu.Lock()
	if err := l.usable(); err != nil {
		l.mu.Unlock()
		return nil, err
	}
	l.buf = appendRecord(l.buf, r)
	l.active.maxID = max(l.active.maxID, r.ID)
	l.waiters = append(l.waiters, done)
	full := len(l.waiters) == groupFull
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
	if full {
		select {
		case l.full <- struct{}{}:
		default:
		}
	}
	return done, nil
}

func (l *Log) usable() error {
	switch {
	case l.shut:
		return errors.New("spool is closed")
	case l.err != nil:
		if err := l.recover(); err != nil {
			return fmt.Errorf("spool cannot take events: %w", err)
		}
	}
	return nil
}

// retryAfter is how long a failed log waits before it tries a new segment.
const retryAfter = 100 * time.Millisecond

// recover starts a new segment after a failure (a full disk freed, an I/O
// error): the failed segment keeps what was acknowledged from it, before
// any torn record, and takes nothing more. Records still waiting are
// refused first; none of them can be acknowledged now (l.mu held).
func (l *Log) recover() error {
	if time.Since(l.errAt) < retryAfter {
		return l.err
	}
	for _, w := range l.waiters {
		w <- l.err
	}
	l.waiters, l.buf = nil, l.buf[:0]
	if l.active != nil {
		l.closed = append(l.closed, l.active)
		l.active = nil
	}
	failed := l.err
	l.err = nil
	if err := l.rotate(); err != nil {
		l.errAt = time.Now()
		return errors.Join(failed, err)
	}
	return nil
}

// syncer writes what was appended and syncs it, for as long as the log is
// open; then once more for what came last.
func (l *Log) syncer() {
	for {
		select {
		case <-l.wake:
			l.syncOnce()
		case <-l.stop:
			l.syncOnce()
			return
		}
	}
}

// syncOnce writes the buffered records to the active segment, syncs it and
// answers their callers. It begins no sooner than a gap after the sync
// before it began (syncGap), taking what arrived meanwhile, or as soon as
// a full group waits (groupFull).
func (l *Log) syncOnce() {
	l.mu.Lock()
	for {
		if len(l.waiters) == 0 {
			l.mu.Unlock()
			return
		}
		wait := time.Until(l.last.Add(l.gap))
		if wait <= 0 || len(l.waiters) >= groupFull || l.shut {
			break
		}
		l.mu.Unlock()
		l.await(wait)
		l.mu.Lock()
	}
	l.last = time.Now()
	waiters := l.waiters
	l.waiters = nil
	seg := l.active
	err := l.err
	if err == nil {
		err = l.flushBuf()
	}
	if err == nil && seg.size >= l.segSize {
		err = l.rotate() // syncs seg itself
		seg = nil
	}
	if seg != nil {
		seg.busy++
	}
	l.mu.Unlock()
	if err == nil && seg != nil {
		var end func(int, error)
		if l.watch != nil {
			end = l.watch()
		}
		err = Datasync(seg.f)
		if err != nil {
			err = fmt.Errorf("spool: sync %s: %w", seg.path, err)
			l.fail(err)
		}
		if end != nil {
			end(len(waiters), err)
		}
	}
	if seg != nil {
		l.mu.Lock()
		seg.busy--
		l.mu.Unlock()
	}
	for _, w := range waiters {
		w <- err
	}
}

// await waits out d, the rest of a sync's gap, or till a group may be full
// or the log closes; syncOnce looks again.
func (l *Log) await(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.full: // possibly left by a group an earlier sync took
	case <-l.stop:
	}
}

// flushBuf writes the buffered records to the active segment (l.mu held).
func (l *Log) flushBuf() error {
	if len(l.buf) == 0 {
		return nil
	}
	n, err := l.active.f.WriteAt(l.buf, l.active.size)
	l.active.size += int64(n)
	l.buf = l.buf[:0]
	if l.spare == nil && l.active.size >= l.segSize/4 {
		select { // records come in numbers: ready the next segment
		case l.prepare <- struct{}{}:
		default:
		}
	}
	if err != nil {
		err = fmt.Errorf("spool: write %s: %w", l.active.path, err)
		l.err, l.errAt = err, time.Now()
	}
	return err
}

func (l *Log) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err, l.errAt = err, time.Now()
	}
}

// rotate closes the active segment, if any, after syncing it, and starts
// a new one whose directory entry is on the disk (l.mu held).
func (l *Log) rotate() error {
	if l.active != nil {
		if err := Datasync(l.active.f); err != nil {
			l.err, l.errAt = fmt.Errorf("spool: sync %s: %w", l.active.path, err), time.Now()
			return l.err
		}
		l.closed = append(l.closed, l.active)
		l.active = nil
	}
	l.seq++
	path := filepath.Join(l.dir, fmt.Sprintf("%010d.seg", l.seq))
	var f *os.File
	var err error
	if l.spare != nil {
		f, l.spare = l.spare, nil
		if err = os.Rename(filepath.Join(l.dir, spareName), path); err != nil {
			f.Close()
			f = nil
		}
	} else {
		f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	}
	if err == nil {
		err = syncDir(l.dir)
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		l.err, l.errAt = fmt.Errorf("spool: new segment: %w", err), time.Now()
		return l.err
	}
	l.active = &segment{f: f, path: path, seq: l.seq}
	return nil
}

// Releasable reports whether Release(id) would free a segment now, so that
// a caller whose release must wait for its own commits to reach the disk
// waits only when there is something to free.
func (l *Log) Releasable(id int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shut {
		return false
	}
	return l.rotatable(id) || slices.ContainsFunc(l.closed, func(seg *segment) bool { return seg.freeable(id) })
}

// rotatable says whether the active segment holds only records up to id
// and enough of them to be closed and freed (l.mu held).
func (l *Log) rotatable(id int64) bool {
	return l.err == nil && len(l.buf) == 0 && len(l.waiters) == 0 && l.active.size >= l.segSize/4 && l.active.maxID <= id
}

// freeable says whether a closed segment holds only records up to id and
// no sync is in flight on it (l.mu held).
func (seg *segment) freeable(id int64) bool {
	return seg.maxID <= id && seg.busy == 0
}

// Release deletes the closed segments whose records all have IDs up to id:
// the caller has made them durable elsewhere. It starts a new segment
// first when the active one is over a quarter full and entirely released,
// so that a log that keeps up does not grow without end.
func (l *Log) Release(id int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shut {
		return nil
	}
	if l.rotatable(id) {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	var errs []error
	keep := l.closed[:0]
	for _, seg := range l.closed {
		if !seg.freeable(id) {
			keep = append(keep, seg)
			continue
		}
		if seg.f != nil {
			errs = append(errs, seg.f.Close())
		}
		if err := os.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	l.closed = keep
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("spool: release: %w", err)
	}
	return nil
}

// Segments returns how many segment files the log has (tests).
func (l *Log) Segments() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.closed) + 1
}

// Close syncs what was appended, answers every caller and closes the
// files. Records not yet released stay in the log for the next Open.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.shut {
		l.mu.Unlock()
		return nil
	}
	l.shut = true
	l.mu.Unlock()
	close(l.stop)
	l.syncing.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, seg := range append(l.closed, l.active) {
		if seg != nil && seg.f != nil {
			errs = append(errs, seg.f.Close())
		}
	}
	if l.spare != nil {
		errs = append(errs, l.spare.Close(), os.Remove(filepath.Join(l.dir, spareName)))
		l.spare = nil
	}
	errs = append(errs, l.lock.Close())
	return errors.Join(errs...)
}

// appendRecord appends r's framed encoding to b.
func appendRecord(b []byte, r *Record) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = binary.AppendVarint(b, r.ID)
	b = binary.AppendVarint(b, r.ReceivedAt)
	for _, s := range []string{r.Source, r.DedupeKey, r.Headers} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Body)))
	b = append(b, r.Body...)
	payload := b[start+8:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
	return b
}

// decode reads one record's payload.
func decode(p []byte) (Record, error) {
	var r Record
	var n int
	if r.ID, n = binary.Varint(p); n <= 0 {
		return r, io.ErrUnexpectedEOF
	}
	p = p[n:]
	if r.ReceivedAt, n = binary.Varint(p); n <= 0 {
		return r, io.ErrUnexpectedEOF
	}
	p = p[n:]
	var fields [4][]byte
	for i := range fields {
		size, n := binary.Uvarint(p)
		if n <= 0 || size > uint64(len(p)-n) {
			return r, io.ErrUnexpectedEOF
		}
		fields[i] = p[n : n+int(size)]
		p = p[n+int(size):]
	}
	if len(p) != 0 {
		return r, errors.New("spool: trailing bytes in a record")
	}
	r.Source, r.DedupeKey, r.Headers = string(fields[0]), string(fields[1]), string(fields[2])
	r.Body = slices.Clone(fields[3])
	return r, nil
}

// Wait waits for done, or for ctx to end.
func Wait(ctx context.Context, done <-chan error) error {
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("wait for the disk: %w", ctx.Err())
	}
}
