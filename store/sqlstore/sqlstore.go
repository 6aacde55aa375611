// Package sqlstore implements plusone.Store over database/sql. The SQL is
// written once, with "?" placeholders, and runs on SQLite (store/sqlite) and
// PostgreSQL (store/postgres); a Dialect carries the few differences.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
)

// Dialect holds what differs between the databases.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Numbered rewrites "?" placeholders to "$1", "$2", ….
	Numbered bool
	// LockSkip is appended to the subqueries that pick work to claim, so
	// that concurrent claimers skip each other's rows ("FOR UPDATE SKIP
	// LOCKED" on PostgreSQL; SQLite has a single writer and needs none).
	LockSkip string
}

// Options configures a Store.
type Options struct {
	Dialect Dialect
	// Writer runs every write. For SQLite it must be a single connection
	// opened with _txlock=immediate.
	Writer *sql.DB
	// Reader runs View transactions; it may be Writer.
	Reader *sql.DB
	// Migrated returns nil when the schema is at the latest version.
	Migrated func(ctx context.Context) error
}

// Store is a plusone.Store on a SQL database.
type Store struct {
	d        Dialect
	w, r     *sql.DB
	migrated func(ctx context.Context) error

	appends      chan appendReq
	closing      chan struct{}
	appenderDone chan struct{}
	closeOnce    sync.Once
}

var _ plusone.Store = (*Store)(nil)

// New returns a Store over already migrated databases.
func New(o Options) *Store {
	if o.Reader == nil {
		o.Reader = o.Writer
	}
	s := &Store{d: o.Dialect, w: o.Writer, r: o.Reader, migrated: o.Migrated,
		appends: make(chan appendReq), closing: make(chan struct{}), appenderDone: make(chan struct{})}
	go s.appender()
	return s
}

// Close stops the appender and closes both connection pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	<-s.appenderDone
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Ready checks that the database answers and is migrated.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if s.migrated != nil {
		return s.migrated(ctx)
	}
	return nil
}

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(plusone.Tx) error) error {
	return s.inTx(ctx, s.w, nil, fn)
}

// View runs fn in a read-only transaction. Writes through its tx fail.
func (s *Store) View(ctx context.Context, fn func(plusone.Tx) error) error {
	return s.inTx(ctx, s.r, &sql.TxOptions{ReadOnly: true}, fn)
}

func (s *Store) inTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(plusone.Tx) error) (err error) {
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(&tx{q: sqlTx, d: s.d}); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// bind rewrites placeholders for the dialect.
func (d Dialect) bind(query string) string {
	if !d.Numbered || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// db wraps a querier with the dialect so every statement is bound once, here.
type db struct {
	q querier
	d Dialect
}

func (x db) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return x.q.ExecContext(ctx, x.d.bind(query), args...)
}

func (x db) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return x.q.QueryContext(ctx, x.d.bind(query), args...)
}

func (x db) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return x.q.QueryRowContext(ctx, x.d.bind(query), args...)
}

// affected returns ErrLeaseLost when res changed no row.
func leaseHeld(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return plusone.ErrLeaseLost
	}
	return nil
}

// Times are stored as Unix microseconds; NULL is the zero time.
func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromTS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func fromNullInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	i := int(v.Int64)
	return &i
}

func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return plusone.ErrNotFound
	}
	return err
}
