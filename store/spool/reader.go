package spool

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Pos is a place in the log: a segment and an offset in it.
type Pos struct {
	seq int
	off int64
}

// Reader reads back, in order, the records appended since Open, as far as
// they were written to their segment: the store moves records from the
// disk (the page cache, in practice) instead of keeping their bodies in
// memory while they wait. One goroutine uses a Reader; it may read
// records whose sync is still under way, or failed.
type Reader struct {
	l    *Log
	at   Pos
	f    *os.File // the segment fseq, open for reading
	fseq int
	buf  []byte
}

// readChunk is how much of a segment a Read takes from the disk at once.
const readChunk = 1 << 20

// Reader returns a reader at the first record appended after Open.
func (l *Log) Reader() *Reader {
	return &Reader{l: l, at: Pos{seq: l.first}}
}

// Read returns up to max records from the reader's place on, and the place
// after them, without moving there: the caller Seeks once it has dealt
// with them. It returns no records when none has been written since.
// A torn or corrupt record ends its segment, once the log has moved on to
// the next one (such a record was never acknowledged).
func (r *Reader) Read(max int) ([]Record, Pos, error) {
	at := r.at
	var out []Record
	for len(out) < max {
		seg, ok := r.l.segmentFrom(at.seq)
		if !ok {
			break // nothing written past at
		}
		if seg.seq != at.seq {
			at = Pos{seq: seg.seq} // released, or never written to
		}
		if at.off >= seg.size {
			if !seg.closed {
				break
			}
			at = Pos{seq: at.seq + 1}
			continue
		}
		recs, off, err := r.readSegment(seg, at.off, max-len(out))
		if err != nil {
			return out, at, err
		}
		out = append(out, recs...)
		switch {
		case off > at.off:
			at.off = off
		case seg.closed:
			at = Pos{seq: at.seq + 1} // a torn or corrupt tail
		default:
			return out, at, nil // the active segment's end is not whole yet
		}
	}
	return out, at, nil
}

// Seek moves the reader to p, a place Read returned.
func (r *Reader) Seek(p Pos) { r.at = p }

// Close releases the reader's file.
func (r *Reader) Close() error {
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// segmentView is what a reader needs of a segment, taken under the log's
// lock.
type segmentView struct {
	seq    int
	path   string
	size   int64 // bytes written
	closed bool  // nothing more will be written to it
}

// segmentFrom returns the segment numbered seq, or else the first one after
// it.
func (l *Log) segmentFrom(seq int) (segmentView, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, seg := range l.closed {
		if seg.seq >= seq {
			return segmentView{seq: seg.seq, path: seg.path, size: seg.size, closed: true}, true
		}
	}
	if l.active != nil && l.active.seq >= seq {
		return segmentView{seq: l.active.seq, path: l.active.path, size: l.active.size}, true
	}
	return segmentView{}, false
}

// readSegment reads up to max whole records of seg from off, and returns
// the offset after the last one.
func (r *Reader) readSegment(seg segmentView, off int64, max int) ([]Record, int64, error) {
	if r.f == nil || r.fseq != seg.seq {
		r.Close()
		f, err := os.Open(seg.path)
		if err != nil {
			return nil, off, fmt.Errorf("spool: read back: %w", err)
		}
		r.f, r.fseq = f, seg.seq
	}
	n := min(seg.size-off, readChunk)
	for {
		if int64(cap(r.buf)) < n {
			r.buf = make([]byte, n)
		}
		buf := r.buf[:n]
		if _, err := r.f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
			return nil, off, fmt.Errorf("spool: read back %s: %w", seg.path, err)
		}
		recs, used, partial := parseRecords(buf, max)
		if used == 0 && partial > n && off+partial <= seg.size {
			n = partial // one record larger than a chunk: read it whole
			continue
		}
		return recs, off + int64(used), nil
	}
}
