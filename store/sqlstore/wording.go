package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/plusone-hq/plusone"
)

// Wording returns the wording saved under key; ErrNotFound if none.
func (t *tx) Wording(ctx context.Context, key string) (plusone.Wording, error) {
	var w plusone.Wording
	var raw string
	err := t.queryRow(ctx, `SELECT wording FROM llm_wordings WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return w, plusone.ErrNotFound
	}
	if err != nil {
		return w, fmt.Errorf("wording %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		return w, fmt.Errorf("wording %s: %w", key, err)
	}
	return w, nil
}

// SaveWording keeps w under key for customerID; saving a key again
// replaces it.
func (t *tx) SaveWording(ctx context.Context, key string, customerID int64, w plusone.Wording, now time.Time) error {
	raw, err := json.Marshal(w)
	if err != nil {
		return fmt.Errorf("save wording %s: %w", key, err)
	}
	_, err = t.exec(ctx, `INSERT INTO llm_wordings (key, customer_id, wording, note, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET customer_id = excluded.customer_id, wording = excluded.wording,
			note = excluded.note, created_at = excluded.created_at`,
		key, customerID, string(raw), w.Note, now.UnixMicro())
	if err != nil {
		return fmt.Errorf("save wording %s: %w", key, err)
	}
	return nil
}

// LatestNote is the newest note a model worded for a customer; "" if none.
func (t *tx) LatestNote(ctx context.Context, customerID int64) (string, error) {
	var note string
	err := t.queryRow(ctx, `SELECT note FROM llm_wordings WHERE customer_id = ? AND note <> ''
		ORDER BY created_at DESC, key LIMIT 1`, customerID).Scan(&note)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("latest note of %d: %w", customerID, err)
	}
	return note, nil
}

// Wordings lists what models worded for a customer, newest first.
func (t *tx) Wordings(ctx context.Context, customerID int64, n int) ([]plusone.Wording, error) {
	rows, err := t.query(ctx, `SELECT wording FROM llm_wordings WHERE customer_id = ? ORDER BY created_at DESC, key`+limitClause(n), customerID)
	if err != nil {
		return nil, fmt.Errorf("wordings of %d: %w", customerID, err)
	}
	defer rows.Close()
	var out []plusone.Wording
	for rows.Next() {
		var raw string
		var w plusone.Wording
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("wordings of %d: %w", customerID, err)
		}
		if err := json.Unmarshal([]byte(raw), &w); err != nil {
			return nil, fmt.Errorf("wordings of %d: %w", customerID, err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("wordings of %d: %w", customerID, err)
	}
	return out, nil
}

// SpendTokens adds n tokens to day's count if it stays within limit; a
// negative n is always added. The conditional update re-checks the newest
// count under concurrent spenders, so the count never passes limit.
func (t *tx) SpendTokens(ctx context.Context, day string, n, limit int64) (bool, error) {
	if _, err := t.exec(ctx, `INSERT INTO llm_tokens (day, used) VALUES (?, 0) ON CONFLICT (day) DO NOTHING`, day); err != nil {
		return false, fmt.Errorf("spend tokens of %s: %w", day, err)
	}
	var (
		res sql.Result
		err error
	)
	if n < 0 {
		res, err = t.exec(ctx, `UPDATE llm_tokens SET used = CASE WHEN used + ? < 0 THEN 0 ELSE used + ? END WHERE day = ?`, n, n, day)
	} else {
		res, err = t.exec(ctx, `UPDATE llm_tokens SET used = used + ? WHERE day = ? AND used + ? <= ?`, n, day, n, limit)
	}
	if err != nil {
		return false, fmt.Errorf("spend tokens of %s: %w", day, err)
	}
	rows, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("spend tokens of %s: %w", day, err)
	}
	return rows == 1, nil
}

// TokensSpent is day's count.
func (t *tx) TokensSpent(ctx context.Context, day string) (int64, error) {
	var used int64
	err := t.queryRow(ctx, `SELECT used FROM llm_tokens WHERE day = ?`, day).Scan(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("tokens of %s: %w", day, err)
	}
	return used, nil
}
