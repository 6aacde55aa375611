package wording

import (
	"context"
	"fmt"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/prompts"
)

// Notes words the handwritten note of a to-do without calling the model:
// the note the model wrote for her card (guarded when it was kept), or the
// rules' draft. The Slack sender composes to-dos, and never waits on a
// model.
type Notes struct {
	Store plusone.Store
}

var _ plusone.NoteDrafter = Notes{}

// DraftNote is her card's note by the model (byModel), else the rules'
// note for the occasion her signals make.
func (n Notes) DraftNote(ctx context.Context, v plusone.CustomerView, signals []plusone.Signal) (string, bool, error) {
	var note string
	err := n.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		note, err = tx.LatestNote(ctx, v.Customer.ID)
		return err
	})
	if note != "" {
		return note, true, nil
	}
	rules := prompts.RulesNote(prompts.FactsOf(v, prompts.OccasionOf(signals, v.Customer.Profile.Tier)))
	if err != nil {
		return rules, false, fmt.Errorf("her model's note: %w", err)
	}
	return rules, false, nil
}
