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
	"sync/atomic"
	"time"
	"unicode/utf8"

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
	// Fault classifies the database's own errors for readiness; see Fault.
	Fault Fault
	// BodyContains is a condition on the inbox that holds when an event's
	// raw body, lowercased, contains the text ? (erasure finds the
	// deliveries that name a customer by it).
	BodyContains string
	// TextUTF8 says text takes only UTF-8 without NUL (PostgreSQL): string
	// arguments are made so (storable) rather than fail their statement.
	TextUTF8 bool
	// InsertInbox, where the database takes arrays as arguments, inserts
	// any number of events into the inbox in one statement, in the order
	// given: its five arguments are arrays of sources, dedupe keys,
	// headers, bodies and received_at (Unix microseconds). It skips the
	// keys stored already and returns id, source and dedupe_key of the rows
	// it inserted. Being one statement, it commits by itself: a group
	// commit is then one round trip, however many events it holds
	// (PostgreSQL: unnest). Empty: statements of several rows, in a
	// transaction.
	InsertInbox string
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
	// Timeout bounds every call: one transaction from when it has its
	// connection to its commit, one queue call, one group commit of appended
	// events. A caller's earlier deadline wins. Zero means DefaultTimeout.
	Timeout time.Duration
	// SingleWriter says that the database takes one write transaction at
	// a time (SQLite): the store then queues them itself, stored webhooks
	// first (writerGate).
	SingleWriter bool
	// Flusher, where set, makes commits durable after the fact: group
	// commits of appended events then commit without waiting for the disk
	// and are answered after a flush (see flushQueue). Others keep
	// DurableOn.
	Flusher Flusher
	// Spool, where set, is a directory in which the store takes webhooks
	// (see spooled); the store's opener starts it (StartSpool). Only for a
	// database one process uses.
	Spool string
}

// DefaultTimeout is how long one store call may take when Options.Timeout
// is not set: far above a healthy database's milliseconds, short enough
// that a frozen connection is given up while its work can still be retried
// elsewhere.
const DefaultTimeout = 10 * time.Second

// Option changes the Options a store is opened with (store/sqlite and
// store/postgres take them).
type Option func(*Options)

// WithTimeout sets Options.Timeout.
func WithTimeout(d time.Duration) Option { return func(o *Options) { o.Timeout = d } }

// WithSpool sets Options.Spool.
func WithSpool(dir string) Option { return func(o *Options) { o.Spool = dir } }

// Fault tells whether a database error says that the store cannot work
// (connection lost, disk full, I/O error, timeouts) rather than that one
// statement was refused (a constraint, a serialization conflict). nil
// counts only the generic signs: deadlines, lost connections.
type Fault func(err error) bool

// Store is a plusone.Store on a SQL database.
type Store struct {
	d          Dialect
	w, r       *sql.DB
	wc, rc     *stmtCache
	hasPending func(ctx context.Context) (bool, error)
	timeout    time.Duration
	health     health

	// life is the store's own lifetime, not a request's: Close cancels it,
	// which ends every call still in flight.
	life    context.Context
	endLife context.CancelFunc

	gate *writerGate // nil where writers need no queue
	// lastBurst is when the latest group commit of a burst began (Unix ns).
	lastBurst atomic.Int64

	appends   chan appendReq
	closing   chan struct{}
	appenders sync.WaitGroup
	flushes   *flushQueue // nil: group commits wait for the disk themselves
	spool     *spooled    // nil: webhooks go straight to the inbox
	closeOnce sync.Once
}

var _ plusone.Store = (*Store)(nil)

// New returns a Store over already migrated databases.
func New(o Options) *Store {
	if o.Reader == nil {
		o.Reader = o.Writer
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	life, endLife := context.WithCancel(context.Background())
	s := &Store{d: o.Dialect, w: o.Writer, r: o.Reader, hasPending: o.HasPending, timeout: o.Timeout,
		life: life, endLife: endLife,
		appends: make(chan appendReq), closing: make(chan struct{})}
	if o.SingleWriter {
		s.gate = &writerGate{}
	}
	// One cache per pool; a store with one pool shares it.
	s.wc = newStmtCache(o.Writer, o.Dialect, s.bound)
	s.rc = s.wc
	if o.Reader != o.Writer {
		s.rc = newStmtCache(o.Reader, o.Dialect, s.bound)
	}
	s.health.owner = probeOwner()
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
	if o.Flusher != nil {
		s.flushes = newFlushQueue(o.Flusher)
		s.flushes.done.Go(s.flusher)
	}
	return s
}

// bound returns ctx with the store's deadline for one call (unless ctx
// ends earlier), ended too when the store closes. A frozen connection then
// costs a call at most the timeout: the drivers give up the connection
// when the context ends.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	stop := context.AfterFunc(s.life, cancel)
	return ctx, func() { stop(); cancel() }
}

// Close ends every call still in flight, stops the appender and closes
// both connection pools. Acknowledged appends were committed before their
// callers heard of it, so nothing acknowledged is lost by ending the rest.
// Close returns quickly on a healthy database; on a frozen one closing the
// pools may take a few seconds per connection (the driver's own bounds), so
// a caller with a deadline should not wait for it past that deadline.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		if s.spool != nil {
			s.spool.done.Wait() // its last moves, within the timeout
		}
		s.endLife()
	})
	s.appenders.Wait()
	flushErr := errors.Join(s.closeFlushes(), s.closeSpool())
	s.wc.close()
	if s.rc != s.wc {
		s.rc.close()
	}
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return errors.Join(err, flushErr)
}

// Ready checks that the database answers, is migrated and can write now:
// the latest write (a transaction, a group commit of appends, or a probe)
// must have succeeded and none failed in the last FaultHold, no write may
// have been in flight for over half the timeout, and when nothing was
// written for a while a probe write is made (see health.go).
func (s *Store) Ready(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if s.hasPending != nil {
		has, err := s.hasPending(ctx)
		if err != nil {
			return fmt.Errorf("migration status: %w", err)
		}
		if has {
			return errors.New("database has pending migrations")
		}
	}
	return s.writable(ctx)
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
//
// The transaction has the store's deadline (bound) from the moment it has
// its connection, and its statements run on it whatever context fn passes
// them, unless theirs ends earlier: a transaction on a frozen connection is
// given up at its deadline. Waiting for the writer is queueing (SQLite
// has one writer, which a burst of clicks waits for in turn), ended only by
// the caller or Close; every holder's deadline keeps the queue moving. A
// write transaction is tracked while it holds its connection, and its
// outcome recorded, for Ready.
func (s *Store) dbTx(ctx context.Context, mode commitMode, fn func(x db) error) error {
	return s.writeTx(ctx, mode, false, fn)
}

// writeTx is dbTx where an urgent write transaction (a delivered card's
// record, which the one card sender waits for) goes before the others
// queued for a single writer.
func (s *Store) writeTx(ctx context.Context, mode commitMode, urgent bool, fn func(x db) error) error {
	pool, cache := s.w, s.wc
	if mode == readOnly {
		pool, cache = s.r, s.rc
	}
	// With a Flusher, a durable transaction commits without waiting for
	// the disk, frees the writer, and then waits for a flush: the one that
	// serves the group commits of webhooks too.
	flush := mode == durable && s.flushes != nil
	if flush {
		mode = replayable
	}
	err := s.withConn(ctx, pool, mode != readOnly, urgent, func(conn *sql.Conn) error {
		bctx, cancel := s.bound(ctx)
		defer cancel()
		if mode == readOnly {
			return s.txOn(bctx, conn, cache, mode, fn)
		}
		seq := s.health.begin(time.Now())
		err := s.withMode(bctx, conn, mode, func() error { return s.txOn(bctx, conn, cache, mode, fn) })
		s.health.end(seq)
		s.record(ctx, err)
		return err
	})
	if err != nil || !flush {
		return err
	}
	return s.flushes.wait(ctx)
}

// withConn waits for a connection of pool and runs fn with it; a writer
// (write) first waits for its turn at the gate of a single-writer database,
// urgent ones first. Waiting ends with ctx or when the store closes; a
// writer that could not get its connection is recorded for Ready.
func (s *Store) withConn(ctx context.Context, pool *sql.DB, write, urgent bool, fn func(conn *sql.Conn) error) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.life, cancel)
	defer stop()
	if write && s.gate != nil {
		if err := s.gate.lock(wctx, urgent); err != nil {
			return fmt.Errorf("wait for the writer: %w", err)
		}
		defer s.gate.unlock()
	}
	conn, err := pool.Conn(wctx)
	if err != nil {
		err = fmt.Errorf("connection: %w", err)
		if write {
			s.record(ctx, err)
		}
		return err
	}
	defer conn.Close()
	return fn(conn)
}

// beginner is what *sql.DB and *sql.Conn have in common.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// withMode runs fn, which begins a transaction of mode on conn, with
// durability switched on for the while where the dialect must switch it on
// for a durable commit.
func (s *Store) withMode(ctx context.Context, conn *sql.Conn, mode commitMode, fn func() error) error {
	if mode != durable || s.d.DurableOn == "" {
		return fn()
	}
	if _, err := conn.ExecContext(ctx, s.d.DurableOn); err != nil {
		return fmt.Errorf("durable commit: %w", err)
	}
	defer func() {
		// Always switch back, even when ctx is done.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), s.d.DurableOff)
	}()
	return fn()
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
	if err = fn(db{tx: sqlTx, d: s.d, c: cache, ctx: ctx}); err != nil {
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
	// ctx is the transaction's context, with its deadline; nil outside a
	// transaction.
	ctx context.Context
}

// in returns the context a statement runs on: in a transaction, the
// transaction's, unless the statement's own ends first.
func (x db) in(ctx context.Context) context.Context {
	if x.ctx == nil || ctx == x.ctx {
		return ctx
	}
	if own, ok := ctx.Deadline(); ok {
		if txs, ok := x.ctx.Deadline(); ok && own.Before(txs) {
			return ctx
		}
	}
	return x.ctx
}

// storable makes the string arguments valid UTF-8 without NUL where the
// dialect's text takes nothing else (TextUTF8): each NUL and each byte
// that is not UTF-8 becomes U+FFFD. A JSON string may hold \u0000 and a
// header any byte; on PostgreSQL such an event failed to apply on every
// retry till it was parked, while SQLite kept it.
func (x db) storable(args []any) []any {
	if !x.d.TextUTF8 {
		return args
	}
	for i, a := range args {
		if s, ok := a.(string); ok && (strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)) {
			args[i] = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
		}
	}
	return args
}

func (x db) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	return x.c.stmt(ctx, x.tx, query)
}

func (x db) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, args = x.in(ctx), x.storable(args)
	st, err := x.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (x db) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, args = x.in(ctx), x.storable(args)
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
	ctx, args = x.in(ctx), x.storable(args)
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
