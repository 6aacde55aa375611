package storetest

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/plusone-hq/plusone"
)

// testInboxBatchIDs appends events, each several times at once, so that
// copies share a group commit: every copy of an event gets the one stored
// event's id, and exactly one copy is not a duplicate.
func testInboxBatchIDs(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	const keys, copies = 40, 5
	type got struct {
		id  int64
		dup bool
	}
	var mu sync.Mutex
	res := map[string][]got{}
	var wg sync.WaitGroup
	for i := range keys * copies {
		wg.Go(func() {
			ev := raw(plusone.SourceGeneric, fmt.Sprintf("batch_%d", i%keys))
			dup, err := s.AppendEvent(ctx, ev)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			res[ev.DedupeKey] = append(res[ev.DedupeKey], got{ev.ID, dup})
			mu.Unlock()
		})
	}
	wg.Wait()
	ids := map[int64]string{}
	for k, gs := range res {
		fresh := 0
		for _, g := range gs {
			if !g.dup {
				fresh++
			}
			if g.id != gs[0].id || g.id == 0 {
				t.Errorf("%s: ids %v", k, gs)
				break
			}
		}
		if fresh != 1 || len(gs) != copies {
			t.Errorf("%s: %d answers, %d not duplicates: %v", k, len(gs), fresh, gs)
		}
		if other, ok := ids[gs[0].id]; ok {
			t.Errorf("%s and %s have the same id %d", k, other, gs[0].id)
		}
		ids[gs[0].id] = k
	}
}

// testInboxKeepsBytes appends, at once so that they share group commits,
// events whose keys, headers and bodies hold what an encoding could
// mangle: quotes, backslashes, braces, commas, "NULL", non-ASCII, NUL and
// invalid UTF-8. Each is claimed back byte for byte, with its own id: the
// body as it came, the key as AppendEvent left it (a key that is not
// UTF-8, as a header may give, or holds NUL is stored quoted: PostgreSQL's
// text takes neither, and such a key failed its whole group commit), and header
// values that are UTF-8 as they came (the others are stored with U+FFFD).
func testInboxKeepsBytes(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	odd := []string{`"quoted"`, `back\slash`, `{a,b}`, `NULL`, `null`, ``, `Zoë ✓`, "\xff\xfe", `'single'`, "tab\there", "nul\x00byte"}
	sent := map[string]*plusone.RawEvent{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, o := range odd {
		ev := raw(plusone.SourceGeneric, fmt.Sprintf("odd_%d_%s", i, o))
		ev.Body = []byte(`{"text":"` + o + `"}` + "\x00\x01")
		ev.Headers = map[string][]string{"X-Odd": {o, "second " + o}}
		wg.Go(func() {
			if _, err := s.AppendEvent(ctx, ev); err != nil {
				t.Errorf("append %q: %v", ev.DedupeKey, err)
				return
			}
			mu.Lock()
			sent[ev.DedupeKey] = ev
			mu.Unlock()
		})
	}
	wg.Wait()
	for _, i := range []int{7, 10} {
		if k := fmt.Sprintf("odd_%d_%s", i, odd[i]); sent[k] != nil || sent[strconv.Quote(k)] == nil {
			t.Errorf("the key %q was not stored quoted", k)
		}
	}
	evs := claim(t, s, "w1", 2*len(odd), base)
	if len(evs) != len(sent) {
		t.Fatalf("claimed %d events, want %d", len(evs), len(sent))
	}
	for _, got := range evs {
		want, ok := sent[got.DedupeKey]
		switch {
		case !ok:
			t.Errorf("claimed an event with key %q, which was not sent", got.DedupeKey)
		case got.ID != want.ID:
			t.Errorf("%q: claimed id %d, appended as %d", got.DedupeKey, got.ID, want.ID)
		case string(got.Body) != string(want.Body):
			t.Errorf("%q: body %q, want %q", got.DedupeKey, got.Body, want.Body)
		case utf8.ValidString(want.Headers["X-Odd"][0]) && fmt.Sprint(got.Headers["X-Odd"]) != fmt.Sprint(want.Headers["X-Odd"]):
			t.Errorf("%q: header %q, want %q", got.DedupeKey, got.Headers["X-Odd"], want.Headers["X-Odd"])
		}
	}
}
