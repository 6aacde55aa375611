// Package pgtest gives tests outside store/postgres a PostgreSQL of their
// own: an empty schema on the test server, dropped when the test ends.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// URL is the PostgreSQL the tests use: PLUSONE_TEST_POSTGRES_URL, or the
// local server every development machine and CI of this project runs.
func URL() string {
	if u := os.Getenv("PLUSONE_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

var schemas atomic.Int64

// Schema creates an empty schema for one test and returns a URL whose
// connections use it (several stores may open it, as replicas do). The
// test is skipped when PostgreSQL is not reachable, except in CI where it
// fails.
func Schema(t testing.TB) string {
	t.Helper()
	admin, err := sql.Open("pgx", URL())
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
		t.Skipf("PostgreSQL not reachable at %s: %v", URL(), err)
	}
	name := fmt.Sprintf("plusone_pgtest_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000, schemas.Add(1))
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", URL())
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP SCHEMA " + name + " CASCADE")
	})
	sep := "?"
	if strings.Contains(URL(), "?") {
		sep = "&"
	}
	return URL() + sep + "search_path=" + name
}
