package sqlstore

import (
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

// Heartbeat records that instance is alive.
func (s *Store) Heartbeat(ctx context.Context, instance string, now time.Time) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := instanceName(instance); err != nil {
		return err
	}
	_, err := s.writer().exec(ctx, `
		INSERT INTO instances (name, started_at, heartbeat_at, reaped_at) VALUES (?, ?, ?, NULL)
		ON CONFLICT (name) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, reaped_at = NULL`,
		instance, now.UnixMicro(), now.UnixMicro())
	if err != nil {
		return fmt.Errorf("heartbeat of %s: %w", instance, err)
	}
	return nil
}

// ReapInstances gives back the leases of instances whose heartbeat stopped.
// Each is reaped in its own transaction that first marks it, so that two
// replicas reaping at once do it once, and an instance that beats again in
// the meantime (its row is then locked or changed) is left alone.
func (s *Store) ReapInstances(ctx context.Context, now, deadBefore, forgetBefore time.Time) ([]string, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	dead, err := names(s.writer().query(ctx,
		`SELECT name FROM instances WHERE heartbeat_at < ? AND reaped_at IS NULL`,
		deadBefore.UnixMicro()))
	if err != nil {
		return nil, fmt.Errorf("find dead instances: %w", err)
	}
	var reaped []string
	for _, name := range dead {
		err := s.durableTx(ctx, func(x db) error {
			if err := leaseHeld(x.exec(ctx, `UPDATE instances SET reaped_at = ?
				WHERE name = ? AND heartbeat_at < ? AND reaped_at IS NULL`,
				now.UnixMicro(), name, deadBefore.UnixMicro())); err != nil {
				return err
			}
			return releaseLeases(ctx, x, now, name, false)
		})
		switch {
		case errors.Is(err, plusone.ErrLeaseLost):
			// Revived, or reaped by another replica meanwhile.
		case err != nil:
			return reaped, fmt.Errorf("reap instance %s: %w", name, err)
		default:
			reaped = append(reaped, name)
		}
	}
	if _, err := s.writer().exec(ctx, `DELETE FROM instances WHERE heartbeat_at < ? AND reaped_at IS NOT NULL`,
		forgetBefore.UnixMicro()); err != nil {
		return reaped, fmt.Errorf("forget dead instances: %w", err)
	}
	return reaped, nil
}

// TakeOver gives back every lease held by another instance.
func (s *Store) TakeOver(ctx context.Context, instance string, now time.Time) ([]string, error) {
	if err := instanceName(instance); err != nil {
		return nil, err
	}
	var others []string
	err := s.durableTx(ctx, func(x db) error {
		var err error
		others, err = names(x.query(ctx,
			`SELECT name FROM instances WHERE name <> ? AND reaped_at IS NULL`, instance))
		if err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE instances SET reaped_at = ? WHERE name <> ? AND reaped_at IS NULL`,
			now.UnixMicro(), instance); err != nil {
			return err
		}
		return releaseLeases(ctx, x, now, instance, true)
	})
	if err != nil {
		return nil, fmt.Errorf("take over from other instances: %w", err)
	}
	return others, nil
}

// Leave frees the roles of instance and dates its last heartbeat back to
// the epoch, so that the next reap takes it for dead at once.
func (s *Store) Leave(ctx context.Context, instance string) error {
	err := s.durableTx(ctx, func(x db) error {
		if _, err := x.exec(ctx, `DELETE FROM roles WHERE holder = ?`, instance); err != nil {
			return err
		}
		_, err := x.exec(ctx, `UPDATE instances SET heartbeat_at = 0, reaped_at = NULL WHERE name = ?`, instance)
		return err
	})
	if err != nil {
		return fmt.Errorf("instance %s leaving: %w", instance, err)
	}
	return nil
}

// HoldRole takes or renews a role in one statement: the conditional upsert
// changes the row only when it is free, expired or holder's own, and
// PostgreSQL serialises concurrent upserts of one row, so that at most one
// holder's term runs at any moment (by the clocks of the callers).
func (s *Store) HoldRole(ctx context.Context, role, holder string, now time.Time, ttl time.Duration) (time.Time, bool, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var since int64
	err := s.writer().queryRow(ctx, `
		INSERT INTO roles (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
			acquired_at = CASE WHEN roles.holder = excluded.holder AND roles.expires_at > excluded.acquired_at
				THEN roles.acquired_at ELSE excluded.acquired_at END
		WHERE roles.holder = excluded.holder OR roles.expires_at <= excluded.acquired_at
		RETURNING acquired_at`,
		role, holder, now.UnixMicro(), now.Add(ttl).UnixMicro()).Scan(&since)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("hold role %s: %w", role, err)
	}
	return time.UnixMicro(since).UTC(), true, nil
}

// releaseLeases sets the leases held by the workers of instance (or, with
// others, by everyone else) to end at now. Workers are named
// "<instance>/<role>"; the prefix is compared with substr rather than LIKE,
// whose "_" and "%" an instance name may contain. The conditions on state
// let the queues' partial indexes find the few rows that can be leased.
func releaseLeases(ctx context.Context, x db, now time.Time, instance string, others bool) error {
	prefix := instance + "/"
	cmp, roleCmp := "=", "="
	if others {
		cmp, roleCmp = "<>", "<>"
	}
	held := `locked_until > ? AND locked_by IS NOT NULL AND substr(locked_by, 1, ?) ` + cmp + ` ?`
	args := []any{now.UnixMicro(), now.UnixMicro(), utf8.RuneCountInString(prefix), prefix}
	for _, q := range []string{
		`UPDATE inbox SET locked_until = ? WHERE state = 'pending' AND ` + held,
		`UPDATE cards SET locked_until = ? WHERE version > delivered AND ` + held,
		`UPDATE jobs SET locked_until = ? WHERE state = 'pending' AND ` + held,
	} {
		if _, err := x.exec(ctx, q, args...); err != nil {
			return fmt.Errorf("release leases: %w", err)
		}
	}
	if _, err := x.exec(ctx, `UPDATE roles SET expires_at = ? WHERE expires_at > ? AND holder `+roleCmp+` ?`,
		now.UnixMicro(), now.UnixMicro(), instance); err != nil {
		return fmt.Errorf("release roles: %w", err)
	}
	return nil
}

// instanceName checks that workers of instance can be told from another's.
func instanceName(instance string) error {
	if instance == "" || strings.Contains(instance, "/") {
		return plusone.Errorf(plusone.EINVALID, "instance name %q must be non-empty and without \"/\"", instance)
	}
	return nil
}

// names collects a one-column query of strings, sorted.
func names(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	out, err := collect(rows, func(r scanner) (string, error) {
		var v string
		err := r.Scan(&v)
		return v, err
	})
	slices.Sort(out) // byte order, whatever the database's collation
	return out, err
}
