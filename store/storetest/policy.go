package storetest

import (
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// testPolicyLoads covers the policy's change history: loads are kept in
// the order recorded and listed newest first, at most limit.
func testPolicyLoads(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	loads := []plusone.PolicyLoad{
		{At: base, Hash: "aaa", Path: "/etc/plusone/policy.yaml", Reason: plusone.PolicyLoadStart, Instance: "a", Gestures: 2},
		{At: base.Add(time.Hour), Hash: "aaa", Path: "/etc/plusone/policy.yaml", Reason: plusone.PolicyLoadStart, Instance: "b", Gestures: 2},
		{At: base.Add(2 * time.Hour), Hash: "bbb", Path: "/etc/plusone/policy.yaml", Reason: plusone.PolicyLoadReload, Instance: "a", Gestures: 3},
	}
	for i := range loads {
		update(t, s, func(tx plusone.Tx) error { return tx.RecordPolicyLoad(ctx, &loads[i]) })
		if loads[i].ID == 0 {
			t.Fatalf("load %d got no ID", i)
		}
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		got, err := tx.PolicyLoads(ctx, 2)
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].ID != loads[2].ID || got[1].ID != loads[1].ID {
			t.Fatalf("policy loads = %+v", got)
		}
		if g := got[0]; g.Hash != "bbb" || g.Reason != plusone.PolicyLoadReload || g.Instance != "a" || g.Gestures != 3 ||
			!g.At.Equal(base.Add(2*time.Hour)) || g.Path != "/etc/plusone/policy.yaml" {
			t.Errorf("latest load = %+v", g)
		}
		return nil
	}))
}
