package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plusone-hq/plusone"
)

// SplitIdentity moves an identity, and what came from it, to a new customer.
func (t *tx) SplitIdentity(ctx context.Context, customerID int64, id plusone.Identity, reason string, now time.Time) (int64, error) {
	// The identity is looked up once nobody else may move it or apply an
	// event through it.
	if err := t.Lock(ctx, plusone.IdentityLock(id)); err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	if err := t.Lock(ctx, plusone.CustomerLock(customerID)); err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	owner, err := t.CustomerByIdentity(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	if owner.ID != customerID {
		return 0, plusone.Errorf(plusone.EINVALID, "%s:%s belongs to customer %d, not %d", id.Kind, id.Value, owner.ID, customerID)
	}
	ids, err := t.Identities(ctx, customerID)
	if err != nil {
		return 0, err
	}
	if len(ids) < 2 {
		return 0, plusone.Errorf(plusone.EINVALID, "customer %d has no other identity to keep", customerID)
	}
	fresh := &plusone.Customer{CreatedAt: now}
	if id.Kind == plusone.IdentityEmail {
		fresh.Email = id.Value
	}
	if err := t.CreateCustomer(ctx, fresh); err != nil {
		return 0, err
	}
	if _, err := t.exec(ctx, `UPDATE identities SET customer_id = ? WHERE kind = ? AND value = ?`, fresh.ID, id.Kind, id.Value); err != nil {
		return 0, fmt.Errorf("split: %w", err)
	}
	if id.Kind != plusone.IdentityEmail {
		// A source's own id of her: what that source told us goes with it.
		for _, table := range []string{"tickets", "orders", "carts", "touchpoints", "cards"} {
			if _, err := t.exec(ctx, `UPDATE `+table+` SET customer_id = ? WHERE customer_id = ? AND source = ?`,
				fresh.ID, customerID, id.Kind); err != nil {
				return 0, fmt.Errorf("split %s: %w", table, err)
			}
		}
	}
	if owner.Email == id.Value {
		owner.Email = ""
		for _, other := range ids {
			if other.Kind == plusone.IdentityEmail && other.Value != id.Value {
				owner.Email = other.Value
			}
		}
		if err := t.UpdateCustomer(ctx, owner); err != nil {
			return 0, err
		}
	}
	if _, err := t.exec(ctx, `INSERT INTO merges (into_id, from_id, reason, created_at, kind, identity) VALUES (?, ?, ?, ?, 'split', ?)`,
		customerID, fresh.ID, reason, now.UnixMicro(), id.Kind+":"+id.Value); err != nil {
		return 0, fmt.Errorf("record split: %w", err)
	}
	return fresh.ID, nil
}

// Merges lists the merges and splits of a customer.
func (t *tx) Merges(ctx context.Context, customerID int64) ([]plusone.Merge, error) {
	rows, err := t.query(ctx, `SELECT kind, into_id, from_id, identity, reason, created_at FROM merges
		WHERE into_id = ? OR from_id = ? ORDER BY created_at DESC, id DESC`, customerID, customerID)
	if err != nil {
		return nil, fmt.Errorf("merges of %d: %w", customerID, err)
	}
	return collect(rows, func(r scanner) (plusone.Merge, error) {
		var m plusone.Merge
		var at sql.NullInt64
		err := r.Scan(&m.Kind, &m.Into, &m.From, &m.Identity, &m.Reason, &at)
		m.At = fromTS(at)
		return m, err
	})
}

// FindCustomers finds by exact email, else by name prefix.
func (t *tx) FindCustomers(ctx context.Context, query string, limit int) ([]plusone.Customer, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, nil
	}
	if email := plusone.NormalizeEmail(q); email != "" {
		c, err := t.CustomerByIdentity(ctx, plusone.Identity{Kind: plusone.IdentityEmail, Value: email})
		if err != nil {
			if errors.Is(err, plusone.ErrNotFound) {
				return nil, nil
			}
			return nil, err
		}
		return []plusone.Customer{*c}, nil
	}
	return t.findByName(ctx, strings.ToLower(q), limit)
}

// findByName finds up to limit customers with a name key (nameKeys)
// starting with prefix, through the index of keys, and orders them by name.
// Where more match, those whose matching word comes first in the alphabet
// are the ones returned.
func (t *tx) findByName(ctx context.Context, prefix string, limit int) ([]plusone.Customer, error) {
	if limit <= 0 {
		return nil, nil
	}
	// Every key starting with prefix sorts, byte by byte, from prefix to
	// prefix followed by the last code point.
	hi := prefix + string(utf8.MaxRune)
	var ids []int64
	for fetch := 4 * limit; ; fetch *= 4 {
		ids = ids[:0]
		seen := map[int64]bool{}
		rows, err := t.query(ctx, `SELECT key, customer_id FROM customer_names
			WHERE key >= ? AND key < ? ORDER BY key, customer_id`+limitClause(fetch), prefix, hi)
		if err != nil {
			return nil, fmt.Errorf("find customers: %w", err)
		}
		n := 0
		for rows.Next() {
			var key string
			var id int64
			if err := rows.Scan(&key, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find customers: %w", err)
			}
			n++
			if strings.HasPrefix(key, prefix) && !seen[id] && len(ids) < limit {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find customers: %w", err)
		}
		// A customer has a key per word: when the keys fetched were all
		// used and gave too few customers, there may be more.
		if len(ids) == limit || n < fetch {
			break
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := t.query(ctx, `SELECT `+customerColumns+` FROM customers WHERE id IN (?`+
		strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("find customers: %w", err)
	}
	found, err := collect(rows, deref(scanCustomer))
	if err != nil {
		return nil, fmt.Errorf("find customers: %w", err)
	}
	slices.SortFunc(found, func(a, b plusone.Customer) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return found, nil
}

func (t *tx) AddNote(ctx context.Context, n *plusone.Note) error {
	err := t.queryRow(ctx, `INSERT INTO notes (customer_id, author, text, via, link, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		n.CustomerID, n.Author, n.Text, n.Via, n.Link, n.CreatedAt.UnixMicro()).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	return nil
}

func (t *tx) notes(ctx context.Context, where string, arg any, n int) ([]plusone.Note, error) {
	rows, err := t.query(ctx, `SELECT id, customer_id, author, text, via, link, created_at FROM notes
		WHERE `+where+` = ? ORDER BY created_at DESC, id DESC`+limitClause(n), arg)
	if err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	return collect(rows, func(r scanner) (plusone.Note, error) {
		var n plusone.Note
		var at sql.NullInt64
		err := r.Scan(&n.ID, &n.CustomerID, &n.Author, &n.Text, &n.Via, &n.Link, &at)
		n.CreatedAt = fromTS(at)
		return n, err
	})
}

func (t *tx) Notes(ctx context.Context, customerID int64, limit int) ([]plusone.Note, error) {
	return t.notes(ctx, "customer_id", customerID, limit)
}

func (t *tx) NotesBy(ctx context.Context, author string, limit int) ([]plusone.Note, error) {
	return t.notes(ctx, "author", author, limit)
}

func (t *tx) TouchAgent(ctx context.Context, agent string, customerID int64, what string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO agent_customers (agent, customer_id, what, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (agent, customer_id) DO UPDATE SET what = excluded.what, at = excluded.at`,
		agent, customerID, what, at.UnixMicro())
	if err != nil {
		return fmt.Errorf("touch agent %s: %w", agent, err)
	}
	return nil
}

func (t *tx) Helped(ctx context.Context, agent string, customerID int64) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM agent_customers WHERE agent = ? AND customer_id = ?`, agent, customerID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("helped %s %d: %w", agent, customerID, err)
	}
	return n > 0, nil
}

func (t *tx) RecentCustomers(ctx context.Context, agent string, n int) ([]plusone.RecentCustomer, error) {
	rows, err := t.query(ctx, `SELECT a.what, a.at, `+customerColumnsC+`
		FROM agent_customers a JOIN customers c ON c.id = a.customer_id
		WHERE a.agent = ? ORDER BY a.at DESC`+limitClause(n), agent)
	if err != nil {
		return nil, fmt.Errorf("recent customers of %s: %w", agent, err)
	}
	return collect(rows, func(row scanner) (plusone.RecentCustomer, error) {
		var r plusone.RecentCustomer
		var at sql.NullInt64
		c, err := scanCustomer(scanPrefix{row, []any{&r.What, &at}})
		if err != nil {
			return r, err
		}
		r.Customer, r.At = *c, fromTS(at)
		return r, nil
	})
}

// CardAt finds the card posted as a given Slack message.
func (t *tx) CardAt(ctx context.Context, channel, ts string) (*plusone.CardState, error) {
	c, err := scanCard(t.queryRow(ctx, `SELECT `+cardColumns+` FROM cards WHERE channel = ? AND ts = ?`, channel, ts))
	if err != nil {
		return nil, fmt.Errorf("card at %s/%s: %w", channel, ts, notFound(err))
	}
	return c, nil
}

// customerColumnsC is customerColumns of the table aliased c.
var customerColumnsC = prefixed("c.", customerColumns)

// prefixed qualifies a column list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// scanPrefix scans leading columns into head, the rest into the caller's.
type scanPrefix struct {
	rows scanner
	head []any
}

func (s scanPrefix) Scan(dest ...any) error { return s.rows.Scan(append(s.head, dest...)...) }
