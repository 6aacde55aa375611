package memory

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// expose assigns her, at the event's time, to each gesture eligible for
// her for the first time (plusone.Policy.Exposures): treatment or holdout
// with the gesture's holdout share, drawn from her stable identity and the
// assignment seed, so every replica and every rerun draws the same.
func expose(ctx context.Context, tx plusone.Tx, cust *plusone.Customer, policy *plusone.Policy, at time.Time) error {
	if len(policy.Gestures) == 0 {
		return nil
	}
	have, err := tx.Assignments(ctx, cust.ID)
	if err != nil {
		return err
	}
	needed, needSignals := policy.NeedsExposure(*cust, have, at)
	if !needed {
		return nil
	}
	var signals []plusone.Signal
	if needSignals {
		view, err := LoadSignalView(ctx, tx, cust.ID)
		if err != nil {
			return err
		}
		signals = policy.Signals.Signals(view, at)
	}
	unit, err := stableUnit(ctx, tx, cust)
	if err != nil {
		return err
	}
	exposures := policy.Exposures(*cust, signals, have, unit, "", at)
	if len(exposures) == 0 {
		return nil
	}
	seed := policy.Outcomes.Seed
	if seed == "" {
		if seed, err = tx.AssignmentSeed(ctx, rand.Text()); err != nil {
			return err
		}
	}
	for _, a := range policy.Exposures(*cust, signals, have, unit, seed, at) {
		if _, err := tx.Assign(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// stableUnit is the identity her arms are drawn for: her email, else her
// first identity in a fixed order; never her record's ID, which differs
// between installations and changes in merges.
func stableUnit(ctx context.Context, tx plusone.Tx, cust *plusone.Customer) (string, error) {
	if e := strings.TrimSpace(cust.Email); e != "" {
		return strings.ToLower(e), nil
	}
	ids, err := tx.Identities(ctx, cust.ID)
	if err != nil {
		return "", err
	}
	if len(ids) == 0 {
		return fmt.Sprintf("customer:%d", cust.ID), nil
	}
	units := make([]string, len(ids))
	for i, id := range ids {
		units[i] = id.Kind + ":" + id.Value
	}
	return slices.Min(units), nil
}
