package postgres

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/postgres/pgtest"
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
	url := pgtest.Schema(t)
	cc, _, err := connConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cc)
	p, err := provider(db, 0)
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
	s, err := Open(ctx, url)
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

// Migrations take a lock of their schema's: while one deployment's
// replicas migrate, a deployment in another schema of the database
// migrates at once (goose's one lock for the whole database made it wait,
// looking again every 5 s), and a replica of the same schema waits.
func TestMigrationLockIsPerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	here, elsewhere := pgtest.Schema(t), pgtest.Schema(t)
	db, err := sql.Open("pgx", here)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var schema string
	if err := conn.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockID(schema)); err != nil {
		t.Fatal(err)
	}

	other, err := Open(ctx, elsewhere)
	if err != nil {
		t.Fatalf("another schema could not migrate while this one's lock was held: %v", err)
	}
	other.Close()

	short, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	if s, err := Open(short, here); err == nil {
		s.Close()
		t.Fatal("a replica migrated while another held its schema's migration lock")
	}

	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_unlock($1)", migrationLockID(schema)); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, here)
	if err != nil {
		t.Fatalf("after the lock was let go: %v", err)
	}
	s.Close()
}
