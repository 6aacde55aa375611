package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/store/postgres"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// Names of the generated customers: customer i is called first[i%64]
// last[(i/64)%256] (64 first names, 256 last names), so that a name prefix matches thousands of customers
// in a store of a million, as real names do.
var (
	firstNames = strings.Fields(`Aaron Abigail Adam Alice Amelia Andrew Anna Ben Carla Charles Chloe Daniel David
		Diana Dylan Elena Emily Emma Eric Ethan Fatima Felix Grace Hannah Harry Hugo Isabel Jack Jacob Jane Janet Jasmine
		Jonas Julia Karl Kate Laura Leo Liam Lily Lucas Maria Mark Maya Mia Nadia Noah Nora Oliver Olivia Omar Paul
		Peter Rachel Ravi Rosa Ruth Sam Sara Sofia Tom Victor Yusuf Zoe`)
	lastStems   = strings.Fields(`Ander Bak Carl Dal Eber Fisch Gar Hol Ives Jan Kel Lind Mor Nor Ols Pet Quin Ros Sand Tay Ull Vand Wes Yar Zell Ash Brook Crane Dun Ell Frost Gold`)
	lastEndings = strings.Fields(`son sen man ley ton berg ford field`)
)

// packed lays words out at a fixed width, for SQL to pick the i-th with
// substr.
func packed(words []string, width int) string {
	var b strings.Builder
	for _, w := range words {
		b.WriteString(w)
		b.WriteString(strings.Repeat(" ", width-len(w)))
	}
	return b.String()
}

func lastNames() []string {
	var out []string
	for _, s := range lastStems {
		for _, e := range lastEndings {
			out = append(out, s+e)
		}
	}
	return out
}

// bigDialect is the SQL that differs between SQLite and PostgreSQL for
// filling a big store.
type bigDialect struct {
	postgres bool
}

// series gives the clauses that number the rows lo..hi as n.i.
func (d bigDialect) series() (with, from string) {
	if d.postgres {
		return "", "generate_series(CAST(? AS BIGINT), CAST(? AS BIGINT)) AS n(i)"
	}
	return "WITH RECURSIVE n(i) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT i + 1 FROM n WHERE i < ?) ", "n"
}

func (d bigDialect) bind(q string) string {
	if !d.postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fillBig adds customers 1..n, each with an email identity, a solved
// ticket, an order and perCustomer timeline entries, in bulk SQL, in
// transactions of 20,000 customers.
func fillBig(ctx context.Context, db *sql.DB, d bigDialect, n, perCustomer int) error {
	with, from := d.series()
	const base = int64(1_700_000_000_000_000) // µs
	nf, nl := len(firstNames), len(lastNames())
	name := fmt.Sprintf(`trim(substr(CAST(? AS TEXT), CAST((i %% %d) * 10 + 1 AS INTEGER), 10)) || ' ' || `+
		`trim(substr(CAST(? AS TEXT), CAST(((i / %d) %% %d) * 12 + 1 AS INTEGER), 12))`, nf, nf, nl)
	first, last := packed(firstNames, 10), packed(lastNames(), 12)
	instr, pad := "instr", "printf('%010d', i)"
	if d.postgres {
		instr, pad = "strpos", "lpad(CAST(i AS TEXT), 10, '0')"
	}
	stmts := []struct {
		q    string
		args func(lo, hi int) []any
	}{
		{with + `INSERT INTO customers (id, name, email, created_at, updated_at, orders, lifetime_value, currency,
			first_seen, last_seen, open_tickets, tier, name_indexed)
			SELECT i, ` + name + `, 'c' || i || '@example.com', ` + fmt.Sprint(base) + ` + i, ` + fmt.Sprint(base) + ` + i,
				1, 4200, 'EUR', ` + fmt.Sprint(base) + ` + i, ` + fmt.Sprint(base) + ` + i, 0, 'regular', ` + name + ` FROM ` + from,
			func(lo, hi int) []any {
				if d.postgres { // the series comes after the names
					return []any{first, last, first, last, lo, hi}
				}
				return []any{lo, hi, first, last, first, last}
			}},
		{`INSERT INTO customer_names (key, customer_id)
			SELECT lower(name), id FROM customers WHERE id BETWEEN ? AND ?
			UNION ALL SELECT lower(substr(name, ` + instr + `(name, ' ') + 1)), id FROM customers WHERE id BETWEEN ? AND ?`,
			func(lo, hi int) []any { return []any{lo, hi, lo, hi} }},
		{`INSERT INTO identities (kind, value, customer_id, created_at)
			SELECT 'email', email, id, created_at FROM customers WHERE id BETWEEN ? AND ?`,
			func(lo, hi int) []any { return []any{lo, hi} }},
		{`INSERT INTO tickets (source, ticket_id, customer_id, subject, status, created_at, updated_at)
			SELECT 'generic', 'F-' || id, id, 'Where is my parcel', 'solved', created_at, created_at
			FROM customers WHERE id BETWEEN ? AND ?`,
			func(lo, hi int) []any { return []any{lo, hi} }},
		{`INSERT INTO orders (source, order_id, customer_id, name, total, currency, status, created_at, updated_at)
			SELECT 'generic', 'O-' || id, id, '#' || id, 4200, 'EUR', 'fulfilled', created_at, created_at
			FROM customers WHERE id BETWEEN ? AND ?`,
			func(lo, hi int) []any { return []any{lo, hi} }},
		{with + `INSERT INTO touchpoints (id, customer_id, source, kind, ref, dedupe_key, occurred_at, summary, amount, currency)
			SELECT i, (i - 1) / ` + fmt.Sprint(perCustomer) + ` + 1, 'generic',
				CASE WHEN i % 5 = 0 THEN 'order' ELSE 'message' END, '', 'fill:' || ` + pad + `,
				` + fmt.Sprint(base) + ` + i * 1000000, 'Customer: message number ' || i,
				CASE WHEN i % 5 = 0 THEN 4200 ELSE 0 END, 'EUR' FROM ` + from,
			func(lo, hi int) []any { return []any{(lo-1)*perCustomer + 1, hi * perCustomer} }},
	}
	const chunk = 20_000
	start := time.Now()
	for lo := 1; lo <= n; lo += chunk {
		hi := min(lo+chunk-1, n)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, d.bind(st.q), st.args(lo, hi)...); err != nil {
				tx.Rollback()
				return fmt.Errorf("fill customers %d–%d: %w\n%s", lo, hi, err, d.bind(st.q))
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if hi%200_000 == 0 || hi == n {
			fmt.Printf("  %d customers, %d timeline entries, %s\n", hi, hi*perCustomer, time.Since(start).Round(time.Second))
		}
	}
	if d.postgres {
		for _, t := range []string{"customers", "touchpoints"} {
			if _, err := db.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT max(id) FROM `+t+`))`); err != nil {
				return fmt.Errorf("identity of %s: %w", t, err)
			}
		}
	}
	// Statistics for the planner; on PostgreSQL also the visibility map,
	// so that autovacuum does not start on the fresh tables during the
	// timings.
	analyze := "ANALYZE"
	if d.postgres {
		analyze = "VACUUM ANALYZE"
	}
	if _, err := db.ExecContext(ctx, analyze); err != nil {
		return fmt.Errorf("%s: %w", analyze, err)
	}
	return nil
}

// runBig fills a store (unless dir holds one already filled) with n customers and n × perCustomer timeline
// entries, then times, over random customers: a lookup by email (which
// builds her card), a lookup by a name prefix (a list of choices), and a
// card build with its rendering to Block Kit.
func runBig(database, dir string, n, perCustomer, lookups int) error {
	ctx := context.Background()
	var (
		store plusone.Store
		raw   *sql.DB
		d     bigDialect
		size  func() string
		err   error
	)
	if database != "" {
		pg, err := freshSchema(database)
		if err != nil {
			return err
		}
		defer pg.drop()
		if store, err = postgres.Open(ctx, pg.url); err != nil {
			return err
		}
		if raw, err = sql.Open("pgx", pg.url); err != nil {
			return err
		}
		d.postgres = true
		size = func() string {
			var s string
			if err := raw.QueryRowContext(ctx, `SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid)))
				FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
				WHERE ns.nspname = current_schema() AND c.relkind = 'r'`).Scan(&s); err != nil {
				return err.Error()
			}
			return s
		}
	} else {
		if dir == "" {
			if dir, err = os.MkdirTemp("", "plusone-big-"); err != nil {
				return err
			}
			defer os.RemoveAll(dir)
		}
		path := filepath.Join(dir, "big.db")
		if store, err = sqlite.Open(ctx, path); err != nil {
			return err
		}
		// The fill does not wait for the disk: it is made again if lost.
		if raw, err = sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+
			"?_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)&_pragma=foreign_keys(0)"); err != nil {
			return err
		}
		raw.SetMaxOpenConns(1)
		size = func() string {
			var total int64
			for _, suffix := range []string{"", "-wal"} {
				if fi, err := os.Stat(path + suffix); err == nil {
					total += fi.Size()
				}
			}
			return fmt.Sprintf("%.2f GiB", float64(total)/(1<<30))
		}
	}
	defer store.Close()
	defer raw.Close()

	fmt.Printf("big store: %d customers × %d timeline entries (%d) on %s; machine: %d CPUs, load average %s\n",
		n, perCustomer, n*perCustomer, map[bool]string{false: "SQLite", true: "PostgreSQL"}[d.postgres], cpus(), loadavg())
	var have sql.NullInt64
	if err := raw.QueryRowContext(ctx, `SELECT max(id) FROM customers`).Scan(&have); err != nil {
		return err
	}
	switch {
	case have.Int64 == int64(n):
		fmt.Printf("already filled; store size %s\n\n", size())
	case have.Valid:
		return fmt.Errorf("the store has %d customers, not %d: use an empty -dir", have.Int64, n)
	default:
		t0 := time.Now()
		if err := fillBig(ctx, raw, d, n, perCustomer); err != nil {
			return err
		}
		fmt.Printf("filled in %s; store size %s\n\n", time.Since(t0).Round(time.Second), size())
	}
	if err := explain(ctx, raw, d); err != nil {
		return err
	}
	svc := &memory.Service{Store: store, Policy: plusone.DefaultPolicy, Clock: time.Now, Changed: func() {}}
	// The same customers twice: the first touch of each since the fill,
	// then again, with whatever the first pass brought into the caches.
	// (The file just written is mostly in the OS page cache if memory
	// allows; this does not drop it, which would disturb the machine.)
	for _, pass := range []string{"first pass", "second pass, same customers"} {
		if err := timeLookups(ctx, svc, n, lookups, pass); err != nil {
			return err
		}
	}
	return nil
}

// timeLookups times lookups by email and by name prefix and card builds
// over random customers (the same ones at each call).
func timeLookups(ctx context.Context, svc *memory.Service, n, lookups int, pass string) error {

	rng := rand.New(rand.NewPCG(1, 2))
	lasts := lastNames()
	var byEmail, byName, card []time.Duration
	for range lookups {
		id := rng.IntN(n) + 1
		t := time.Now()
		c, _, _, err := svc.Lookup(ctx, "U0LOAD", fmt.Sprintf("c%d@example.com", id))
		if err != nil || c == nil {
			return fmt.Errorf("look up customer %d by email: card %v, %v", id, c != nil, err)
		}
		byEmail = append(byEmail, time.Since(t))

		// A prefix of 3 to 5 letters of a customer's first or last name.
		other := rng.IntN(n) + 1
		word := firstNames[other%len(firstNames)]
		if rng.IntN(2) == 0 {
			word = lasts[(other/len(firstNames))%len(lasts)]
		}
		prefix := strings.ToLower(word[:min(len(word), 3+rng.IntN(3))])
		t = time.Now()
		one, choices, _, err := svc.Lookup(ctx, "U0LOAD", prefix)
		if err != nil || (one == nil && len(choices) == 0) {
			return fmt.Errorf("look up %q: nothing found, %v", prefix, err)
		}
		byName = append(byName, time.Since(t))

		id = rng.IntN(n) + 1
		t = time.Now()
		cc, err := svc.Customer(ctx, "", int64(id))
		if err != nil {
			return fmt.Errorf("card of %d: %w", id, err)
		}
		if m := view.LookupMessage(*cc); len(m.Blocks) == 0 {
			return fmt.Errorf("card of %d: no blocks", id)
		}
		card = append(card, time.Since(t))
	}
	fmt.Printf("%d of each, random customers, %s:\n", lookups, pass)
	for _, r := range []struct {
		name string
		d    []time.Duration
	}{
		{"lookup by email (finds her, builds her card)", byEmail},
		{"lookup by name prefix (3–5 letters; up to 10 choices)", byName},
		{"card build + Block Kit rendering", card},
	} {
		fmt.Printf("  %-56s p50 %-9s p99 %-9s max %s\n", r.name, pct(r.d, 50), pct(r.d, 99), pct(r.d, 100))
	}
	return nil
}

// explain prints the query plans of the lookups' main queries.
func explain(ctx context.Context, db *sql.DB, d bigDialect) error {
	queries := []struct {
		name string
		q    string
		args []any
	}{
		{"name prefix", `SELECT key, customer_id FROM customer_names WHERE key >= ? AND key < ? ORDER BY key, customer_id LIMIT ?`,
			[]any{"jan", "jan\U0010FFFF", 44}},
		{"email", `SELECT customer_id FROM identities WHERE kind = ? AND value = ?`, []any{"email", "c500000@example.com"}},
		{"timeline", `SELECT id, summary FROM touchpoints WHERE customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?`,
			[]any{500000, 20}},
	}
	prefix := "EXPLAIN QUERY PLAN "
	if d.postgres {
		prefix = "EXPLAIN (ANALYZE, COSTS OFF) "
	}
	fmt.Println("query plans:")
	for _, q := range queries {
		rows, err := db.QueryContext(ctx, prefix+d.bind(q.q), q.args...)
		if err != nil {
			return fmt.Errorf("explain %s: %w", q.name, err)
		}
		cols, _ := rows.Columns()
		fmt.Printf("  %s:\n", q.name)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			fmt.Printf("    %v\n", vals[len(vals)-1])
		}
		rows.Close()
	}
	fmt.Println()
	return nil
}
