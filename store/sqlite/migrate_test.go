package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/plusone-hq/plusone"
)

// beforeMigration is the version just before the migration whose file
// name ends in name.
func beforeMigration(t *testing.T, name string) int64 {
	t.Helper()
	files, err := fs.Glob(migrations, "migrations/*"+name)
	if err != nil || len(files) != 1 {
		t.Fatalf("migration %s: %v %v", name, files, err)
	}
	v, err := strconv.ParseInt(strings.SplitN(filepath.Base(files[0]), "_", 2)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v - 1
}

// Requests already pending when the ledger got its blocking column get
// what blocks them from their reason; other entries get none.
func TestLedgerBlockingMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "plusone.db")
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, beforeMigration(t, "_ledger_blocking.sql")); err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO ledger (id, gesture, value, customer_id, agent, status, reason, created_at) VALUES
		(1, 'g', 1500, 1, 'U0ANA', 'pending_approval',
			'needs a supervisor''s approval: agent budget: $4 left of $90 today; over your $25 limit per gesture', 1),
		(2, 'g', 1500, 1, 'U0ANA', 'pending_approval', 'needs approval', 2),
		(3, 'g', 1500, 1, 'U0ANA', 'granted', 'within your limits: all fine', 3)`)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[int64][]string{
		1: {"agent budget: $4 left of $90 today", "over your $25 limit per gesture"},
		2: {"needs approval"},
		3: nil,
	}
	err = s.View(ctx, func(tx plusone.Tx) error {
		for id, blocking := range want {
			chain, err := tx.Request(ctx, id)
			if err != nil {
				return err
			}
			if !slices.Equal(chain[0].Blocking, blocking) {
				t.Errorf("entry %d blocking %q, want %q", id, chain[0].Blocking, blocking)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
