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
	// Numbered rewrites "?" placeholders to "$1", "$2", ….
	Numbered bool
	// LockSkip is appended to the subqueries that pick work to claim, so
	// that concurrent claimers skip each other's rows ("FOR UPDATE SKIP
	// LOCKED" on PostgreSQL; SQLite has a single writer and needs none).
	LockSkip string
	// DurableOn and DurableOff bracket, on one connection, a transaction
	// that must reach the disk before it commits, where the connection's
	// default does not wait for it (SQLite: synchronous NORMAL → FULL).
	DurableOn, DurableOff string
	// Relaxed starts a transaction whose commit need not wait for the disk,
	// where waiting is the default (PostgreSQL: synchronous_commit off).
	Relaxed string
	// LockKey takes a lock on one key (?) until the transaction ends, where
	// concurrent writers need one (PostgreSQL: an advisory lock); empty
	// where transactions already write one at a time (SQLite).
	LockKey string
}

// commitMode says how a transaction commits.
type commitMode int

const (
	durable commitMode = iota
	replayable
	readOnly
)

// Options configures a Store.
type Options struct {
	Dialect Dialect
	// Writer runs every write. For SQLite it must be a single connection
	// opened with _txlock=immediate.
	Writer *sql.DB
	// Reader runs View transactions; it may be Writer.
	Reader *sql.DB
	// HasPending reports whether migrations remain to be applied.
	HasPending func(ctx context.Context) (bool, error)
	// SingleWriter says that the database takes one write transaction at
	// a time (SQLite): the store then queues them itself, stored webhooks
	// first (writerGate).
	SingleWriter bool
}

// Store is a plusone.Store on a SQL database.
type Store struct {
	d          Dialect
	w, r       *sql.DB
	wc, rc     *stmtCache
	hasPending func(ctx context.Context) (bool, error)
	gate       *writerGate // nil where writers need no queue

	appends   chan appendReq
	closing   chan struct{}
	appenders sync.WaitGroup
	closeOnce sync.Once
}

var _ plusone.Store = (*Store)(nil)

// New returns a Store over already migrated databases.
func New(o Options) *Store {
	if o.Reader == nil {
		o.Reader = o.Writer
	}
	// One cache per pool; a store with one pool shares it.
	s := &Store{d: o.Dialect, w: o.Writer, r: o.Reader, hasPending: o.HasPending,
		wc: newStmtCache(o.Writer, o.Dialect), rc: nil,
		appends: make(chan appendReq), closing: make(chan struct{})}
	if o.SingleWriter {
		s.gate = &writerGate{}
	}
	s.rc = s.wc
	if o.Reader != o.Writer {
		s.rc = newStmtCache(o.Reader, o.Dialect)
	}
	// Several group commits in flight where the database takes concurrent
	// writers (PostgreSQL flushes their commits together); one where it
	// does not.
	n := concurrentAppenders
	if o.SingleWriter {
		n = 1
	}
	for range n {
		s.appenders.Go(s.appender)
	}
	return s
}

// Close stops the appender and closes both connection pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	s.appenders.Wait()
	s.wc.close()
	if s.rc != s.wc {
		s.rc.close()
	}
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
	if s.hasPending == nil {
		return nil
	}
	has, err := s.hasPending(ctx)
	if err != nil {
		return fmt.Errorf("migration status: %w", err)
	}
	if has {
		return errors.New("database has pending migrations")
	}
	return nil
}

// Update runs fn in a read-write transaction.
func (s *Store) Update(ctx context.Context, fn func(plusone.Tx) error) error {
	return s.inTx(ctx, durable, fn)
}

// UpdateReplayable runs fn in a read-write transaction that does not wait
// for the disk.
func (s *Store) UpdateReplayable(ctx context.Context, fn func(plusone.Tx) error) error {
	return s.inTx(ctx, replayable, fn)
}

// View runs fn in a read-only transaction. Writes through its tx fail.
func (s *Store) View(ctx context.Context, fn func(plusone.Tx) error) error {
	return s.inTx(ctx, readOnly, fn)
}

func (s *Store) inTx(ctx context.Context, mode commitMode, fn func(plusone.Tx) error) error {
	return s.dbTx(ctx, mode, func(x db) error { return fn(&tx{x: x}) })
}

// durableTx runs fn in a writer transaction whose commit survives a power
// failure.
func (s *Store) durableTx(ctx context.Context, fn func(x db) error) error {
	return s.dbTx(ctx, durable, fn)
}

// dbTx runs fn in a transaction of mode: on the reader when read-only, else
// on the writer.
func (s *Store) dbTx(ctx context.Context, mode commitMode, fn func(x db) error) error {
	if mode == readOnly {
		return s.txOn(ctx, s.r, s.rc, mode, fn)
	}
	return s.writeTx(ctx, mode, false, fn)
}

// writeTx runs fn in a writer transaction of mode, after the transactions
// queued before it; urgent ones (stored webhooks) go first.
func (s *Store) writeTx(ctx context.Context, mode commitMode, urgent bool, fn func(x db) error) error {
	if s.gate != nil {
		if err := s.gate.lock(ctx, urgent); err != nil {
			return fmt.Errorf("wait for the writer: %w", err)
		}
		defer s.gate.unlock()
	}
	return s.withMode(ctx, mode, func(b beginner) error { return s.txOn(ctx, b, s.wc, mode, fn) })
}

// beginner is what *sql.DB and *sql.Conn have in common.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// withMode gives fn the writer to begin a transaction of mode on: the pool,
// or, for a durable commit where the dialect must switch it on, one
// connection with durability switched on for the while.
func (s *Store) withMode(ctx context.Context, mode commitMode, fn func(b beginner) error) error {
	if mode != durable || s.d.DurableOn == "" {
		return fn(s.w)
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("writer connection: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, s.d.DurableOn); err != nil {
		return fmt.Errorf("durable commit: %w", err)
	}
	defer func() {
		// Always switch back, even when ctx is done.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), s.d.DurableOff)
	}()
	return fn(conn)
}

func (s *Store) txOn(ctx context.Context, b beginner, cache *stmtCache, mode commitMode, fn func(x db) error) (err error) {
	var opts *sql.TxOptions
	if mode == readOnly {
		opts = &sql.TxOptions{ReadOnly: true}
	}
	sqlTx, err := b.BeginTx(ctx, opts)
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
	if mode == replayable && s.d.Relaxed != "" {
		if _, err = sqlTx.ExecContext(ctx, s.d.Relaxed); err != nil {
			return fmt.Errorf("relaxed commit: %w", err)
		}
	}
	if err = fn(db{tx: sqlTx, d: s.d, c: cache}); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
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

// db runs statements on a pool or in a transaction, bound for the dialect
// and prepared once through the pool's statement cache.
type db struct {
	tx *sql.Tx // nil outside a transaction: statements run on c's pool
	d  Dialect
	c  *stmtCache
}

func (x db) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	return x.c.stmt(ctx, x.tx, query)
}

func (x db) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := x.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (x db) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := x.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// row is a single-row result whose error may come from preparing.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

func (x db) queryRow(ctx context.Context, query string, args ...any) row {
	st, err := x.stmt(ctx, query)
	if err != nil {
		return row{err: err}
	}
	return row{r: st.QueryRowContext(ctx, args...)}
}

// scanner is what *sql.Rows and row have in common.
type scanner interface {
	Scan(dest ...any) error
}

// collect scans every row of rows with scan, then closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// deref adapts a scan that returns a pointer, to collect values.
func deref[T any](scan func(scanner) (*T, error)) func(scanner) (T, error) {
	return func(r scanner) (T, error) {
		p, err := scan(r)
		if err != nil {
			var zero T
			return zero, err
		}
		return *p, nil
	}
}

// writer and reader run statements outside transactions.
func (s *Store) writer() db { return db{d: s.d, c: s.wc} }
func (s *Store) reader() db { return db{d: s.d, c: s.rc} }

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
