package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/store/postgres"
	"github.com/plusone-hq/plusone/store/storetest"
)

// testURL is the PostgreSQL the tests use: PLUSONE_TEST_POSTGRES_URL, or the
// local server every development machine and CI of this project runs.
func testURL() string {
	if u := os.Getenv("PLUSONE_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var schemas atomic.Int64

// freshSchema creates an empty schema for one test and returns a URL whose
// connections use it; the schema is dropped when the test ends.
func freshSchema(t *testing.T) string {
	t.Helper()
	admin, err := sql.Open("pgx", testURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("PostgreSQL not reachable at %s: %v", testURL(), err)
	}
	name := fmt.Sprintf("plusone_test_%d_%d", os.Getpid(), schemas.Add(1))
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", testURL())
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP SCHEMA " + name + " CASCADE")
	})
	sep := "?"
	if strings.Contains(testURL(), "?") {
		sep = "&"
	}
	return testURL() + sep + "search_path=" + name
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) plusone.Store {
		s, err := postgres.Open(context.Background(), freshSchema(t))
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
	url := freshSchema(t)
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
