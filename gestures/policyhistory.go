package gestures

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/plusone-hq/plusone"
)

// PolicyHistory records each load of the policy by this instance (at
// start, on SIGHUP, when the file changed) with its hash and time: the
// console's change history of the policy in force.
type PolicyHistory struct {
	Store    plusone.Store
	Instance string
	Clock    func() time.Time
	Log      *slog.Logger
}

// recordTimeout bounds a record made outside any request (a reload).
const recordTimeout = 10 * time.Second

// Record stores l as loaded now by this instance.
func (h *PolicyHistory) Record(ctx context.Context, l plusone.PolicyLoad) error {
	l.At, l.Instance = h.Clock(), h.Instance
	err := h.Store.Update(ctx, func(tx plusone.Tx) error { return tx.RecordPolicyLoad(ctx, &l) })
	if err != nil {
		return fmt.Errorf("record the policy's %s load: %w", l.Reason, err)
	}
	return nil
}

// Loaded records a reload heard from config.Live (OnLoad). A failure is
// logged: the reload itself stands.
func (h *PolicyHistory) Loaded(l plusone.PolicyLoad) {
	ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
	defer cancel()
	if err := h.Record(ctx, l); err != nil {
		h.Log.Warn("policy history", "err", err)
	}
}
