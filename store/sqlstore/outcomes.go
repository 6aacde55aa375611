package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/plusone-hq/plusone"
)

// Assign inserts an assignment, or moves an assignment's exposure to an
// earlier time, keeping its arm: the earliest exposure wins, whatever order
// the events are applied in, and an arm is never changed.
func (t *tx) Assign(ctx context.Context, a plusone.Assignment) (bool, error) {
	res, err := t.exec(ctx, `
		INSERT INTO assignments (customer_id, gesture, arm, exposed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (customer_id, gesture) DO UPDATE SET exposed_at = excluded.exposed_at
		WHERE excluded.exposed_at < assignments.exposed_at`,
		a.CustomerID, a.Gesture, string(a.Arm), a.ExposedAt.UnixMicro())
	if err != nil {
		return false, fmt.Errorf("assign %d to %s: %w", a.CustomerID, a.Gesture, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("assign %d to %s: %w", a.CustomerID, a.Gesture, err)
	}
	return n > 0, nil
}

// Assignments lists a customer's assignments by gesture.
func (t *tx) Assignments(ctx context.Context, customerID int64) ([]plusone.Assignment, error) {
	rows, err := t.query(ctx, `SELECT customer_id, gesture, arm, exposed_at FROM assignments
		WHERE customer_id = ? ORDER BY gesture`, customerID)
	if err != nil {
		return nil, fmt.Errorf("assignments of %d: %w", customerID, err)
	}
	return collect(rows, func(r scanner) (plusone.Assignment, error) {
		var a plusone.Assignment
		var exposed int64
		err := r.Scan(&a.CustomerID, &a.Gesture, &a.Arm, &exposed)
		a.ExposedAt = time.UnixMicro(exposed).UTC()
		return a, err
	})
}

// AssignmentSeed returns the stored seed, storing fresh first when there
// is none.
func (t *tx) AssignmentSeed(ctx context.Context, fresh string) (string, error) {
	var seed string
	err := t.queryRow(ctx, `SELECT value FROM outcome_settings WHERE key = 'seed'`).Scan(&seed)
	if err == nil {
		return seed, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("assignment seed: %w", err)
	}
	if _, err := t.exec(ctx, `INSERT INTO outcome_settings (key, value) VALUES ('seed', ?) ON CONFLICT (key) DO NOTHING`,
		fresh); err != nil {
		return "", fmt.Errorf("assignment seed: %w", err)
	}
	if err := t.queryRow(ctx, `SELECT value FROM outcome_settings WHERE key = 'seed'`).Scan(&seed); err != nil {
		return "", fmt.Errorf("assignment seed: %w", err)
	}
	return seed, nil
}

// ExposureOutcomes reads each closed assignment with what its customer did
// in the window: orders, CSAT feedback and new tickets by their own times,
// her spend before the exposure, and the gesture's grants to her. An
// erased customer's assignment is kept but left out: what she did went
// with her.
func (t *tx) ExposureOutcomes(ctx context.Context, window time.Duration, closedBy time.Time) ([]plusone.ExposureOutcome, error) {
	w := window.Microseconds()
	rows, err := t.query(ctx, `
		SELECT a.customer_id, a.gesture, a.arm, a.exposed_at,
			(SELECT COUNT(*) FROM orders o WHERE o.customer_id = a.customer_id
				AND o.created_at > a.exposed_at AND o.created_at <= a.exposed_at + ?),
			(SELECT COALESCE(SUM(o.total), 0) FROM orders o WHERE o.customer_id = a.customer_id
				AND o.created_at > a.exposed_at AND o.created_at <= a.exposed_at + ?),
			(SELECT COUNT(*) FROM touchpoints f WHERE f.customer_id = a.customer_id AND f.kind = 'feedback'
				AND f.scale = 'csat' AND f.score IS NOT NULL
				AND f.occurred_at > a.exposed_at AND f.occurred_at <= a.exposed_at + ?),
			(SELECT COALESCE(SUM(f.score), 0) FROM touchpoints f WHERE f.customer_id = a.customer_id AND f.kind = 'feedback'
				AND f.scale = 'csat' AND f.score IS NOT NULL
				AND f.occurred_at > a.exposed_at AND f.occurred_at <= a.exposed_at + ?),
			(SELECT COUNT(*) FROM tickets k WHERE k.customer_id = a.customer_id
				AND k.created_at > a.exposed_at AND k.created_at <= a.exposed_at + ?),
			(SELECT COALESCE(SUM(o.total), 0) FROM orders o WHERE o.customer_id = a.customer_id
				AND o.created_at < a.exposed_at),
			(SELECT COUNT(*) FROM ledger l WHERE l.customer_id = a.customer_id AND l.gesture = a.gesture
				AND l.status IN ('granted', 'approved')),
			(SELECT COALESCE(SUM(l.charge), 0) FROM ledger l WHERE l.customer_id = a.customer_id AND l.gesture = a.gesture)
		FROM assignments a JOIN customers c ON c.id = a.customer_id
		WHERE a.exposed_at <= ? AND c.erased_at IS NULL
		ORDER BY a.gesture, a.customer_id`, w, w, w, w, w, closedBy.UnixMicro()-w)
	if err != nil {
		return nil, fmt.Errorf("exposure outcomes: %w", err)
	}
	out, err := collect(rows, func(r scanner) (plusone.ExposureOutcome, error) {
		var e plusone.ExposureOutcome
		var exposed int64
		err := r.Scan(&e.CustomerID, &e.Gesture, &e.Arm, &exposed, &e.Orders, &e.Revenue, &e.CSATs, &e.CSATSum,
			&e.Tickets, &e.PriorSpend, &e.Granted, &e.Spent)
		e.ExposedAt = time.UnixMicro(exposed).UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("exposure outcomes: %w", err)
	}
	return out, nil
}
