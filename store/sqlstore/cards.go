package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// doubt counts claims of a card without ts since the last attempt that
// surely did not post; above 1, an earlier attempt may have posted.
const cardColumns = `key, customer_id, source, ticket_id, channel, ts, version, delivered, state, attempts,
	last_error, updated_at, doubt, attempt_at, background`

func scanCard(row scanner) (*plusone.CardState, error) {
	var (
		c       plusone.CardState
		source  string
		updated sql.NullInt64
		doubt   int
		attempt sql.NullInt64
		bg      int
	)
	if err := row.Scan(&c.Key, &c.CustomerID, &source, &c.TicketID, &c.Channel, &c.TS, &c.Version, &c.Delivered,
		&c.State, &c.Attempts, &c.LastError, &updated, &doubt, &attempt, &bg); err != nil {
		return nil, err
	}
	c.Background = bg != 0
	c.InDoubt = c.TS == "" && doubt > 1
	c.Source = plusone.Source(source)
	c.UpdatedAt = fromTS(updated)
	if c.InDoubt {
		c.AttemptAt = fromTS(attempt)
	}
	return &c, nil
}

func collectCards(rows *sql.Rows, err error) ([]*plusone.CardState, error) {
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCard)
}

// TouchCard creates a ticket's card or bumps its version. A card that
// Slack shows as it was (or that failed) queues at now, behind the cards
// due before it, in c's class (Background); one still waiting keeps its
// place, and its backoff, and is a background refresh only if both its
// waiting change and this one are.
func (t *tx) TouchCard(ctx context.Context, c plusone.CardState, now time.Time) error {
	bg := 0
	if c.Background {
		bg = 1
	}
	_, err := t.exec(ctx, `
		INSERT INTO cards (key, customer_id, source, ticket_id, channel, ts, version, delivered, state, attempts,
			run_after, last_error, created_at, updated_at, background)
		VALUES (?, ?, ?, ?, ?, '', 1, 0, 'pending', 0, ?, '', ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET version = cards.version + 1, customer_id = excluded.customer_id,
			state = 'pending', updated_at = excluded.updated_at,
			run_after = CASE WHEN cards.state = 'failed' OR cards.version <= cards.delivered
				THEN excluded.run_after ELSE cards.run_after END,
			background = CASE WHEN cards.state = 'failed' OR cards.version <= cards.delivered
				THEN excluded.background ELSE cards.background * excluded.background END,
			attempts = CASE WHEN cards.state = 'failed' THEN 0 ELSE cards.attempts END`,
		c.Key, c.CustomerID, string(c.Source), c.TicketID, c.Channel, now.UnixMicro(), now.UnixMicro(), now.UnixMicro(), bg)
	if err != nil {
		return fmt.Errorf("touch card %s: %w", c.Key, err)
	}
	return nil
}

func (t *tx) Card(ctx context.Context, key string) (*plusone.CardState, error) {
	c, err := scanCard(t.queryRow(ctx, `SELECT `+cardColumns+` FROM cards WHERE key = ?`, key))
	if err != nil {
		return nil, fmt.Errorf("card %s: %w", key, notFound(err))
	}
	return c, nil
}

func (t *tx) CardsOfCustomer(ctx context.Context, customerID int64, n int) ([]plusone.CardState, error) {
	cards, err := collectCards(t.query(ctx, `SELECT `+cardColumns+` FROM cards WHERE customer_id = ?
		ORDER BY created_at DESC, key`+limitClause(n), customerID))
	if err != nil {
		return nil, fmt.Errorf("cards of %d: %w", customerID, err)
	}
	out := make([]plusone.CardState, len(cards))
	for i, c := range cards {
		out[i] = *c
	}
	return out, nil
}

// ClaimCards leases due cards whose latest version Slack does not show:
// cards with a change of their own first, then background refreshes, each
// in the order they came due.
// The claim that starts a run of doubt (a card without ts, no attempt in
// doubt yet) records its moment in attempt_at; later claims of the run keep
// it, so that the lookup of a possible post covers every attempt of the run.
// (SET expressions read the row as it was: doubt here is the old value.)
func (s *Store) ClaimCards(ctx context.Context, c plusone.Claim) ([]*plusone.CardState, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	now := c.Now.UnixMicro()
	cards, err := collectCards(s.writer().query(ctx, `
		UPDATE cards SET locked_by = ?, locked_until = ?, attempts = attempts + 1,
			doubt = CASE WHEN ts = '' THEN doubt + 1 ELSE 0 END,
			attempt_at = CASE WHEN ts = '' AND doubt = 0 THEN ? ELSE attempt_at END
		WHERE key IN (
			SELECT key FROM cards
			WHERE version > delivered AND state = 'pending' AND run_after <= ?
				AND (locked_until IS NULL OR locked_until <= ?)
			ORDER BY background, run_after, key`+limitClause(c.Limit)+s.d.LockSkip+`)
		RETURNING `+cardColumns,
		c.Worker, c.Now.Add(c.Lease).UnixMicro(), now, now, now))
	if err != nil {
		return nil, fmt.Errorf("claim cards: %w", err)
	}
	slices.SortFunc(cards, func(a, b *plusone.CardState) int { return strings.Compare(a.Key, b.Key) })
	return cards, nil
}

// CardDelivered records what Slack shows. The message's ts is kept even if
// the lease was lost meanwhile, so that no second card is ever posted for a
// ticket whose first one Slack already has.
//
// On a single-writer database it goes before the transactions applying
// events, as stored webhooks do: the one card sender waits for it before
// the next card, while applying has several workers.
func (s *Store) CardDelivered(ctx context.Context, key, worker, channel, ts string, version int64) error {
	var held error
	err := s.writeTx(ctx, durable, true, func(x db) error {
		if _, err := x.exec(ctx, `UPDATE cards SET channel = ?, ts = ? WHERE key = ? AND ts = ''`,
			channel, ts, key); err != nil {
			return err
		}
		held = leaseHeld(x.exec(ctx, `
			UPDATE cards SET delivered = CASE WHEN delivered < ? THEN ? ELSE delivered END, attempts = 0, doubt = 0,
				last_error = '', locked_by = NULL, locked_until = NULL, updated_at = ?
			WHERE key = ? AND locked_by = ?`, version, version, time.Now().UnixMicro(), key, worker))
		if held != nil && held != plusone.ErrLeaseLost {
			return held
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("card %s delivered: %w", key, err)
	}
	return held
}

// RetryCard makes a claimed card due again at runAfter.
func (s *Store) RetryCard(ctx context.Context, key, worker string, runAfter time.Time, reason string, mayHavePosted bool) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	keep := 0 // how much of the doubt survives: all of it, or none
	if mayHavePosted {
		keep = 1
	}
	err := leaseHeld(s.writer().exec(ctx, `
		UPDATE cards SET locked_by = NULL, locked_until = NULL, run_after = ?, last_error = ?, doubt = doubt * ?
		WHERE key = ? AND locked_by = ?`, runAfter.UnixMicro(), reason, keep, key, worker))
	if err != nil {
		return fmt.Errorf("retry card %s: %w", key, err)
	}
	return nil
}

// FailCard records a permanent error.
func (s *Store) FailCard(ctx context.Context, key, worker, reason string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err := leaseHeld(s.writer().exec(ctx, `
		UPDATE cards SET state = 'failed', locked_by = NULL, locked_until = NULL, last_error = ?, doubt = 0
		WHERE key = ? AND locked_by = ?`, reason, key, worker))
	if err != nil {
		return fmt.Errorf("fail card %s: %w", key, err)
	}
	return nil
}

// ReleaseCards gives back every card leased to worker.
func (s *Store) ReleaseCards(ctx context.Context, worker string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if _, err := s.writer().exec(ctx, `UPDATE cards SET locked_by = NULL, locked_until = NULL WHERE locked_by = ?`,
		worker); err != nil {
		return fmt.Errorf("release cards of %s: %w", worker, err)
	}
	return nil
}

// CardStats counts cards waiting for delivery and cards that failed.
func (s *Store) CardStats(ctx context.Context) (pending, failed int, err error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err = s.reader().queryRow(ctx, `
		SELECT COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0)
		FROM cards WHERE version > delivered`).Scan(&pending, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("count cards: %w", err)
	}
	return pending, failed, nil
}
