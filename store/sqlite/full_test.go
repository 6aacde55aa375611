package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
)

// A full disk, simulated with max_page_count on the writer's connection
// (SQLite then fails writes with SQLITE_FULL, as on a full file system):
// Ready says so once a write has failed, while reads still work.
func TestReadyWhenTheDiskIsFull(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := open(ctx, filepath.Join(t.TempDir(), "plusone.db"), []string{"max_page_count(400)"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready before the disk is full: %v", err)
	}
	body := bytes.Repeat([]byte("x"), 8<<10)
	var full error
	stored := 0
	for i := range 10000 {
		ev := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: fmt.Sprint("evt-", i), Body: body}
		if _, err := s.AppendEvent(ctx, ev); err != nil {
			full = err
			break
		}
		stored++
	}
	if full == nil {
		t.Fatal("10,000 events of 8 KB fit in 400 pages")
	}
	if !strings.Contains(full.Error(), "full") {
		t.Errorf("the write that failed: %v, want SQLITE_FULL", full)
	}
	err = s.Ready(ctx)
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Errorf("Ready on a full disk: %v, want an error that says the disk is full", err)
	}
	st, err := s.InboxStats(ctx)
	if err != nil || st.Pending != stored {
		t.Errorf("reading on a full disk: %+v, %v; want %d pending", st, err, stored)
	}
	t.Logf("%d events stored before SQLITE_FULL; Ready: %v", stored, s.Ready(ctx))
}
