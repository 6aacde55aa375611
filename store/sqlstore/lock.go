package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/plusone-hq/plusone"
)

// Lock takes the dialect's lock for each key, in sorted order so that two
// transactions locking some of the same keys in one call never wait on each
// other crosswise. Each lock is its own statement: a read in a later
// statement then sees what the previous holder committed (a statement
// that waited for the lock would read from before the wait).
func (t *tx) Lock(ctx context.Context, keys ...string) error {
	if t.x.d.LockKey == "" {
		return nil // one writer at a time already (SQLite)
	}
	keys = slices.Clone(keys)
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if _, err := t.exec(ctx, t.x.d.LockKey, k); err != nil {
			return fmt.Errorf("lock %s: %w", k, err)
		}
	}
	return nil
}

// lockIdentitiesOf locks every identity of a customer: whoever finds her
// through one of them holds its lock (pipeline), so that once they are
// locked nobody is applying anything to her. An identity linked to her
// meanwhile was linked by someone holding one of hers, so the locks are
// taken again until her identities stop changing.
func (t *tx) lockIdentitiesOf(ctx context.Context, customerID int64) error {
	if t.x.d.LockKey == "" {
		return nil
	}
	locked := map[plusone.Identity]bool{}
	for {
		ids, err := t.Identities(ctx, customerID)
		if err != nil {
			return err
		}
		var keys []string
		for _, id := range ids {
			if !locked[id] {
				locked[id] = true
				keys = append(keys, plusone.IdentityLock(id))
			}
		}
		if len(keys) == 0 {
			return nil
		}
		if err := t.Lock(ctx, keys...); err != nil {
			return err
		}
	}
}
