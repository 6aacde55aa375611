package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/plusone-hq/plusone"
)

func (t *tx) RecordPolicyLoad(ctx context.Context, l *plusone.PolicyLoad) error {
	err := t.queryRow(ctx, `INSERT INTO policy_loads (at, hash, path, reason, instance, gestures) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		l.At.UnixMicro(), l.Hash, l.Path, l.Reason, l.Instance, l.Gestures).Scan(&l.ID)
	if err != nil {
		return fmt.Errorf("record policy load: %w", err)
	}
	return nil
}

func (t *tx) PolicyLoads(ctx context.Context, limit int) ([]plusone.PolicyLoad, error) {
	rows, err := t.query(ctx, `SELECT id, at, hash, path, reason, instance, gestures FROM policy_loads ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("policy loads: %w", err)
	}
	return collect(rows, func(r scanner) (plusone.PolicyLoad, error) {
		var l plusone.PolicyLoad
		var at sql.NullInt64
		err := r.Scan(&l.ID, &at, &l.Hash, &l.Path, &l.Reason, &l.Instance, &l.Gestures)
		l.At = fromTS(at)
		return l, err
	})
}
