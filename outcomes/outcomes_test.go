package outcomes

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// rows makes n customers of one arm, the first bought of whom ordered $50
// in the window and spent $100 before, each granted granted times at $15.
func rows(gesture string, a plusone.Arm, n, bought, granted int) []plusone.ExposureOutcome {
	out := make([]plusone.ExposureOutcome, n)
	for i := range out {
		e := plusone.ExposureOutcome{Assignment: plusone.Assignment{CustomerID: int64(i), Gesture: gesture, Arm: a}, PriorSpend: 100_00}
		if i < bought {
			e.Orders, e.Revenue = 1, 50_00
		}
		if a == plusone.ArmTreatment {
			e.Granted, e.Spent = granted, plusone.Money(granted)*15_00
		}
		out[i] = e
	}
	return out
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	policy := &plusone.Policy{Gestures: []plusone.Gesture{
		{ID: "shipping", Title: "Free shipping", Holdout: 0.5},
		{ID: "unmeasured", Holdout: 0.1},
	}, Outcomes: plusone.OutcomesPolicy{Holdout: 0.2}}
	var in []plusone.ExposureOutcome
	in = append(in, rows("shipping", plusone.ArmTreatment, 400, 140, 1)...) // 35%
	in = append(in, rows("shipping", plusone.ArmHoldout, 400, 60, 0)...)    // 15%
	in = append(in, rows("retired", plusone.ArmTreatment, 100, 1, 0)...)
	closed := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	rep := Summarize(policy, 30*24*time.Hour, closed, in)
	if rep.Window != "30d" || len(rep.Gestures) != 3 || rep.Gestures[0].Gesture != "shipping" ||
		rep.Gestures[1].Gesture != "unmeasured" || rep.Gestures[2].Gesture != "retired" {
		t.Fatalf("report: %+v", rep)
	}
	g := rep.Gestures[0]
	if g.Treatment.Customers != 400 || g.Holdout.Customers != 400 || g.Treatment.Granted != 400 || g.Treatment.Spent != 6000 ||
		g.Treatment.RepeatPurchase != 0.35 || g.Holdout.RepeatPurchase != 0.15 || g.Treatment.Revenue != 17.5 {
		t.Errorf("arms: %+v / %+v", g.Treatment, g.Holdout)
	}
	rp := g.Effects[plusone.MetricRepeatPurchase]
	if math.Abs(float64(rp.Diff)-0.2) > 1e-9 || !(rp.CI[0] > 0.13 && rp.CI[1] < 0.27) || !(rp.P < 1e-9) || !(rp.SequentialP >= rp.P) {
		t.Errorf("repeat purchase effect: %+v", rp)
	}
	// $6,000 spent for 0.20 × 400 = 80 extra purchases.
	if c := float64(g.CostPerIncrementalPurchase); math.Abs(c-75) > 1e-9 {
		t.Errorf("cost per incremental purchase = %v, want 75", c)
	}
	if g.SRMP < 0.99 {
		t.Errorf("srm_p = %v for an even split of a 0.5 holdout", g.SRMP)
	}
	if _, ok := g.Effects[plusone.MetricCSAT]; ok {
		t.Error("csat effect without any feedback")
	}
	if got, want := g.Words("USD"), "+20 pts repeat purchase (14 to 26) · 400 granted · $75 per extra purchase"; got != want {
		t.Errorf("Words = %q, want %q", got, want)
	}
	if got, want := g.HeldOutWords(), "50% held out (of 800; configured 50%)"; got != want {
		t.Errorf("HeldOutWords = %q, want %q", got, want)
	}
	if r := rep.Gestures[2]; r.HoldoutShare != 0.2 || r.SRMP > 0.01 {
		t.Errorf("a gesture the policy no longer lists: share %v (want outcomes.holdout), srm_p %v for 100 of 100 treated", r.HoldoutShare, r.SRMP)
	}
	if got, want := rep.Gestures[1].Words("USD"), "not measured yet · 0 granted"; got != want {
		t.Errorf("Words of an unmeasured gesture = %q, want %q", got, want)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"window":"30d"`, `"csat":null`, `"srm_p":`, `"ci":[0.1`, `"cost_per_incremental_purchase":75`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
}
