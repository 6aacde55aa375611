package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// schema is a PostgreSQL schema of the load test's own.
type schema struct {
	name string
	url  string // base with search_path set to the schema
	db   *sql.DB
	tls  bool // the connections are encrypted (see encryption)
}

// freshSchema creates a schema of its own in the PostgreSQL database at
// base; drop removes it.
func freshSchema(base string) (*schema, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("-database %q: want postgres://…", base)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	sc := &schema{name: "loadtest_" + hex.EncodeToString(b)}
	if sc.db, err = sql.Open("pgx", base); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := sc.db.ExecContext(ctx, "CREATE SCHEMA "+sc.name); err != nil {
		sc.db.Close()
		return nil, fmt.Errorf("create schema: %w", err)
	}
	// plusone connects with the same settings, so its connections are
	// encrypted as this one is.
	if err := sc.db.QueryRowContext(ctx, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&sc.tls); err != nil {
		sc.drop()
		return nil, fmt.Errorf("is the connection encrypted: %w", err)
	}
	q := u.Query()
	q.Set("search_path", sc.name)
	u.RawQuery = q.Encode()
	sc.url = u.String()
	return sc, nil
}

// encryption says whether the connections use TLS, which costs plusone and
// the server CPU: pgx's default sslmode=prefer encrypts even on loopback
// when the server offers it. Figures are comparable only with the same.
func (sc *schema) encryption() string {
	if sc.tls {
		return "connections over TLS (add ?sslmode=disable on loopback to leave it out)"
	}
	return "connections without TLS"
}

func (sc *schema) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := sc.db.ExecContext(ctx, "DROP SCHEMA "+sc.name+" CASCADE"); err != nil {
		fmt.Println("loadtest: drop schema", sc.name+":", err)
	}
	sc.db.Close()
}

// vacuumIfOff does what autovacuum would have done by now when the server
// runs without it (as the development machine's does): VACUUM (ANALYZE)
// of the schema's tables. Without it, the dead rows the queues leave
// (every event, card and job is updated several times) pile up and every
// claim scans them. It says what it did, or "" when autovacuum is on.
func (sc *schema) vacuumIfOff() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var on string
	if err := sc.db.QueryRowContext(ctx, "SHOW autovacuum").Scan(&on); err != nil {
		return "", fmt.Errorf("show autovacuum: %w", err)
	}
	if on == "on" {
		return "", nil
	}
	rows, err := sc.db.QueryContext(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = $1", sc.name)
	if err != nil {
		return "", fmt.Errorf("tables of %s: %w", sc.name, err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return "", err
		}
		tables = append(tables, sc.name+"."+t)
	}
	rows.Close()
	t0 := time.Now()
	if _, err := sc.db.ExecContext(ctx, "VACUUM (ANALYZE) "+strings.Join(tables, ", ")); err != nil {
		return "", fmt.Errorf("vacuum: %w", err)
	}
	return fmt.Sprintf("this server runs with autovacuum off: VACUUM (ANALYZE) of the %d tables, as autovacuum would have done by now, took %s",
		len(tables), time.Since(t0).Round(time.Millisecond)), nil
}
