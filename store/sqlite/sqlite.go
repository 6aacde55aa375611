// Package sqlite opens plusone's embedded store: a SQLite file through the
// pure-Go modernc.org/sqlite driver, migrated with goose on open.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/plusone-hq/plusone/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if needed) the SQLite database at path, migrates it to
// the latest schema and returns the store.
//
// Writes go through a single connection with BEGIN IMMEDIATE, so that
// read-then-write transactions never fail with SQLITE_BUSY; reads use a small
// separate pool, which WAL lets run beside the writer. Commits that must
// survive a power failure are made with synchronous=FULL, but for stored
// webhooks: their group commits are answered after an fdatasync of the
// write-ahead log that the next group commit does not wait for
// (walFlusher); replayable work commits without waiting for the disk.
//
// opts tune the store (sqlstore.WithTimeout).
func Open(ctx context.Context, path string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	return open(ctx, path, nil, opts...)
}

// open is Open with more pragmas for the writer's connection (tests use
// max_page_count to fill the disk).
func open(ctx context.Context, path string, writerPragmas []string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	writer, err := sql.Open("sqlite", dsn(path, false, writerPragmas...))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxIdleTime(0)
	writer.SetConnMaxLifetime(0)
	provider, err := migrate(ctx, writer)
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s for reading: %w", path, err)
	}
	reader.SetMaxOpenConns(4)
	reader.SetMaxIdleConns(4)
	var flusher sqlstore.Flusher
	var mode string
	if err := writer.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		writer.Close()
		reader.Close()
		return nil, fmt.Errorf("journal mode of %s: %w", path, err)
	}
	if mode == "wal" {
		flusher = &walFlusher{path: path + "-wal"}
	}
	o := sqlstore.Options{
		Dialect: sqlstore.Dialect{
			DurableOn: "PRAGMA synchronous = FULL", DurableOff: "PRAGMA synchronous = NORMAL",
			BodyContains: "instr(lower(CAST(body AS TEXT)), ?) > 0",
			Fault:        fault},
		Writer:       writer,
		Reader:       reader,
		HasPending:   provider.HasPending,
		SingleWriter: true,
		Flusher:      flusher, // nil (commits wait for the disk) where the file is not in WAL mode
	}
	for _, opt := range opts {
		opt(&o)
	}
	st := sqlstore.New(o)
	if o.Spool != "" {
		if err := st.StartSpool(ctx, o.Spool); err != nil {
			st.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	return st, nil
}

// fault tells the SQLite errors that say the database cannot work (full,
// read-only, locked past busy_timeout, I/O errors, corrupt) from those that
// refuse one statement (a constraint).
func fault(err error) bool {
	e, ok := errors.AsType[*sqlite.Error](err)
	if !ok {
		return false
	}
	switch e.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_BUSY,
		sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM,
		sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PROTOCOL:
		return true
	}
	return false
}

func dsn(path string, readOnly bool, pragmas ...string) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	// Commits wait for the disk only where they must (acknowledged
	// webhooks, posted cards, Update): the store switches FULL on for
	// those. NORMAL in WAL mode still survives a crash of the process.
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		q.Set("_txlock", "deferred")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

func migrate(ctx context.Context, db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return nil, err
	}
	if _, err := p.Up(ctx); err != nil {
		return nil, err
	}
	return p, nil
}
