package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/plusone-hq/plusone"
)

// EnqueueJob adds a job once per key.
func (t *tx) EnqueueJob(ctx context.Context, j *plusone.Job, runAfter time.Time) (bool, error) {
	payload := j.Payload
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	created := j.CreatedAt
	if created.IsZero() {
		created = runAfter
	}
	err := t.queryRow(ctx, `
		INSERT INTO jobs (kind, key, payload, state, run_after, created_at) VALUES (?, ?, ?, 'pending', ?, ?)
		ON CONFLICT (key) DO NOTHING RETURNING id`,
		j.Kind, j.Key, string(payload), runAfter.UnixMicro(), created.UnixMicro()).Scan(&j.ID)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("enqueue job %s: %w", j.Key, err)
	}
	return true, nil
}

// CompleteJob marks a claimed job done inside the transaction of its work.
func (t *tx) CompleteJob(ctx context.Context, id int64, worker string, now time.Time) error {
	err := leaseHeld(t.exec(ctx, `
		UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, done_at = ?, last_error = ''
		WHERE id = ? AND locked_by = ? AND state = 'pending'`, now.UnixMicro(), id, worker))
	if err != nil {
		return fmt.Errorf("complete job %d: %w", id, err)
	}
	return nil
}

func (t *tx) JobByKey(ctx context.Context, key string) (*plusone.Job, error) {
	var (
		j       plusone.Job
		payload string
		created sql.NullInt64
	)
	err := t.queryRow(ctx, `SELECT id, kind, key, payload, attempts, last_error, created_at, state FROM jobs WHERE key = ?`, key).
		Scan(&j.ID, &j.Kind, &j.Key, &payload, &j.Attempts, &j.LastError, &created, &j.State)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", key, notFound(err))
	}
	j.Payload, j.CreatedAt = []byte(payload), fromTS(created)
	return &j, nil
}

// ClaimJobs leases due pending jobs of kind.
func (s *Store) ClaimJobs(ctx context.Context, kind string, c plusone.Claim) ([]*plusone.Job, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	now := c.Now.UnixMicro()
	rows, err := s.writer().query(ctx, `
		UPDATE jobs SET locked_by = ?, locked_until = ?, attempts = attempts + 1
		WHERE id IN (
			SELECT id FROM jobs
			WHERE kind = ? AND state = 'pending' AND run_after <= ? AND (locked_until IS NULL OR locked_until <= ?)
			ORDER BY run_after, id`+limitClause(c.Limit)+s.d.LockSkip+`)
		RETURNING id, kind, key, payload, attempts, last_error, created_at`,
		c.Worker, c.Now.Add(c.Lease).UnixMicro(), kind, now, now)
	if err != nil {
		return nil, fmt.Errorf("claim %s jobs: %w", kind, err)
	}
	out, err := collect(rows, func(r scanner) (*plusone.Job, error) {
		var (
			j       plusone.Job
			payload string
			created sql.NullInt64
		)
		if err := r.Scan(&j.ID, &j.Kind, &j.Key, &payload, &j.Attempts, &j.LastError, &created); err != nil {
			return nil, err
		}
		j.Payload, j.CreatedAt = []byte(payload), fromTS(created)
		return &j, nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *plusone.Job) int { return int(a.ID - b.ID) })
	return out, nil
}

// RetryJob releases a claimed job until runAfter.
func (s *Store) RetryJob(ctx context.Context, id int64, worker string, runAfter time.Time, reason string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err := leaseHeld(s.writer().exec(ctx, `
		UPDATE jobs SET locked_by = NULL, locked_until = NULL, run_after = ?, last_error = ?
		WHERE id = ? AND locked_by = ? AND state = 'pending'`, runAfter.UnixMicro(), reason, id, worker))
	if err != nil {
		return fmt.Errorf("retry job %d: %w", id, err)
	}
	return nil
}

// ParkJob sets a claimed job aside.
func (s *Store) ParkJob(ctx context.Context, id int64, worker, reason string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err := leaseHeld(s.writer().exec(ctx, `
		UPDATE jobs SET state = 'parked', locked_by = NULL, locked_until = NULL, last_error = ?
		WHERE id = ? AND locked_by = ? AND state = 'pending'`, reason, id, worker))
	if err != nil {
		return fmt.Errorf("park job %d: %w", id, err)
	}
	return nil
}

// ReleaseJobs gives back everything leased to worker.
func (s *Store) ReleaseJobs(ctx context.Context, worker string) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if _, err := s.writer().exec(ctx, `UPDATE jobs SET locked_by = NULL, locked_until = NULL
		WHERE locked_by = ? AND state = 'pending'`, worker); err != nil {
		return fmt.Errorf("release jobs of %s: %w", worker, err)
	}
	return nil
}

// JobStats counts jobs of kind waiting and parked.
func (s *Store) JobStats(ctx context.Context, kind string) (pending, parked int, err error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	err = s.reader().queryRow(ctx, `
		SELECT COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN state = 'parked' THEN 1 ELSE 0 END), 0)
		FROM jobs WHERE kind = ?`, kind).Scan(&pending, &parked)
	if err != nil {
		return 0, 0, fmt.Errorf("count %s jobs: %w", kind, err)
	}
	return pending, parked, nil
}
