package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/plusone-hq/plusone"
)

func (t *tx) AddTouchpoint(ctx context.Context, tp *plusone.Touchpoint) (bool, error) {
	err := t.queryRow(ctx, `
		INSERT INTO touchpoints (customer_id, source, kind, ref, dedupe_key, occurred_at, summary, url,
			amount, currency, score, scale)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, dedupe_key) DO NOTHING RETURNING id`,
		tp.CustomerID, string(tp.Source), string(tp.Kind), tp.Ref, tp.DedupeKey, ts(tp.OccurredAt), tp.Summary,
		tp.URL, int64(tp.Amount), tp.Currency, nullInt(tp.Score), tp.Scale).Scan(&tp.ID)
	if err == sql.ErrNoRows {
		// Already recorded. If this report is earlier (events arrive in any
		// order), the earliest time and its wording win.
		_, err = t.exec(ctx, `
			UPDATE touchpoints SET occurred_at = ?, summary = ?, url = CASE WHEN ? <> '' THEN ? ELSE url END
			WHERE source = ? AND dedupe_key = ? AND occurred_at > ?`,
			ts(tp.OccurredAt), tp.Summary, tp.URL, tp.URL, string(tp.Source), tp.DedupeKey, ts(tp.OccurredAt))
		if err != nil {
			return false, fmt.Errorf("add touchpoint %s: %w", tp.DedupeKey, err)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("add touchpoint %s: %w", tp.DedupeKey, err)
	}
	return true, nil
}

func (t *tx) Timeline(ctx context.Context, customerID int64, n int) ([]plusone.Touchpoint, error) {
	rows, err := t.query(ctx, `
		SELECT id, customer_id, source, kind, ref, dedupe_key, occurred_at, summary, url, amount, currency, score, scale
		FROM touchpoints WHERE customer_id = ? ORDER BY occurred_at DESC, id DESC`+limitClause(n), customerID)
	if err != nil {
		return nil, fmt.Errorf("timeline of %d: %w", customerID, err)
	}
	return collect(rows, scanTouchpoint)
}

func scanTouchpoint(row scanner) (plusone.Touchpoint, error) {
	var (
		tp           plusone.Touchpoint
		source, kind string
		occurred     sql.NullInt64
		score        sql.NullInt64
	)
	if err := row.Scan(&tp.ID, &tp.CustomerID, &source, &kind, &tp.Ref, &tp.DedupeKey, &occurred, &tp.Summary,
		&tp.URL, &tp.Amount, &tp.Currency, &score, &tp.Scale); err != nil {
		return tp, err
	}
	tp.Source, tp.Kind = plusone.Source(source), plusone.TouchpointKind(kind)
	tp.OccurredAt, tp.Score = fromTS(occurred), fromNullInt(score)
	return tp, nil
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

const ticketColumns = `source, ticket_id, customer_id, subject, url, status, priority, tags, brand, channel,
	created_at, updated_at, waiting_since, replied_at, assignee, organization, plan, fields`

func scanTicket(row scanner) (*plusone.TicketRecord, error) {
	var (
		t                         plusone.TicketRecord
		source, tags              string
		created, updated, waiting sql.NullInt64
		replied                   sql.NullInt64
		fields                    string
	)
	if err := row.Scan(&source, &t.ID, &t.CustomerID, &t.Subject, &t.URL, &t.Status, &t.Priority, &tags,
		&t.Brand, &t.Channel, &created, &updated, &waiting, &replied, &t.Assignee, &t.Organization, &t.Plan, &fields); err != nil {
		return nil, err
	}
	t.Source = plusone.Source(source)
	t.CreatedAt, t.UpdatedAt, t.WaitingSince = fromTS(created), fromTS(updated), fromTS(waiting)
	t.RepliedAt = fromTS(replied)
	if err := json.Unmarshal([]byte(tags), &t.Tags); err != nil {
		return nil, fmt.Errorf("ticket %s tags: %w", t.ID, err)
	}
	if err := json.Unmarshal([]byte(fields), &t.Fields); err != nil {
		return nil, fmt.Errorf("ticket %s fields: %w", t.ID, err)
	}
	if len(t.Fields) == 0 {
		t.Fields = nil
	}
	return &t, nil
}

func (t *tx) Ticket(ctx context.Context, source plusone.Source, id string) (*plusone.TicketRecord, error) {
	rec, err := scanTicket(t.queryRow(ctx, `SELECT `+ticketColumns+` FROM tickets WHERE source = ? AND ticket_id = ?`,
		string(source), id))
	if err != nil {
		return nil, fmt.Errorf("ticket %s: %w", plusone.TicketKey(source, id), notFound(err))
	}
	return rec, nil
}

func (t *tx) SaveTicket(ctx context.Context, r *plusone.TicketRecord) error {
	tags := r.Tags
	if tags == nil {
		tags = []string{}
	}
	tagsJSON, err := jsonText(tags)
	if err != nil {
		return err
	}
	fields := r.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	fieldsJSON, err := jsonText(fields)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `
		INSERT INTO tickets (`+ticketColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, ticket_id) DO UPDATE SET customer_id = excluded.customer_id, subject = excluded.subject,
			url = excluded.url, status = excluded.status, priority = excluded.priority, tags = excluded.tags,
			brand = excluded.brand, channel = excluded.channel, created_at = excluded.created_at,
			updated_at = excluded.updated_at, waiting_since = excluded.waiting_since, replied_at = excluded.replied_at,
			assignee = excluded.assignee, organization = excluded.organization, plan = excluded.plan, fields = excluded.fields`,
		string(r.Source), r.ID, r.CustomerID, r.Subject, r.URL, r.Status, r.Priority, tagsJSON, r.Brand, r.Channel,
		ts(r.CreatedAt), ts(r.UpdatedAt), ts(r.WaitingSince), ts(r.RepliedAt), r.Assignee, r.Organization, r.Plan, fieldsJSON)
	if err != nil {
		return fmt.Errorf("save ticket %s: %w", r.Key(), err)
	}
	return nil
}

// customerTickets is the part of the statement after the columns that
// lists a customer's tickets newest first: Tickets and TicketContacts
// share it, so that they list in the same order.
const customerTickets = ` FROM tickets WHERE customer_id = ? ORDER BY created_at DESC, ticket_id DESC`

func (t *tx) Tickets(ctx context.Context, customerID int64, n int) ([]plusone.TicketRecord, error) {
	rows, err := t.query(ctx, `SELECT `+ticketColumns+customerTickets+limitClause(n), customerID)
	if err != nil {
		return nil, fmt.Errorf("tickets of %d: %w", customerID, err)
	}
	return collect(rows, deref(scanTicket))
}

func (t *tx) TicketContacts(ctx context.Context, customerID int64, n int) ([]plusone.TicketContact, error) {
	rows, err := t.query(ctx, `SELECT source, channel, created_at`+customerTickets+limitClause(n), customerID)
	if err != nil {
		return nil, fmt.Errorf("ticket contacts of %d: %w", customerID, err)
	}
	return collect(rows, func(r scanner) (plusone.TicketContact, error) {
		var (
			c       plusone.TicketContact
			source  string
			created sql.NullInt64
		)
		if err := r.Scan(&source, &c.Channel, &created); err != nil {
			return c, err
		}
		c.Source, c.CreatedAt = plusone.Source(source), fromTS(created)
		return c, nil
	})
}

const orderColumns = `source, order_id, customer_id, name, url, total, refunded, currency, status, items,
	checkout_token, created_at, updated_at`

func scanOrder(row scanner) (*plusone.OrderRecord, error) {
	var (
		o                plusone.OrderRecord
		source, items    string
		created, updated sql.NullInt64
	)
	if err := row.Scan(&source, &o.ID, &o.CustomerID, &o.Name, &o.URL, &o.Total, &o.Refunded, &o.Currency,
		&o.Status, &items, &o.CheckoutToken, &created, &updated); err != nil {
		return nil, err
	}
	o.Source = plusone.Source(source)
	o.CreatedAt, o.UpdatedAt = fromTS(created), fromTS(updated)
	if err := json.Unmarshal([]byte(items), &o.Items); err != nil {
		return nil, fmt.Errorf("order %s items: %w", o.ID, err)
	}
	return &o, nil
}

func (t *tx) Order(ctx context.Context, source plusone.Source, id string) (*plusone.OrderRecord, error) {
	o, err := scanOrder(t.queryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE source = ? AND order_id = ?`,
		string(source), id))
	if err != nil {
		return nil, fmt.Errorf("order %s:%s: %w", source, id, notFound(err))
	}
	return o, nil
}

func (t *tx) SaveOrder(ctx context.Context, o *plusone.OrderRecord) error {
	items, err := jsonText(nonNilItems(o.Items))
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `
		INSERT INTO orders (`+orderColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, order_id) DO UPDATE SET customer_id = excluded.customer_id, name = excluded.name,
			url = excluded.url, total = excluded.total, refunded = excluded.refunded, currency = excluded.currency,
			status = excluded.status, items = excluded.items, checkout_token = excluded.checkout_token,
			created_at = excluded.created_at, updated_at = excluded.updated_at`,
		string(o.Source), o.ID, o.CustomerID, o.Name, o.URL, int64(o.Total), int64(o.Refunded), o.Currency, o.Status,
		items, o.CheckoutToken, ts(o.CreatedAt), ts(o.UpdatedAt))
	if err != nil {
		return fmt.Errorf("save order %s:%s: %w", o.Source, o.ID, err)
	}
	return nil
}

func (t *tx) Orders(ctx context.Context, customerID int64, n int) ([]plusone.OrderRecord, error) {
	rows, err := t.query(ctx, `SELECT `+orderColumns+` FROM orders WHERE customer_id = ?
		ORDER BY created_at DESC, order_id DESC`+limitClause(n), customerID)
	if err != nil {
		return nil, fmt.Errorf("orders of %d: %w", customerID, err)
	}
	return collect(rows, deref(scanOrder))
}

func nonNilItems(items []plusone.LineItem) []plusone.LineItem {
	if items == nil {
		return []plusone.LineItem{}
	}
	return items
}

const cartColumns = `source, cart_id, customer_id, url, total, currency, items, created_at, updated_at,
	completed_at, abandoned`

func scanCart(row scanner) (*plusone.CartRecord, error) {
	var (
		c                           plusone.CartRecord
		source, items               string
		created, updated, completed sql.NullInt64
		abandoned                   int
	)
	if err := row.Scan(&source, &c.ID, &c.CustomerID, &c.URL, &c.Total, &c.Currency, &items, &created, &updated,
		&completed, &abandoned); err != nil {
		return nil, err
	}
	c.Source = plusone.Source(source)
	c.CreatedAt, c.UpdatedAt, c.CompletedAt = fromTS(created), fromTS(updated), fromTS(completed)
	c.Abandoned = abandoned != 0
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return nil, fmt.Errorf("cart %s items: %w", c.ID, err)
	}
	return &c, nil
}

func (t *tx) Cart(ctx context.Context, source plusone.Source, id string) (*plusone.CartRecord, error) {
	c, err := scanCart(t.queryRow(ctx, `SELECT `+cartColumns+` FROM carts WHERE source = ? AND cart_id = ?`,
		string(source), id))
	if err != nil {
		return nil, fmt.Errorf("cart %s:%s: %w", source, id, notFound(err))
	}
	return c, nil
}

func (t *tx) SaveCart(ctx context.Context, c *plusone.CartRecord) error {
	items, err := jsonText(nonNilItems(c.Items))
	if err != nil {
		return err
	}
	abandoned := 0
	if c.Abandoned {
		abandoned = 1
	}
	_, err = t.exec(ctx, `
		INSERT INTO carts (`+cartColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, cart_id) DO UPDATE SET customer_id = excluded.customer_id, url = excluded.url,
			total = excluded.total, currency = excluded.currency, items = excluded.items,
			created_at = excluded.created_at, updated_at = excluded.updated_at,
			completed_at = excluded.completed_at, abandoned = excluded.abandoned`,
		string(c.Source), c.ID, c.CustomerID, c.URL, int64(c.Total), c.Currency, items, ts(c.CreatedAt),
		ts(c.UpdatedAt), ts(c.CompletedAt), abandoned)
	if err != nil {
		return fmt.Errorf("save cart %s:%s: %w", c.Source, c.ID, err)
	}
	return nil
}

func (t *tx) Carts(ctx context.Context, customerID int64, n int) ([]plusone.CartRecord, error) {
	rows, err := t.query(ctx, `SELECT `+cartColumns+` FROM carts WHERE customer_id = ?
		ORDER BY updated_at DESC, cart_id DESC`+limitClause(n), customerID)
	if err != nil {
		return nil, fmt.Errorf("carts of %d: %w", customerID, err)
	}
	return collect(rows, deref(scanCart))
}

// ProfileFacts aggregates orders, tickets and feedback into a profile.
func (t *tx) ProfileFacts(ctx context.Context, customerID int64) (plusone.Profile, error) {
	var (
		p               plusone.Profile
		firstOrder      sql.NullInt64
		firstTP, lastTP sql.NullInt64
		created         sql.NullInt64
		currency        sql.NullString
	)
	err := t.queryRow(ctx, `
		SELECT COUNT(*), COALESCE(SUM(total - refunded), 0), MIN(created_at), MAX(currency)
		FROM orders WHERE customer_id = ? AND status <> 'cancelled'`, customerID).
		Scan(&p.Orders, &p.LifetimeValue, &firstOrder, &currency)
	if err != nil {
		return p, fmt.Errorf("profile of %d: orders: %w", customerID, err)
	}
	p.Currency = currency.String
	if err := t.queryRow(ctx, `SELECT MIN(occurred_at), MAX(occurred_at) FROM touchpoints WHERE customer_id = ?`,
		customerID).Scan(&firstTP, &lastTP); err != nil {
		return p, fmt.Errorf("profile of %d: timeline: %w", customerID, err)
	}
	if err := t.queryRow(ctx, `SELECT created_at FROM customers WHERE id = ?`, customerID).Scan(&created); err != nil {
		return p, fmt.Errorf("profile of %d: %w", customerID, notFound(err))
	}
	for _, v := range []sql.NullInt64{created, firstOrder, firstTP} {
		if at := fromTS(v); !at.IsZero() && (p.FirstSeen.IsZero() || at.Before(p.FirstSeen)) {
			p.FirstSeen = at
		}
	}
	p.LastSeen = fromTS(lastTP)

	rows, err := t.query(ctx, `SELECT status FROM tickets WHERE customer_id = ?`, customerID)
	if err != nil {
		return p, fmt.Errorf("profile of %d: tickets: %w", customerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r plusone.TicketRecord
		if err := rows.Scan(&r.Status); err != nil {
			return p, err
		}
		if r.Open() {
			p.OpenTickets++
		}
	}
	if err := rows.Err(); err != nil {
		return p, err
	}
	for _, scale := range []string{plusone.ScaleNPS, plusone.ScaleCSAT} {
		var score sql.NullInt64
		err := t.queryRow(ctx, `SELECT score FROM touchpoints WHERE customer_id = ? AND kind = ? AND scale = ?
			ORDER BY occurred_at DESC, id DESC LIMIT 1`, customerID, string(plusone.TouchFeedback), scale).Scan(&score)
		if err != nil && err != sql.ErrNoRows {
			return p, fmt.Errorf("profile of %d: feedback: %w", customerID, err)
		}
		if scale == plusone.ScaleNPS {
			p.NPS = fromNullInt(score)
		} else {
			p.CSAT = fromNullInt(score)
		}
	}
	return p, nil
}
