package spool

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func rec(id int64) *Record {
	return &Record{ID: id, Source: "generic", DedupeKey: fmt.Sprintf("evt_%d", id),
		Headers: `{"Content-Type":["application/json"]}`, Body: []byte(fmt.Sprintf(`{"id":"evt_%d","n":"%s"}`, id, strings.Repeat("x", int(id%50)))),
		ReceivedAt: 1_700_000_000_000_000 + id}
}

func mustOpen(t *testing.T, dir string) (*Log, []Record) {
	t.Helper()
	return mustOpenSized(t, dir, SegmentSize)
}

func mustOpenSized(t *testing.T, dir string, segSize int64) (*Log, []Record) {
	t.Helper()
	l, recs, err := open(dir, nil, segSize)
	if err != nil {
		t.Fatal(err)
	}
	return l, recs
}

// appendAll appends ids from concurrent goroutines, in ID order as the
// store does (it assigns IDs under its own lock), and waits for each.
func appendAll(t *testing.T, l *Log, from, to int64) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := from
	for range 8 {
		wg.Go(func() {
			for {
				mu.Lock()
				id := next
				if id > to {
					mu.Unlock()
					return
				}
				next++
				done, err := l.Append(rec(id))
				mu.Unlock()
				if err != nil {
					t.Error(err)
					return
				}
				if err := Wait(context.Background(), done); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func ids(recs []Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func TestAppendedRecordsComeBackInOrder(t *testing.T) {
	dir := t.TempDir()
	l, recs := mustOpenSized(t, dir, 4096) // several segments
	if len(recs) != 0 {
		t.Fatalf("a new spool holds %d records", len(recs))
	}
	appendAll(t, l, 1, 500)
	if l.Segments() < 3 {
		t.Fatalf("%d segments, want several", l.Segments())
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, recs = mustOpen(t, dir)
	defer l.Close()
	if len(recs) != 500 || !slices.IsSorted(ids(recs)) || recs[0].ID != 1 || recs[499].ID != 500 {
		t.Fatalf("reopened: %d records, ids %v…", len(recs), ids(recs)[:min(5, len(recs))])
	}
	for _, r := range recs {
		if want := rec(r.ID); r.Source != want.Source || r.DedupeKey != want.DedupeKey || r.Headers != want.Headers ||
			string(r.Body) != string(want.Body) || r.ReceivedAt != want.ReceivedAt {
			t.Fatalf("record %d came back as %+v", r.ID, r)
		}
	}
}

func TestReleaseDeletesWhatWasMoved(t *testing.T) {
	dir := t.TempDir()
	l, _ := mustOpenSized(t, dir, 4096)
	appendAll(t, l, 1, 300)
	before := l.Segments()
	if l.Releasable(0) {
		t.Error("releasable up to 0: no segment holds only records up to 0")
	}
	if !l.Releasable(150) {
		t.Error("not releasable up to 150, though the first segments hold only records below it")
	}
	if err := l.Release(150); err != nil {
		t.Fatal(err)
	}
	mid := l.Segments()
	if mid >= before || mid < 2 {
		t.Fatalf("segments %d before, %d after releasing half", before, mid)
	}
	if err := l.Release(300); err != nil {
		t.Fatal(err)
	}
	if l.Releasable(300) {
		t.Error("releasable again right after Release(300)")
	}
	l.Close()
	l, recs := mustOpen(t, dir)
	defer l.Close()
	// What a later segment holds comes back; nothing at or below 300 that
	// lived only in released segments does, and nothing is lost above it.
	for _, r := range recs {
		if r.ID > 300 {
			t.Fatalf("record %d was never appended", r.ID)
		}
	}
	if len(recs) > 300-150 {
		t.Fatalf("%d records after releasing all but the active segment", len(recs))
	}
}

// A crash can tear the last record; what came before it survives, and a
// corrupt record ends the segment.
func TestTornTail(t *testing.T) {
	for _, tc := range []struct {
		name string
		harm func(data []byte) []byte
		want int
	}{
		{"cut mid-record", func(d []byte) []byte { return d[:len(d)-7] }, 9},
		{"cut in the header", func(d []byte) []byte { return d[:len(d)-len(appendRecord(nil, rec(10)))+3] }, 9},
		{"garbage after", func(d []byte) []byte { return append(d, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5) }, 10},
		{"zeros after", func(d []byte) []byte { return append(d, make([]byte, 4096)...) }, 10},
		{"flipped byte in the last", func(d []byte) []byte { d[len(d)-3] ^= 0x40; return d }, 9},
		{"flipped byte in the fifth", func(d []byte) []byte {
			n := 0
			for id := int64(1); id <= 4; id++ {
				n += len(appendRecord(nil, rec(id)))
			}
			d[n+10] ^= 1
			return d
		}, 4},
	} {
		for _, zeros := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, zeros after: %v", tc.name, zeros), func(t *testing.T) {
				dir := t.TempDir()
				l, _ := mustOpen(t, dir)
				appendAll(t, l, 1, 10)
				l.Close()
				segs, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
				last := segs[len(segs)-1]
				data, err := os.ReadFile(last)
				if err != nil {
					t.Fatal(err)
				}
				// The harm, then (as in a segment made ready in advance) zeros.
				n := 0
				for id := int64(1); id <= 10; id++ {
					n += len(appendRecord(nil, rec(id)))
				}
				if len(data) != n {
					t.Fatalf("the segment is %d bytes, its records %d", len(data), n)
				}
				harmed := tc.harm(data[:n])
				if zeros {
					harmed = append(harmed, make([]byte, 64<<10)...)
				}
				if err := os.WriteFile(last, harmed, 0o600); err != nil {
					t.Fatal(err)
				}
				l, recs := mustOpen(t, dir)
				defer l.Close()
				if len(recs) != tc.want || (len(recs) > 0 && recs[len(recs)-1].ID != int64(tc.want)) {
					t.Fatalf("%d records back (%v), want 1…%d", len(recs), ids(recs), tc.want)
				}
			})
		}
	}
}

func TestOneProcessAtATime(t *testing.T) {
	dir := t.TempDir()
	l, _ := mustOpen(t, dir)
	if _, _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "in use by another plusone process") {
		t.Fatalf("second open: %v", err)
	}
	l.Close()
	l, _ = mustOpen(t, dir) // free again once closed
	l.Close()
}

// A failed write refuses that record's caller and, for a while, every
// later append: none is acknowledged that is not on the disk. Then the log
// starts a new segment and takes records again, and both segments come
// back whole at the next open.
func TestWriteFailureRefusesThenRecovers(t *testing.T) {
	dir := t.TempDir()
	l, _ := mustOpen(t, dir)
	appendAll(t, l, 1, 3)
	l.mu.Lock()
	l.active.f.Close() // the disk goes away
	l.mu.Unlock()
	done, err := l.Append(rec(4))
	if err != nil {
		t.Fatal(err)
	}
	if err := Wait(context.Background(), done); err == nil {
		t.Fatal("a record that could not be written was acknowledged")
	}
	if _, err := l.Append(rec(5)); err == nil || !strings.Contains(err.Error(), "cannot take events") {
		t.Fatalf("append right after a failure: %v", err)
	}
	l.mu.Lock()
	l.errAt = l.errAt.Add(-retryAfter) // as if the retry delay had passed
	l.mu.Unlock()
	appendAll(t, l, 6, 8)
	if err := l.Close(); err != nil && !strings.Contains(err.Error(), "file already closed") {
		t.Fatal(err)
	}
	l, recs := mustOpen(t, dir)
	defer l.Close()
	if got := fmt.Sprint(ids(recs)); got != "[1 2 3 6 7 8]" {
		t.Fatalf("after recovery and reopen: %s, want [1 2 3 6 7 8]", got)
	}
}

// Each sync is watched (Ready and IntakeBusy count on it) with the number
// of records it acknowledged.
func TestWatchSeesEverySync(t *testing.T) {
	var mu sync.Mutex
	acked := 0
	l, _, err := Open(t.TempDir(), func() func(int, error) {
		return func(n int, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				acked += n
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	appendAll(t, l, 1, 200)
	l.Close()
	if acked != 200 {
		t.Fatalf("watch saw %d records acknowledged, want 200", acked)
	}
}

func TestClosedRefuses(t *testing.T) {
	l, _ := mustOpen(t, t.TempDir())
	l.Close()
	if _, err := l.Append(rec(1)); err == nil {
		t.Fatal("append after close accepted")
	}
}

// Once records come in numbers, the next segment is made ready with zeros
// to its full size; records written over those zeros come back at reopen
// and through a reader, and the spare is gone after Close.
func TestSpareSegment(t *testing.T) {
	dir := t.TempDir()
	const size = 64 << 10
	l, _ := mustOpenSized(t, dir, size)
	r := l.Reader()
	id := int64(0)
	zeroed := func() (bool, string) {
		l.mu.Lock()
		active, written := l.active.path, l.active.size
		l.mu.Unlock()
		fi, err := os.Stat(active)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size() == size && written < size, fmt.Sprintf("%d bytes on disk, %d written", fi.Size(), written)
	}
	for {
		appendAll(t, l, id+1, id+50)
		id += 50
		if ok, _ := zeroed(); ok && l.Segments() >= 3 {
			break
		}
		if id >= 20_000 {
			_, state := zeroed()
			t.Fatalf("after %d records in %d segments, the active one is not a zeroed one of %d bytes: %s", id, l.Segments(), size, state)
		}
	}
	got := readAll(t, r, 1000)
	r.Close()
	if len(got) != int(id) || got[len(got)-1].ID != id || !slices.IsSorted(ids(got)) {
		t.Fatalf("read back %d records of %d", len(got), id)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, spareName)); !os.IsNotExist(err) {
		t.Fatalf("the spare is left after Close: %v", err)
	}
	l, recs := mustOpenSized(t, dir, size)
	defer l.Close()
	if len(recs) != int(id) || recs[len(recs)-1].ID != id {
		t.Fatalf("reopened: %d records of %d", len(recs), id)
	}
}

// Syncs begin at least a gap apart, each taking what arrived meanwhile: a
// burst is served by few syncs of many records.
func TestSyncsArePaced(t *testing.T) {
	var mu sync.Mutex
	syncs, acked := 0, 0
	l, _, err := Open(t.TempDir(), func() func(int, error) {
		mu.Lock()
		syncs++
		mu.Unlock()
		return func(n int, err error) {
			mu.Lock()
			defer mu.Unlock()
			acked += n
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	const gap = 5 * time.Millisecond
	l.mu.Lock()
	l.gap = gap
	l.mu.Unlock()
	start := time.Now()
	appendAll(t, l, 1, 2000) // 8 appenders, each waiting for its record's sync
	took := time.Since(start)
	l.Close()
	// Sync k begins no sooner than start + (k-1)·gap.
	if most := int(took/gap) + 1; syncs > most {
		t.Fatalf("%d syncs in %v: more than one per %v (at most %d)", syncs, took, gap, most)
	}
	if acked != 2000 || syncs > 2000/4 {
		t.Fatalf("%d syncs acknowledged %d records: want 2000 records, at least 4 a sync", syncs, acked)
	}
}

// A sync begins at once when none began within the gap (a steady flow
// waits for nothing), and Close does not wait for a sync's turn: it syncs
// what is waiting.
func TestPaceNeitherDelaysTheFirstSyncNorClose(t *testing.T) {
	dir := t.TempDir()
	l, _ := mustOpen(t, dir)
	l.mu.Lock()
	l.gap = time.Hour
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done, err := l.Append(rec(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := Wait(ctx, done); err != nil {
		t.Fatalf("the first record waited for a sync's turn: %v", err)
	}
	second, err := l.Append(rec(2))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-second:
		t.Fatalf("the second record was synced within the gap (err %v)", err)
	default:
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := Wait(ctx, second); err != nil {
		t.Fatalf("Close left the second record unsynced: %v", err)
	}
	l, recs := mustOpen(t, dir)
	defer l.Close()
	if !slices.Equal(ids(recs), []int64{1, 2}) {
		t.Fatalf("reopened: records %v, want [1 2]", ids(recs))
	}
}

// A full group does not wait out the gap: the sync begins when the
// groupFull-th record arrives, and takes every record that waits.
func TestAFullGroupSyncsWithoutWaitingForTheGap(t *testing.T) {
	l, _ := mustOpen(t, t.TempDir())
	defer l.Close()
	l.mu.Lock()
	l.gap = time.Hour
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first, err := l.Append(rec(1)) // synced at once; the next sync's turn is an hour away
	if err != nil {
		t.Fatal(err)
	}
	if err := Wait(ctx, first); err != nil {
		t.Fatal(err)
	}
	var group []<-chan error
	for id := int64(2); id <= groupFull; id++ {
		done, err := l.Append(rec(id))
		if err != nil {
			t.Fatal(err)
		}
		group = append(group, done)
	}
	time.Sleep(20 * time.Millisecond)
	for i, done := range group {
		select {
		case err := <-done:
			t.Fatalf("record %d of a group short of full was synced within the gap (err %v)", i+2, err)
		default:
		}
	}
	last, err := l.Append(rec(groupFull + 1))
	if err != nil {
		t.Fatal(err)
	}
	for i, done := range append(group, last) {
		if err := Wait(ctx, done); err != nil {
			t.Fatalf("record %d of a full group: %v", i+2, err)
		}
	}
}

// Full groups that start early do not push the gap back: a lone record
// after many of them waits at most one gap from the latest sync.
func TestFullGroupsDoNotDelayTheNextSmallOne(t *testing.T) {
	l, _ := mustOpen(t, t.TempDir())
	defer l.Close()
	const gap = time.Second
	l.mu.Lock()
	l.gap = gap
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id := int64(0)
	// Ten groups of groupFull, in about one gap: the first record is synced
	// at once and the rest of the first group after the gap; the other nine
	// are full.
	for range 10 {
		var group []<-chan error
		for range groupFull {
			id++
			done, err := l.Append(rec(id))
			if err != nil {
				t.Fatal(err)
			}
			group = append(group, done)
		}
		for _, done := range group {
			if err := Wait(ctx, done); err != nil {
				t.Fatal(err)
			}
		}
	}
	id++
	start := time.Now()
	done, err := l.Append(rec(id))
	if err != nil {
		t.Fatal(err)
	}
	if err := Wait(ctx, done); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*gap {
		t.Fatalf("a lone record after ten full groups waited %v for its sync: the gap is %v", took, gap)
	}
}
