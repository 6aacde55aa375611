package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

const ledgerColumns = `id, request_id, key, gesture, title, kind, value, currency, charge, customer_id, agent, team,
	status, reason, blocking, decided_by, ticket_key, created_at`

// ledgerColumnsL is ledgerColumns of the table aliased l.
var ledgerColumnsL = prefixed("l.", ledgerColumns)

func scanLedger(row scanner) (*plusone.LedgerEntry, error) {
	var (
		e        plusone.LedgerEntry
		request  sql.NullInt64
		key      sql.NullString
		status   string
		created  sql.NullInt64
		blocking string
	)
	if err := row.Scan(&e.ID, &request, &key, &e.Gesture, &e.Title, &e.Kind, &e.Value, &e.Currency, &e.Charge,
		&e.CustomerID, &e.Agent, &e.Team, &status, &e.Reason, &blocking, &e.By, &e.TicketKey, &created); err != nil {
		return nil, err
	}
	e.RequestID = e.ID
	if request.Valid {
		e.RequestID = request.Int64
	}
	e.Key, e.Status, e.CreatedAt = key.String, plusone.LedgerStatus(status), fromTS(created)
	if blocking != "" {
		e.Blocking = strings.Split(blocking, "\n")
	}
	return &e, nil
}

func collectLedger(rows *sql.Rows, err error) ([]plusone.LedgerEntry, error) {
	if err != nil {
		return nil, err
	}
	return collect(rows, deref(scanLedger))
}

// AppendLedger appends an entry, once per key. The insert itself decides
// between concurrent appends of one key (a read first would let both
// through to the unique index, and one fail).
func (t *tx) AppendLedger(ctx context.Context, e *plusone.LedgerEntry) (*plusone.LedgerEntry, bool, error) {
	var key, request any
	if e.Key != "" {
		key = e.Key
	}
	if e.RequestID != 0 {
		request = e.RequestID
	}
	var id int64
	err := t.queryRow(ctx, `INSERT INTO ledger (request_id, key, gesture, title, kind, value, currency, charge, customer_id,
			agent, team, status, reason, blocking, decided_by, ticket_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
		request, key, e.Gesture, e.Title, e.Kind, int64(e.Value), e.Currency, int64(e.Charge), e.CustomerID, e.Agent, e.Team,
		string(e.Status), e.Reason, joinLines(e.Blocking), e.By, e.TicketKey, e.CreatedAt.UnixMicro()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) && e.Key != "" {
		// Another entry has the key; under READ COMMITTED this new statement
		// sees it once its transaction committed.
		existing, err := scanLedger(t.queryRow(ctx, `SELECT `+ledgerColumns+` FROM ledger WHERE key = ?`, e.Key))
		if err != nil {
			return nil, false, fmt.Errorf("ledger key %s: %w", e.Key, err)
		}
		return existing, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("append ledger: %w", err)
	}
	e.ID = id
	if e.RequestID == 0 {
		e.RequestID = e.ID
	}
	return e, false, nil
}

// joinLines stores phrases one a line (a phrase's own line breaks become
// spaces).
func joinLines(phrases []string) string {
	lines := make([]string, len(phrases))
	for i, p := range phrases {
		lines[i] = strings.ReplaceAll(p, "\n", " ")
	}
	return strings.Join(lines, "\n")
}

// Request lists a request's entries.
func (t *tx) Request(ctx context.Context, requestID int64) ([]plusone.LedgerEntry, error) {
	entries, err := collectLedger(t.query(ctx, `SELECT `+ledgerColumns+` FROM ledger
		WHERE COALESCE(request_id, id) = ? ORDER BY id`, requestID))
	if err != nil {
		return nil, fmt.Errorf("request %d: %w", requestID, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("request %d: %w", requestID, plusone.ErrNotFound)
	}
	return entries, nil
}

// Spent sums a budget's charges since its period started.
func (t *tx) Spent(ctx context.Context, scope plusone.BudgetScope, key string, since time.Time) (plusone.Money, error) {
	column := map[plusone.BudgetScope]string{plusone.ScopeAgent: "agent", plusone.ScopeTeam: "team", plusone.ScopeCustomer: "customer_id"}[scope]
	if column == "" {
		return 0, fmt.Errorf("spent: unknown scope %q", scope)
	}
	var sum plusone.Money
	err := t.queryRow(ctx, `SELECT COALESCE(SUM(charge), 0) FROM ledger WHERE `+column+` = ? AND created_at >= ?`,
		key, since.UnixMicro()).Scan(&sum)
	if err != nil {
		return 0, fmt.Errorf("spent %s %s: %w", scope, key, err)
	}
	return sum, nil
}

// LastGranted is the latest grant of a gesture to a customer not cancelled.
func (t *tx) LastGranted(ctx context.Context, customerID int64, gesture string) (time.Time, error) {
	var at sql.NullInt64
	err := t.queryRow(ctx, `SELECT MAX(l.created_at) FROM ledger l
		WHERE l.customer_id = ? AND l.gesture = ? AND l.status IN ('granted', 'approved')
			AND NOT EXISTS (SELECT 1 FROM ledger c WHERE COALESCE(c.request_id, c.id) = COALESCE(l.request_id, l.id)
				AND c.status = 'cancelled')`, customerID, gesture).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("last grant of %s: %w", gesture, err)
	}
	return fromTS(at), nil
}

// latest selects the newest entry of each request.
const latest = ` NOT EXISTS (SELECT 1 FROM ledger n WHERE COALESCE(n.request_id, n.id) = COALESCE(l.request_id, l.id) AND n.id > l.id)`

func (t *tx) Gestures(ctx context.Context, customerID int64, n int) ([]plusone.LedgerEntry, error) {
	out, err := collectLedger(t.query(ctx, `SELECT `+ledgerColumnsL+` FROM ledger l
		WHERE l.customer_id = ? AND`+latest+` ORDER BY l.id DESC`+limitClause(n), customerID))
	if err != nil {
		return nil, fmt.Errorf("gestures of %d: %w", customerID, err)
	}
	return out, nil
}

func (t *tx) Pending(ctx context.Context, limit int) ([]plusone.LedgerEntry, error) {
	out, err := collectLedger(t.query(ctx, `SELECT `+ledgerColumnsL+` FROM ledger l
		WHERE l.status = 'pending_approval' AND`+latest+` ORDER BY l.id LIMIT ?`, limit))
	if err != nil {
		return nil, fmt.Errorf("pending approvals: %w", err)
	}
	return out, nil
}

func (t *tx) Ledger(ctx context.Context, f plusone.LedgerFilter) ([]plusone.LedgerEntry, error) {
	q := `SELECT ` + ledgerColumns + ` FROM ledger WHERE 1 = 1`
	var args []any
	if f.Agent != "" {
		q += ` AND agent = ?`
		args = append(args, f.Agent)
	}
	if f.CustomerID != 0 {
		q += ` AND customer_id = ?`
		args = append(args, f.CustomerID)
	}
	if !f.Since.IsZero() {
		q += ` AND created_at >= ?`
		args = append(args, f.Since.UnixMicro())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	out, err := collectLedger(t.query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...))
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return out, nil
}

func (t *tx) SpendByDay(ctx context.Context, days []time.Time, end time.Time, agent string) ([]plusone.DaySpend, error) {
	if len(days) == 0 {
		return nil, nil
	}
	// The days as a table of (index, start, stop), joined to the entries
	// that charged something: one query, summed by the database.
	var values strings.Builder
	args := make([]any, 0, 3*len(days)+1)
	for i, d := range days {
		stop := end
		if i+1 < len(days) {
			stop = days[i+1]
		}
		if i > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
		args = append(args, i, d.UnixMicro(), stop.UnixMicro())
	}
	q := `WITH days (day, start_at, stop_at) AS (VALUES ` + values.String() + `)
		SELECT d.day, l.agent, l.team, SUM(l.charge) FROM days d
		JOIN ledger l ON l.created_at >= d.start_at AND l.created_at < d.stop_at AND l.charge <> 0`
	if agent != "" {
		q += ` AND l.agent = ?`
		args = append(args, agent)
	}
	rows, err := t.query(ctx, q+` GROUP BY d.day, l.agent, l.team ORDER BY d.day, l.agent, l.team`, args...)
	if err != nil {
		return nil, fmt.Errorf("spend by day from %s: %w", days[0].Format(time.DateOnly), err)
	}
	return collect(rows, func(r scanner) (plusone.DaySpend, error) {
		var s plusone.DaySpend
		err := r.Scan(&s.Day, &s.Agent, &s.Team, &s.Amount)
		return s, err
	})
}

func (t *tx) SaveMessage(ctx context.Context, requestID int64, purpose, channel, ts string) error {
	_, err := t.exec(ctx, `INSERT INTO ledger_messages (request_id, purpose, channel, ts) VALUES (?, ?, ?, ?)
		ON CONFLICT (request_id, purpose) DO NOTHING`, requestID, purpose, channel, ts)
	if err != nil {
		return fmt.Errorf("save %s message of %d: %w", purpose, requestID, err)
	}
	return nil
}

func (t *tx) Message(ctx context.Context, requestID int64, purpose string) (string, string, error) {
	var channel, ts string
	err := t.queryRow(ctx, `SELECT channel, ts FROM ledger_messages WHERE request_id = ? AND purpose = ?`,
		requestID, purpose).Scan(&channel, &ts)
	if err != nil {
		return "", "", fmt.Errorf("%s message of %d: %w", purpose, requestID, notFound(err))
	}
	return channel, ts, nil
}

func (t *tx) CustomerMessages(ctx context.Context, customerID int64) ([]plusone.PostedMessage, error) {
	rows, err := t.query(ctx, `SELECT request_id, purpose, channel, ts FROM ledger_messages WHERE request_id IN (
		SELECT COALESCE(request_id, id) FROM ledger WHERE customer_id = ?) ORDER BY request_id, purpose`, customerID)
	if err != nil {
		return nil, fmt.Errorf("messages of customer %d: %w", customerID, err)
	}
	out, err := collect(rows, func(r scanner) (plusone.PostedMessage, error) {
		var m plusone.PostedMessage
		err := r.Scan(&m.RequestID, &m.Purpose, &m.Channel, &m.TS)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("messages of customer %d: %w", customerID, err)
	}
	return out, nil
}

func (t *tx) AddOverride(ctx context.Context, o *plusone.Override) error {
	err := t.queryRow(ctx, `INSERT INTO overrides (path, old_value, new_value, changed_by, at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		o.Path, o.OldValue, o.NewValue, o.By, o.At.UnixMicro()).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("add override %s: %w", o.Path, err)
	}
	return nil
}

func (t *tx) Overrides(ctx context.Context) ([]plusone.Override, error) {
	rows, err := t.query(ctx, `SELECT id, path, old_value, new_value, changed_by, at FROM overrides ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	return collect(rows, func(r scanner) (plusone.Override, error) {
		var o plusone.Override
		var at sql.NullInt64
		err := r.Scan(&o.ID, &o.Path, &o.OldValue, &o.NewValue, &o.By, &at)
		o.At = fromTS(at)
		return o, err
	})
}

func (t *tx) Audit(ctx context.Context, actor, action, target, outcome string, at time.Time) error {
	if _, err := t.exec(ctx, `INSERT INTO audit (actor, action, target, outcome, at) VALUES (?, ?, ?, ?, ?)`,
		actor, action, target, outcome, at.UnixMicro()); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

func (t *tx) AuditLog(ctx context.Context, limit int) ([]plusone.AuditRecord, error) {
	rows, err := t.query(ctx, `SELECT actor, action, target, outcome, at FROM audit ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return collect(rows, func(r scanner) (plusone.AuditRecord, error) {
		var a plusone.AuditRecord
		var at sql.NullInt64
		err := r.Scan(&a.Actor, &a.Action, &a.Target, &a.Outcome, &at)
		a.At = fromTS(at)
		return a, err
	})
}
