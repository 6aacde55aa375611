package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/sqlite"
	"github.com/plusone-hq/plusone/store/sqlstore"
	"github.com/plusone-hq/plusone/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) plusone.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plusone.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestConformanceSpooled runs the suite on a store that takes webhooks into
// a spool, as `plusone serve` opens it.
func TestConformanceSpooled(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) plusone.Store {
		path := filepath.Join(t.TempDir(), "plusone.db")
		s, err := sqlite.Open(context.Background(), path, sqlstore.WithSpool(path+".spool"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dir with space", "plusone.db")
	if _, err := sqlite.Open(ctx, path); err == nil {
		t.Fatal("opening in a missing directory should fail")
	}
	path = filepath.Join(t.TempDir(), "plusone #1.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ev := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "k", Body: []byte("{}")}
	if _, err := s.AppendEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dup, err := s.AppendEvent(ctx, &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: "k", Body: []byte("{}")})
	if err != nil || !dup {
		t.Fatalf("after reopen: dup=%v err=%v", dup, err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkAppendEvent stores webhook events durably from parallel
// goroutines, as concurrent webhook requests do (group commit).
func BenchmarkAppendEvent(b *testing.B) {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	body := []byte(`{"id":"evt","type":"ticket.created","customer":{"email":"jane@example.com"},"ticket":{"id":"T-1"}}`)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ev := &plusone.RawEvent{Source: plusone.SourceGeneric, DedupeKey: fmt.Sprint("k", n.Add(1)), Body: body}
			if _, err := s.AppendEvent(context.Background(), ev); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
