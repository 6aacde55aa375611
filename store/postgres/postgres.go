// Package postgres opens plusone's store on PostgreSQL through pgx's
// database/sql driver, migrated with goose on open. It runs the same SQL as
// the embedded SQLite store and passes the same conformance suite.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/plusone-hq/plusone/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open connects to the database at url (postgres://…), migrates it under a
// session lock, so that several replicas may start at once, and returns the
// store.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(16)
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		db.Close()
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		db.Close()
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate postgres: %w", err)
	}
	return sqlstore.New(sqlstore.Options{
		Dialect: sqlstore.Dialect{Numbered: true, LockSkip: "FOR UPDATE SKIP LOCKED",
			Relaxed: "SET LOCAL synchronous_commit TO OFF",
			LockKey: "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))"},
		Writer:     db,
		HasPending: p.HasPending,
	}), nil
}
