package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"sync"
)

// stmtCache keeps one prepared statement per query and pool, so that SQLite
// parses each query once instead of on every call (parsing was a third of
// the CPU of applying an event). Transactions use the shared statements
// through Tx.StmtContext, which reuses what is prepared on their connection.
// Queries are kept as written, with "?" placeholders, and bound for the
// dialect only when prepared.
type stmtCache struct {
	db *sql.DB
	d  Dialect
	// bound gives a background preparation the store's deadline.
	bound func(context.Context) (context.Context, context.CancelFunc)

	mu        sync.Mutex
	stmts     map[string]*sql.Stmt
	preparing map[string]bool
	closed    bool
	wg        sync.WaitGroup
}

func newStmtCache(db *sql.DB, d Dialect, bound func(context.Context) (context.Context, context.CancelFunc)) *stmtCache {
	return &stmtCache{db: db, d: d, bound: bound, stmts: map[string]*sql.Stmt{}, preparing: map[string]bool{}}
}

// stmt returns the statement for query, bound to tx when tx is not nil.
//
// A statement missing inside a transaction cannot be prepared on the pool
// there: on SQLite's single writer connection that would wait for the
// connection the transaction holds. The transaction then uses a statement
// of its own, and the shared one is prepared in the background as soon as
// the connection is free.
func (c *stmtCache) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	st, ok := c.stmts[query]
	if ok {
		c.mu.Unlock()
		if tx != nil {
			return tx.StmtContext(ctx, st), nil
		}
		return st, nil
	}
	if tx != nil {
		if !c.preparing[query] && !c.closed {
			c.preparing[query] = true
			c.wg.Go(func() { c.prepare(query) })
		}
		c.mu.Unlock()
		return tx.PrepareContext(ctx, c.d.bind(query))
	}
	c.mu.Unlock()
	st, err := c.db.PrepareContext(ctx, c.d.bind(query))
	if err != nil {
		return nil, err
	}
	return c.keep(query, st), nil
}

func (c *stmtCache) prepare(query string) {
	ctx, cancel := c.bound(context.Background())
	defer cancel()
	st, err := c.db.PrepareContext(ctx, c.d.bind(query))
	c.mu.Lock()
	delete(c.preparing, query)
	c.mu.Unlock()
	if err == nil {
		c.keep(query, st)
	}
}

// keep caches st unless another caller was first or the cache is closed,
// and returns the statement to use.
func (c *stmtCache) keep(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.stmts[query]; ok {
		st.Close()
		return prev
	}
	if c.closed {
		return st // used once by the caller, then left to the closed pool
	}
	c.stmts[query] = st
	return st
}

// close closes every cached statement; call it before closing the pool.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.wg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
}

// limitClause is a LIMIT clause with n written in, not bound. SQLite plans a
// statement with the value bound to its LIMIT and marks the statement to be
// prepared again whenever a later call binds another value there; a cached
// statement that callers run with different limits (a claim of 1 card and
// one of 16, a card's 5 tickets and derivation's 50) was parsed and planned
// again on most calls: 1,942 times in 5 s at 200 events a second, on the
// one writer. Each limit now has a statement of its own in the cache. For
// limits the code chooses only: a number from a request would leave a
// statement cached for each value sent.
func limitClause(n int) string { return " LIMIT " + strconv.Itoa(n) + " " }
