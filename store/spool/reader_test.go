package spool

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// readAll reads everything written so far, max records at a time, moving
// on after each read as the store does after a move.
func readAll(t *testing.T, r *Reader, max int) []Record {
	t.Helper()
	var all []Record
	for {
		recs, next, err := r.Read(max)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) > max {
			t.Fatalf("read %d records, at most %d asked", len(recs), max)
		}
		r.Seek(next)
		if len(recs) == 0 {
			return all
		}
		all = append(all, recs...)
	}
}

// The reader gives back, in order and whole, what was appended since Open
// (not what Open returned), across segments, while appends go on; a read
// it did not Seek past comes again.
func TestReaderReadsBackWhatWasAppended(t *testing.T) {
	dir := t.TempDir()
	l, _ := mustOpen(t, dir)
	appendAll(t, l, 1, 20)
	l.Close()
	l, before := mustOpenSized(t, dir, 4096)
	defer l.Close()
	if len(before) != 20 {
		t.Fatalf("reopened with %d records", len(before))
	}
	r := l.Reader()
	defer r.Close()
	if recs, _, err := r.Read(10); err != nil || len(recs) != 0 {
		t.Fatalf("before any append: %d records, %v", len(recs), err)
	}
	appendAll(t, l, 21, 200)
	first, _, err := r.Read(7)
	if err != nil || fmt.Sprint(ids(first)) != "[21 22 23 24 25 26 27]" {
		t.Fatalf("first read: %v %v", ids(first), err)
	}
	got := readAll(t, r, 7) // from the same place: not sought
	appendAll(t, l, 201, 400)
	got = append(got, readAll(t, r, 64)...)
	if len(got) != 380 || !slices.IsSorted(ids(got)) || got[0].ID != 21 || got[379].ID != 400 {
		t.Fatalf("read back %d records, ids %v…", len(got), ids(got)[:min(5, len(got))])
	}
	if l.Segments() < 5 {
		t.Fatalf("%d segments, want several", l.Segments())
	}
	for _, g := range got {
		if want := rec(g.ID); g.Source != want.Source || g.DedupeKey != want.DedupeKey || g.Headers != want.Headers ||
			string(g.Body) != string(want.Body) || g.ReceivedAt != want.ReceivedAt {
			t.Fatalf("record %d came back as %+v", g.ID, g)
		}
	}
	// Released segments are passed over; the reader goes on after them.
	if err := l.Release(400); err != nil {
		t.Fatal(err)
	}
	appendAll(t, l, 401, 410)
	if more := readAll(t, r, 100); fmt.Sprint(ids(more)) != "[401 402 403 404 405 406 407 408 409 410]" {
		t.Fatalf("after a release: %v", ids(more))
	}
}

// A record larger than a read's chunk comes back whole.
func TestReaderLargeRecord(t *testing.T) {
	l, _ := mustOpen(t, t.TempDir())
	defer l.Close()
	r := l.Reader()
	defer r.Close()
	big := rec(2)
	big.Body = []byte(strings.Repeat("b", 3*readChunk))
	for _, x := range []*Record{rec(1), big, rec(3)} {
		done, err := l.Append(x)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	got := readAll(t, r, 10)
	if fmt.Sprint(ids(got)) != "[1 2 3]" || len(got[1].Body) != 3*readChunk {
		t.Fatalf("read %v, body of 2: %d bytes", ids(got), len(got[1].Body))
	}
}

// A write that failed leaves a torn record at the end of its segment; the
// reader skips it once the log has moved on to a new segment, and reads
// what came after.
func TestReaderPassesATornSegment(t *testing.T) {
	l, _ := mustOpen(t, t.TempDir())
	defer l.Close()
	r := l.Reader()
	defer r.Close()
	appendAll(t, l, 1, 3)
	// Half a record at the end of the active segment, as a short write
	// leaves it.
	l.mu.Lock()
	torn := appendRecord(nil, rec(4))
	n, err := l.active.f.WriteAt(torn[:len(torn)/2], l.active.size)
	l.active.size += int64(n)
	l.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, r, 10); fmt.Sprint(ids(got)) != "[1 2 3]" {
		t.Fatalf("before the log moved on: %v", ids(got))
	}
	l.mu.Lock()
	err = l.rotate()
	l.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, l, 5, 6)
	if got := readAll(t, r, 10); fmt.Sprint(ids(got)) != "[5 6]" {
		t.Fatalf("after the torn segment: %v", ids(got))
	}
}

// A segment removed under the reader (an operator, a disk) is an error,
// not a silent skip.
func TestReaderReportsAMissingSegment(t *testing.T) {
	l, _ := mustOpen(t, t.TempDir())
	defer l.Close()
	r := l.Reader()
	defer r.Close()
	appendAll(t, l, 1, 2)
	l.mu.Lock()
	path := l.active.path
	l.mu.Unlock()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Read(10); err == nil {
		t.Fatal("no error for a segment gone from the disk")
	}
}
