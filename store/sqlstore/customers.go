package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// tx implements plusone.Tx on a *sql.Tx.
type tx struct {
	x db
}

var _ plusone.Tx = (*tx)(nil)

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.x.exec(ctx, query, args...)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.x.query(ctx, query, args...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) row {
	return t.x.queryRow(ctx, query, args...)
}

const customerColumns = `id, name, email, phone, created_at, orders, lifetime_value, currency,
	first_seen, last_seen, open_tickets, tier, nps, csat, erased_at`

func scanCustomer(row scanner) (*plusone.Customer, error) {
	var (
		c                            plusone.Customer
		created, firstSeen, lastSeen sql.NullInt64
		nps, csat, erased            sql.NullInt64
		tier                         string
	)
	err := row.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &created, &c.Profile.Orders, &c.Profile.LifetimeValue,
		&c.Profile.Currency, &firstSeen, &lastSeen, &c.Profile.OpenTickets, &tier, &nps, &csat, &erased)
	if err != nil {
		return nil, err
	}
	c.CreatedAt = fromTS(created)
	c.Profile.FirstSeen = fromTS(firstSeen)
	c.Profile.LastSeen = fromTS(lastSeen)
	c.Profile.Tier = plusone.Tier(tier)
	c.Profile.NPS = fromNullInt(nps)
	c.Profile.CSAT = fromNullInt(csat)
	c.ErasedAt = fromTS(erased)
	return &c, nil
}

func (t *tx) Customer(ctx context.Context, id int64) (*plusone.Customer, error) {
	c, err := scanCustomer(t.queryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("customer %d: %w", id, notFound(err))
	}
	return c, nil
}

func (t *tx) CustomerByIdentity(ctx context.Context, id plusone.Identity) (*plusone.Customer, error) {
	c, err := scanCustomer(t.queryRow(ctx, `
		SELECT `+customerColumns+` FROM customers
		WHERE id = (SELECT customer_id FROM identities WHERE kind = ? AND value = ?)`, id.Kind, id.Value))
	if err != nil {
		return nil, fmt.Errorf("customer by %s: %w", id.Kind, notFound(err))
	}
	return c, nil
}

func (t *tx) CreateCustomer(ctx context.Context, c *plusone.Customer) error {
	if c.Profile.Tier == "" {
		c.Profile.Tier = plusone.TierNew
	}
	p := c.Profile
	err := t.queryRow(ctx, `
		INSERT INTO customers (name, email, phone, created_at, updated_at, orders, lifetime_value, currency,
			first_seen, last_seen, open_tickets, tier, nps, csat, name_indexed)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Name, c.Email, c.Phone, ts(c.CreatedAt), ts(c.CreatedAt), p.Orders, int64(p.LifetimeValue), p.Currency,
		ts(p.FirstSeen), ts(p.LastSeen), p.OpenTickets, string(p.Tier), nullInt(p.NPS), nullInt(p.CSAT), c.Name).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("create customer: %w", err)
	}
	if err := t.addNameKeys(ctx, c.ID, c.Name); err != nil {
		return fmt.Errorf("create customer: %w", err)
	}
	return nil
}

func (t *tx) UpdateCustomer(ctx context.Context, c *plusone.Customer) error {
	p := c.Profile
	// name_indexed is not set here: RETURNING gives the name her search
	// keys were made from, to make them again only when it changed.
	var indexed sql.NullString
	err := t.queryRow(ctx, `
		UPDATE customers SET name = ?, email = ?, phone = ?, created_at = ?, updated_at = ?, orders = ?,
			lifetime_value = ?, currency = ?, first_seen = ?, last_seen = ?, open_tickets = ?, tier = ?, nps = ?, csat = ?
		WHERE id = ? RETURNING name_indexed`,
		c.Name, c.Email, c.Phone, ts(c.CreatedAt), time.Now().UnixMicro(), p.Orders, int64(p.LifetimeValue), p.Currency,
		ts(p.FirstSeen), ts(p.LastSeen), p.OpenTickets, string(p.Tier), nullInt(p.NPS), nullInt(p.CSAT), c.ID).Scan(&indexed)
	if err != nil {
		return fmt.Errorf("update customer %d: %w", c.ID, notFound(err))
	}
	if !indexed.Valid || indexed.String != c.Name {
		if err := t.setNameKeys(ctx, c.ID, c.Name); err != nil {
			return fmt.Errorf("update customer %d: %w", c.ID, err)
		}
	}
	return nil
}

// nameKeys are the search keys of a name: the lowercased name from its
// start and from each word after a space on, so that a query matches the
// start of any of them (FindCustomers).
func nameKeys(name string) []string {
	lower := strings.ToLower(name)
	var keys []string
	for i := 0; i < len(lower); i++ {
		if (i == 0 || lower[i-1] == ' ') && lower[i:] != "" {
			keys = append(keys, lower[i:])
		}
	}
	return keys
}

// addNameKeys adds the search keys of a new customer's name.
func (t *tx) addNameKeys(ctx context.Context, id int64, name string) error {
	for _, k := range nameKeys(name) {
		if _, err := t.exec(ctx, `INSERT INTO customer_names (key, customer_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			k, id); err != nil {
			return fmt.Errorf("name keys: %w", err)
		}
	}
	return nil
}

// setNameKeys makes a customer's search keys again from her name.
func (t *tx) setNameKeys(ctx context.Context, id int64, name string) error {
	if _, err := t.exec(ctx, `DELETE FROM customer_names WHERE customer_id = ?`, id); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE customers SET name_indexed = ? WHERE id = ?`, name, id); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	return t.addNameKeys(ctx, id, name)
}

func (t *tx) AddIdentity(ctx context.Context, customerID int64, id plusone.Identity, now time.Time) error {
	res, err := t.exec(ctx, `
		INSERT INTO identities (kind, value, customer_id, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, value) DO NOTHING`, id.Kind, id.Value, customerID, now.UnixMicro())
	if err != nil {
		return fmt.Errorf("add identity: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var owner int64
	if err := t.queryRow(ctx, `SELECT customer_id FROM identities WHERE kind = ? AND value = ?`,
		id.Kind, id.Value).Scan(&owner); err != nil {
		return fmt.Errorf("add identity: %w", err)
	}
	if owner != customerID {
		return plusone.Errorf(plusone.ECONFLICT, "%s identity belongs to customer %d", id.Kind, owner)
	}
	return nil
}

func (t *tx) Identities(ctx context.Context, customerID int64) ([]plusone.Identity, error) {
	rows, err := t.query(ctx, `SELECT kind, value FROM identities WHERE customer_id = ? ORDER BY created_at, kind`, customerID)
	if err != nil {
		return nil, fmt.Errorf("identities of %d: %w", customerID, err)
	}
	return collect(rows, func(r scanner) (plusone.Identity, error) {
		var id plusone.Identity
		err := r.Scan(&id.Kind, &id.Value)
		return id, err
	})
}

// MergeCustomers moves every row of customer from to customer into.
func (t *tx) MergeCustomers(ctx context.Context, into, from int64, reason string, now time.Time) error {
	if into == from {
		return plusone.Errorf(plusone.EINVALID, "cannot merge customer %d into itself", into)
	}
	// Nobody finds, or writes to, the customer merged away meanwhile.
	if err := t.lockIdentitiesOf(ctx, from); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := t.Lock(ctx, plusone.CustomerLock(into), plusone.CustomerLock(from)); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	for _, id := range []int64{into, from} {
		if _, err := t.Customer(ctx, id); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	// Preferences are unique per customer and key: the survivor's win.
	stmts := []string{
		`DELETE FROM preferences WHERE customer_id = ? AND key IN (SELECT key FROM preferences WHERE customer_id = ?)`,
		`DELETE FROM agent_customers WHERE customer_id = ? AND agent IN (SELECT agent FROM agent_customers WHERE customer_id = ?)`,
		`UPDATE preferences SET customer_id = ? WHERE customer_id = ?`,
		`UPDATE identities SET customer_id = ? WHERE customer_id = ?`,
		`UPDATE touchpoints SET customer_id = ? WHERE customer_id = ?`,
		`UPDATE tickets SET customer_id = ? WHERE customer_id = ?`,
		`UPDATE orders SET customer_id = ? WHERE customer_id = ?`,
		`UPDATE carts SET customer_id = ? WHERE customer_id = ?`,
		`UPDATE cards SET customer_id = ? WHERE customer_id = ?`,
		`UPDATE notes SET customer_id = ? WHERE customer_id = ?`,
		`UPDATE agent_customers SET customer_id = ? WHERE customer_id = ?`,
	}
	for i, q := range stmts {
		args := []any{into, from}
		if i < 2 {
			args = []any{from, into}
		}
		if _, err := t.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("merge %d into %d: %w", from, into, err)
		}
	}
	if err := t.mergeAssignments(ctx, into, from); err != nil {
		return fmt.Errorf("merge %d into %d: %w", from, into, err)
	}
	// The survivor keeps its own fields and fills gaps from the other one.
	if _, err := t.exec(ctx, `
		UPDATE customers SET
			name = CASE WHEN name = '' THEN (SELECT name FROM customers WHERE id = ?) ELSE name END,
			email = CASE WHEN email = '' THEN (SELECT email FROM customers WHERE id = ?) ELSE email END,
			phone = CASE WHEN phone = '' THEN (SELECT phone FROM customers WHERE id = ?) ELSE phone END,
			created_at = CASE WHEN created_at > (SELECT created_at FROM customers WHERE id = ?)
				THEN (SELECT created_at FROM customers WHERE id = ?) ELSE created_at END
		WHERE id = ?`, from, from, from, from, from, into); err != nil {
		return fmt.Errorf("merge %d into %d: %w", from, into, err)
	}
	survivor, err := t.Customer(ctx, into)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := t.setNameKeys(ctx, into, survivor.Name); err != nil {
		return fmt.Errorf("merge %d into %d: %w", from, into, err)
	}
	if _, err := t.exec(ctx, `DELETE FROM customer_names WHERE customer_id = ?`, from); err != nil {
		return fmt.Errorf("merge: delete %d: %w", from, err)
	}
	if _, err := t.exec(ctx, `DELETE FROM customers WHERE id = ?`, from); err != nil {
		return fmt.Errorf("merge: delete %d: %w", from, err)
	}
	if _, err := t.exec(ctx, `INSERT INTO merges (into_id, from_id, reason, created_at) VALUES (?, ?, ?, ?)`,
		into, from, reason, now.UnixMicro()); err != nil {
		return fmt.Errorf("record merge: %w", err)
	}
	return nil
}

func (t *tx) SetPreference(ctx context.Context, customerID int64, p plusone.Preference) error {
	_, err := t.exec(ctx, `
		INSERT INTO preferences (customer_id, key, value, origin, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (customer_id, key) DO UPDATE SET value = excluded.value, origin = excluded.origin,
			updated_at = excluded.updated_at`,
		customerID, p.Key, p.Value, p.Origin, ts(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("set preference %q: %w", p.Key, err)
	}
	return nil
}

func (t *tx) Preferences(ctx context.Context, customerID int64) ([]plusone.Preference, error) {
	rows, err := t.query(ctx, `SELECT key, value, origin, updated_at FROM preferences WHERE customer_id = ? ORDER BY key`, customerID)
	if err != nil {
		return nil, fmt.Errorf("preferences of %d: %w", customerID, err)
	}
	return collect(rows, func(r scanner) (plusone.Preference, error) {
		var p plusone.Preference
		var updated sql.NullInt64
		err := r.Scan(&p.Key, &p.Value, &p.Origin, &updated)
		p.UpdatedAt = fromTS(updated)
		return p, err
	})
}

// mergeAssignments moves customer from's assignments to into; where both
// were exposed to a gesture, the earlier exposure wins.
func (t *tx) mergeAssignments(ctx context.Context, into, from int64) error {
	if _, err := t.exec(ctx, `DELETE FROM assignments WHERE customer_id = ? AND EXISTS (
		SELECT 1 FROM assignments f WHERE f.customer_id = ? AND f.gesture = assignments.gesture
			AND f.exposed_at < assignments.exposed_at)`, into, from); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM assignments WHERE customer_id = ? AND gesture IN (
		SELECT gesture FROM assignments WHERE customer_id = ?)`, from, into); err != nil {
		return err
	}
	_, err := t.exec(ctx, `UPDATE assignments SET customer_id = ? WHERE customer_id = ?`, into, from)
	return err
}
