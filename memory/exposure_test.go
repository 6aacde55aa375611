package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// A live event exposes her to the gestures eligible for her, once, at the
// earliest event time; back-filled history exposes nobody; her card leaves
// out the gesture she is held out of; the arm comes from the installation's
// seed when the policy sets none.
func TestExposure(t *testing.T) {
	t.Parallel()
	s := testStore(t)
	policy := &plusone.Policy{Currency: "USD", Signals: plusone.DefaultSignalRules(), Gestures: []plusone.Gesture{
		{ID: "held", Title: "Held", Kind: "gift", Value: 5_00, Holdout: 0.999999},
		{ID: "kept", Title: "Kept", Kind: "gift", Value: 4_00},
		{ID: "loyal_only", Title: "Loyal", Kind: "gift", Value: 3_00, Eligible: plusone.Eligibility{Tiers: []plusone.Tier{plusone.TierLoyal}}},
	}}
	a := testWriter(policy)
	assignments := func(id int64) map[string]plusone.Assignment {
		out := map[string]plusone.Assignment{}
		must(t, s.View(context.Background(), func(tx plusone.Tx) error {
			as, err := tx.Assignments(context.Background(), id)
			for _, x := range as {
				out[x.Gesture] = x
			}
			return err
		}))
		return out
	}

	var id int64
	must(t, s.Update(context.Background(), func(tx plusone.Tx) error {
		cust, _, err := a.RememberPast(context.Background(), tx, order("1", 20_00, t0.Add(-24*time.Hour)), t0)
		id = cust.ID
		return err
	}))
	if got := assignments(id); len(got) != 0 {
		t.Fatalf("back-filled history exposed her: %v", got)
	}

	remember(t, s, a, ticketEvent(plusone.EventTicketCreated, "T-1", "open", t0.Add(time.Hour)))
	got := assignments(id)
	if len(got) != 2 || !got["held"].ExposedAt.Equal(t0.Add(time.Hour)) || got["kept"].Arm != plusone.ArmTreatment {
		t.Fatalf("after her ticket: %+v, want held and kept (not loyal_only: she is satisfied) at her ticket's time", got)
	}
	var seed string
	must(t, s.Update(context.Background(), func(tx plusone.Tx) (err error) {
		seed, err = tx.AssignmentSeed(context.Background(), "another")
		return err
	}))
	if seed == "another" || got["held"].Arm != plusone.AssignArm(seed, "held", "jane@example.com", 0.999999) {
		t.Errorf("seed %q, arm %s: want the installation's seed, made at her exposure", seed, got["held"].Arm)
	}

	// An event applied late, with an earlier time, moves the exposure; a
	// later one changes nothing.
	remember(t, s, a, ticketEvent(plusone.EventTicketUpdated, "T-1", "open", t0.Add(30*time.Minute)),
		ticketEvent(plusone.EventTicketUpdated, "T-1", "open", t0.Add(2*time.Hour)))
	if got := assignments(id); !got["held"].ExposedAt.Equal(t0.Add(30*time.Minute)) || !got["kept"].ExposedAt.Equal(t0.Add(30*time.Minute)) {
		t.Errorf("after a late earlier event: %+v, want exposed at t0+30m", got)
	}

	c := card(t, s, "generic:T-1", policy, t0.Add(3*time.Hour))
	var suggested []string
	for _, sg := range c.Suggestions {
		suggested = append(suggested, sg.Gesture.ID)
	}
	if held := assignments(id)["held"].Arm; held != plusone.ArmHoldout || len(suggested) != 1 || suggested[0] != "kept" {
		t.Errorf("held %s; card suggests %v, want kept only", held, suggested)
	}
}
