// Package postgres opens plusone's store on PostgreSQL through pgx's
// database/sql driver, migrated with goose on open. It runs the same SQL as
// the embedded SQLite store and passes the same conformance suite.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/plusone-hq/plusone/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Session settings every connection starts with, unless the URL sets them
// (any URL parameter pgx does not know is sent as a setting). They bound
// what the server does for a client it can no longer hear: the store gives
// up a call after its own timeout (10 s by default) and closes the
// connection, but a statement the server already runs, or the locks of a
// transaction the client abandoned, outlive the client until these fire.
var sessionDefaults = map[string]string{
	"application_name": "plusone",
	// Above the store's call timeout: a backstop, never the first to fire.
	"statement_timeout": "30s",
	// Also a backstop: waiting for a customer's, a request's or a budget's
	// lock is how writers take turns (a burst of events for one customer
	// queues on her lock), so the call's deadline ends a wait first. A lock
	// held by a session that froze is freed sooner, when
	// idle_in_transaction_session_timeout ends that session.
	"lock_timeout": "20s",
	// Our transactions never wait on anything but the database between
	// statements; one idle this long was abandoned by a client that froze.
	"idle_in_transaction_session_timeout": "15s",
	// The server's side of the keepalive: sessions of clients that vanished
	// are dropped, with their locks, after about a minute.
	"tcp_keepalives_idle":     "30",
	"tcp_keepalives_interval": "10",
	"tcp_keepalives_count":    "3",
}

// Connection defaults.
const (
	connectTimeout = 5 * time.Second  // unless the URL's connect_timeout says otherwise
	pingTimeout    = 2 * time.Second  // a connection reused after a second idle is pinged first
	maxLifetime    = 30 * time.Minute // connections are renewed, so none lives on a stale path
	maxIdleTime    = 5 * time.Minute
	// defaultPoolSize bounds one process's connections: the event workers,
	// the group commits in flight, the card sender and the API's reads.
	defaultPoolSize = 16
)

// keepalive is the client's side: a silent peer (a dropped NAT entry, a
// failed-over server) is noticed on an idle connection within about 30 s.
var keepalive = net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3}

// Open connects to the database at url (postgres://…), migrates it under a
// session lock, so that several replicas may start at once, and returns the
// store. opts tune the store (sqlstore.WithTimeout).
func Open(ctx context.Context, url string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	base, poolSize, err := connConfig(url)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, base); err != nil {
		return nil, err
	}
	cc := base.Copy()
	for k, v := range sessionDefaults {
		if _, set := cc.RuntimeParams[k]; !set {
			cc.RuntimeParams[k] = v
		}
	}
	db := stdlib.OpenDB(*cc, stdlib.OptionShouldPing(shouldPing))
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(max(1, poolSize/2))
	db.SetConnMaxLifetime(maxLifetime)
	db.SetConnMaxIdleTime(maxIdleTime)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	check, err := provider(db, 0)
	if err != nil {
		db.Close()
		return nil, err
	}
	o := sqlstore.Options{
		Dialect: sqlstore.Dialect{Numbered: true, LockSkip: "FOR UPDATE SKIP LOCKED",
			Relaxed: "SET LOCAL synchronous_commit TO OFF",
			// Advisory locks are the database's, not the schema's: the key
			// names the schema, so that deployments (and tests) sharing a
			// database in schemas of their own never wait on each other.
			LockKey: "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || '/' || ?, 0))",
			// encode(…, 'escape') reads any bytes (convert_from fails on
			// invalid UTF-8); an ASCII email is found as it is written.
			BodyContains: "strpos(lower(encode(body, 'escape')), ?) > 0",
			TextUTF8:     true,
			InsertInbox: `INSERT INTO inbox (source, dedupe_key, headers, body, received_at, run_after, state)
				SELECT source, dedupe_key, headers, body, received_at, received_at, 'pending'
				FROM unnest(?::text[], ?::text[], ?::text[], ?::bytea[], ?::bigint[])
					WITH ORDINALITY AS e(source, dedupe_key, headers, body, received_at, n)
				ORDER BY n
				ON CONFLICT (source, dedupe_key) DO NOTHING
				RETURNING id, source, dedupe_key`,
			Fault: fault},
		Writer:     db,
		HasPending: check.HasPending,
	}
	for _, opt := range opts {
		opt(&o)
	}
	return sqlstore.New(o), nil
}

// connConfig parses url and adds what every connection needs: a connect
// timeout, client TCP keepalive and the application name. It also returns
// how many connections one process may open: the URL's pool_max_conns
// (pgxpool's name for it), else defaultPoolSize; replicas × pool size must
// stay within the server's max_connections.
//
// Setting DialFunc replaces the dialer connect_timeout would have built,
// so the timeout is set on ours too.
func connConfig(url string) (*pgx.ConnConfig, int, error) {
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, 0, fmt.Errorf("postgres URL: %w", err)
	}
	poolSize := defaultPoolSize
	if v, set := cc.RuntimeParams["pool_max_conns"]; set {
		// Ours, not the server's: it must not reach the server as a setting.
		delete(cc.RuntimeParams, "pool_max_conns")
		if poolSize, err = strconv.Atoi(v); err != nil || poolSize < 2 {
			return nil, 0, fmt.Errorf("postgres URL: pool_max_conns=%q: want a whole number of at least 2", v)
		}
	}
	if cc.ConnectTimeout <= 0 {
		cc.ConnectTimeout = connectTimeout
	}
	dialer := &net.Dialer{Timeout: cc.ConnectTimeout, KeepAliveConfig: keepalive}
	cc.DialFunc = dialer.DialContext
	if _, set := cc.RuntimeParams["application_name"]; !set {
		cc.RuntimeParams["application_name"] = "plusone"
	}
	return cc, poolSize, nil
}

// migrate applies the migrations on connections of their own, with the
// URL's settings but none of the statement and lock timeouts: building an
// index on a large table may take minutes.
func migrate(ctx context.Context, cc *pgx.ConnConfig) error {
	db := stdlib.OpenDB(*cc)
	defer db.Close()
	db.SetMaxOpenConns(2)
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	var schema string
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	p, err := provider(db, migrationLockID(schema))
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return nil
}

// migrationLockID is the advisory lock that lets the replicas of one
// schema migrate at once: it names the schema, so that deployments (and
// tests) in other schemas of the database do not wait for it, as goose's
// one lock for the whole database made them (and it retried every 5 s).
func migrationLockID(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("plusone-migrations/" + schema))
	return int64(h.Sum64() &^ (1 << 63))
}

// provider is goose over db; a lockID other than 0 takes that session lock
// (only needed to apply migrations), looking again every second for up to
// five minutes.
func provider(db *sql.DB, lockID int64) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var opts []goose.ProviderOption
	if lockID != 0 {
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// shouldPing pings a connection idle for over a second before it is
// reused (pgx's default), within pingTimeout rather than the caller's whole
// deadline: a connection that froze while idle costs a call two seconds,
// then database/sql takes another. A failed ping has closed the
// connection; answering true makes the driver report it bad.
func shouldPing(ctx context.Context, p stdlib.ShouldPingParams) bool {
	if p.IdleDuration <= time.Second {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	return p.Conn.PgConn().Ping(ctx) != nil
}

// refusals are the SQLSTATE classes that refuse one statement rather than
// say the database cannot work: data exceptions, integrity constraints,
// serialization failures and deadlocks (retried), PL/pgSQL raises.
var refusals = map[string]bool{"22": true, "23": true, "40": true, "P0": true}

// fault tells the PostgreSQL errors that say the database cannot work
// (connection, resources such as a full disk, statement, lock and idle
// timeouts, shutdown, I/O) from refusals of one statement.
func fault(err error) bool {
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		return len(e.Code) < 2 || !refusals[e.Code[:2]]
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	return pgconn.Timeout(err)
}

// Advice lists what in the server's settings makes plusone slow down over
// time, for the operator (serve logs it at start): autovacuum turned off,
// which lets the dead rows of the queues pile up until every claim steps
// over tens of thousands of them (event → card went from 20 ms to 5 s at
// 200 events/s after 30,000 events on the development machine).
func Advice(ctx context.Context, url string) ([]string, error) {
	cc, _, err := connConfig(url)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var autovacuum string
	if err := conn.QueryRow(ctx, "SHOW autovacuum").Scan(&autovacuum); err != nil {
		return nil, fmt.Errorf("show autovacuum: %w", err)
	}
	var advice []string
	if autovacuum != "on" {
		advice = append(advice, "PostgreSQL runs with autovacuum off: the queues' dead rows (inbox, cards, jobs) pile up and "+
			"claims slow down as they do; turn autovacuum on, or VACUUM those tables every few minutes")
	}
	return advice, nil
}
