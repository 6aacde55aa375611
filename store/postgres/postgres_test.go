package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/postgres"
	"github.com/plusone-hq/plusone/store/postgres/pgtest"
	"github.com/plusone-hq/plusone/store/storetest"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) plusone.Store {
		s, err := postgres.Open(context.Background(), pgtest.Schema(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// pool_max_conns in the URL bounds the process's connections and never
// reaches the server as a setting (which would refuse every connection); a
// bad value is a start-up error naming it.
func TestPoolMaxConns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.Schema(t)
	s, err := postgres.Open(ctx, url+"&pool_max_conns=3")
	if err != nil {
		t.Fatalf("open with pool_max_conns=3: %v", err)
	}
	defer s.Close()
	// More concurrent writers than connections still all get their turn.
	errs := make(chan error, 12)
	for range 12 {
		go func() {
			errs <- s.Update(ctx, func(tx plusone.Tx) error { return tx.Lock(ctx, "pool-test") })
		}()
	}
	for range 12 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, bad := range []string{"x", "1"} {
		if _, err := postgres.Open(ctx, url+"&pool_max_conns="+bad); err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
			t.Errorf("pool_max_conns=%s: %v, want an error naming pool_max_conns", bad, err)
		}
	}
}

// The queue tables are vacuumed after 1 % of their rows changed, and a
// server without autovacuum is pointed out.
func TestQueueVacuumSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.Schema(t)
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"inbox", "cards", "jobs", "customers"} {
		var opts string
		err := db.QueryRowContext(ctx, `SELECT array_to_string(reloptions, ',') FROM pg_class
			WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`, table).Scan(&opts)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if !strings.Contains(opts, "autovacuum_vacuum_scale_factor=0.01") {
			t.Errorf("%s: options %q, want autovacuum_vacuum_scale_factor=0.01", table, opts)
		}
	}
	var autovacuum string
	if err := db.QueryRowContext(ctx, "SHOW autovacuum").Scan(&autovacuum); err != nil {
		t.Fatal(err)
	}
	advice, err := postgres.Advice(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if said := len(advice) > 0 && strings.Contains(advice[0], "autovacuum off"); said != (autovacuum != "on") {
		t.Errorf("autovacuum %s, advice %q", autovacuum, advice)
	}
}

// A lock excludes the replicas of one deployment (stores on one schema) but
// not a deployment in another schema of the same database: PostgreSQL's
// advisory locks are the database's, so the key names the schema.
func TestLocksArePerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	here := pgtest.Schema(t)
	open := func(url string) plusone.Store {
		s, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	holder, replica, elsewhere := open(here), open(here), open(pgtest.Schema(t))
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- holder.Update(ctx, func(tx plusone.Tx) error {
			if err := tx.Lock(ctx, "customer:1"); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	try := func(s plusone.Store, within time.Duration) error {
		ctx, cancel := context.WithTimeout(ctx, within)
		defer cancel()
		return s.Update(ctx, func(tx plusone.Tx) error { return tx.Lock(ctx, "customer:1") })
	}
	if err := try(elsewhere, 10*time.Second); err != nil {
		t.Errorf("another schema waited for this one's lock: %v", err)
	}
	if err := try(replica, 300*time.Millisecond); err == nil {
		t.Error("a replica on the same schema took a lock another one holds")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
