package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/sqlite"
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
