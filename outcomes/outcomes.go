// Package outcomes measures what gestures do: it reads from the store who
// was exposed to each gesture, on which arm, and what each customer did in
// a window after her exposure, and compares treatment with holdout using
// the domain's statistics (plusone.CompareProportions and the others).
package outcomes

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// Level is the confidence level of the report's intervals.
const Level = 0.95

// Service computes outcomes reports from the store.
type Service struct {
	Store plusone.Store
	// Policy returns the policy in force (gestures, holdout shares,
	// windows).
	Policy func() *plusone.Policy
}

// Report compares treatment with holdout for every gesture anyone was
// exposed to, counting the customers whose window closed by now and what
// they did within it.
func (s *Service) Report(ctx context.Context, window time.Duration, now time.Time) (plusone.OutcomesReport, error) {
	var rows []plusone.ExposureOutcome
	err := s.Store.View(ctx, func(tx plusone.Tx) (err error) {
		rows, err = tx.ExposureOutcomes(ctx, window, now)
		return err
	})
	if err != nil {
		return plusone.OutcomesReport{}, fmt.Errorf("outcomes report: %w", err)
	}
	return Summarize(s.Policy(), window, now, rows), nil
}

// Summarize builds the report of window from the exposures whose window
// closed by closedBy: the policy's gestures in its order, then gestures it
// no longer lists that have exposures.
func Summarize(policy *plusone.Policy, window time.Duration, closedBy time.Time, rows []plusone.ExposureOutcome) plusone.OutcomesReport {
	byGesture := map[string][]plusone.ExposureOutcome{}
	var extra []string
	for _, r := range rows {
		if _, ok := byGesture[r.Gesture]; !ok {
			if _, listed := policy.GestureByID(r.Gesture); !listed {
				extra = append(extra, r.Gesture)
			}
		}
		byGesture[r.Gesture] = append(byGesture[r.Gesture], r)
	}
	slices.Sort(extra)
	rep := plusone.OutcomesReport{Window: plusone.FormatDuration(window), ClosedBy: closedBy, Gestures: []plusone.GestureOutcome{}}
	for _, g := range policy.Gestures {
		rep.Gestures = append(rep.Gestures, compare(g, byGesture[g.ID]))
	}
	for _, id := range extra {
		rep.Gestures = append(rep.Gestures, compare(plusone.Gesture{ID: id, Holdout: policy.Outcomes.Holdout}, byGesture[id]))
	}
	return rep
}

// arm gathers one arm's customers.
type arm struct {
	out       plusone.ArmOutcome
	purchased plusone.Proportion
	returned  plusone.Proportion // opened a new ticket
	revenue   []plusone.Observation
	csat      []float64
}

func gather(rows []plusone.ExposureOutcome) arm {
	var a arm
	var spent plusone.Money
	for _, r := range rows {
		a.out.Customers++
		a.out.Granted += r.Granted
		spent += r.Spent
		a.purchased.N++
		a.returned.N++
		if r.Orders > 0 {
			a.purchased.Successes++
		}
		if r.Tickets > 0 {
			a.returned.Successes++
		}
		a.revenue = append(a.revenue, plusone.Observation{Y: units(r.Revenue), X: units(r.PriorSpend)})
		if r.CSATs > 0 {
			a.csat = append(a.csat, float64(r.CSATSum)/float64(r.CSATs))
		}
	}
	a.out.Spent = units(spent)
	a.out.RepeatPurchase = figure(a.purchased.Rate(), a.purchased.N)
	a.out.Recontact = figure(a.returned.Rate(), a.returned.N)
	a.out.Revenue = figure(mean(ys(a.revenue)), len(a.revenue))
	a.out.CSAT = figure(mean(a.csat), len(a.csat))
	return a
}

// compare puts a gesture's arms side by side.
func compare(g plusone.Gesture, rows []plusone.ExposureOutcome) plusone.GestureOutcome {
	var treated, held []plusone.ExposureOutcome
	for _, r := range rows {
		if r.Arm == plusone.ArmHoldout {
			held = append(held, r)
		} else {
			treated = append(treated, r)
		}
	}
	t, h := gather(treated), gather(held)
	out := plusone.GestureOutcome{
		Gesture: g.ID, Title: g.Title, HoldoutShare: g.Holdout, Treatment: t.out, Holdout: h.out,
		Effects:                    map[string]plusone.EffectReport{},
		SRMP:                       plusone.Figure(plusone.SampleRatioP(h.out.Customers, t.out.Customers, g.Holdout)),
		CostPerIncrementalPurchase: plusone.Figure(math.NaN()),
	}
	if min(h.purchased.N, t.purchased.N) >= minArm {
		e := plusone.CompareProportions(h.purchased, t.purchased, Level)
		out.Effects[plusone.MetricRepeatPurchase] = report(e, h.purchased.N+t.purchased.N)
		out.CostPerIncrementalPurchase = plusone.Figure(plusone.CostPerIncremental(t.out.Spent, e.Diff, t.out.Customers))
		out.Effects[plusone.MetricRecontact] = report(plusone.CompareProportions(h.returned, t.returned, Level), h.returned.N+t.returned.N)
		out.Effects[plusone.MetricRevenue] = report(plusone.CompareCUPED(h.revenue, t.revenue, Level), len(h.revenue)+len(t.revenue))
	}
	if min(len(h.csat), len(t.csat)) >= minArm {
		out.Effects[plusone.MetricCSAT] = report(plusone.CompareMeans(h.csat, t.csat, Level), len(h.csat)+len(t.csat))
	}
	return out
}

// minArm is the fewest customers an arm needs for an effect to be
// reported (a variance needs two).
const minArm = 2

// report writes an effect measured on n customers for people, with its
// always-valid p-value (Effect.SequentialP).
func report(e plusone.Effect, n int) plusone.EffectReport {
	return plusone.EffectReport{
		Diff: plusone.Figure(e.Diff), CI: [2]plusone.Figure{plusone.Figure(e.Low), plusone.Figure(e.High)},
		P: plusone.Figure(e.P), Lift: plusone.Figure(e.Lift), SequentialP: plusone.Figure(e.SequentialP(n)),
	}
}

// units turns money into the currency's units (dollars).
func units(m plusone.Money) float64 { return float64(m) / 100 }

func ys(obs []plusone.Observation) []float64 {
	out := make([]float64, len(obs))
	for i, o := range obs {
		out[i] = o.Y
	}
	return out
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// figure is v, or unknown when it was measured on nobody.
func figure(v float64, n int) plusone.Figure {
	if n == 0 {
		return plusone.Figure(math.NaN())
	}
	return plusone.Figure(v)
}

// Window finds the policy's window called name ("30d", or any spelling of
// the same duration); "" is the policy's first (shortest) window. A window
// the policy does not measure is an EINVALID error naming it.
func (s *Service) Window(name string) (time.Duration, error) {
	o := s.Policy().Outcomes
	windows := o.Windows
	if len(windows) == 0 {
		windows = plusone.DefaultOutcomeWindows()
	}
	if name == "" {
		return windows[0], nil
	}
	if d, ok := (plusone.OutcomesPolicy{Windows: windows}).OutcomeWindow(name); ok {
		return d, nil
	}
	names := make([]string, len(windows))
	for i, w := range windows {
		names[i] = plusone.FormatDuration(w)
	}
	return 0, plusone.Errorf(plusone.EINVALID, "unknown window %q (the policy's outcomes.windows are %s)", name, strings.Join(names, ", "))
}

// HomeLines puts each gesture's effect in the policy's first window in
// words for supervisors' App Home, with the share held out of everyone
// exposed by now.
func (s *Service) HomeLines(ctx context.Context, now time.Time) (string, []plusone.OutcomeLine, error) {
	window, err := s.Window("")
	if err != nil {
		return "", nil, err
	}
	rep, err := s.Report(ctx, window, now)
	if err != nil {
		return "", nil, err
	}
	exposed, err := s.Report(ctx, 0, now) // everyone exposed by now, outcomes aside
	if err != nil {
		return "", nil, err
	}
	heldOut := map[string]string{}
	for _, o := range exposed.Gestures {
		heldOut[o.Gesture] = o.HeldOutWords()
	}
	currency := s.Policy().Currency
	lines := make([]plusone.OutcomeLine, len(rep.Gestures))
	for i, o := range rep.Gestures {
		title := o.Title
		if title == "" {
			title = o.Gesture
		}
		lines[i] = plusone.OutcomeLine{Title: title, Effect: o.Words(currency), HeldOut: heldOut[o.Gesture]}
	}
	return rep.Window, lines, nil
}

// Effects is each gesture's measured effect on repeat purchase in the
// policy's first window as of now, for the supervisors' digest; gestures
// whose effect or interval is not known yet are left out.
func (s *Service) Effects(ctx context.Context, now time.Time) ([]plusone.GestureEffect, error) {
	window, err := s.Window("")
	if err != nil {
		return nil, err
	}
	r, err := s.Report(ctx, window, now)
	if err != nil {
		return nil, err
	}
	var out []plusone.GestureEffect
	for _, g := range r.Gestures {
		e, ok := g.Effects[plusone.MetricRepeatPurchase]
		if !ok || !e.Diff.Known() || !e.CI[0].Known() || !e.CI[1].Known() {
			continue
		}
		ge := plusone.GestureEffect{Gesture: g.Gesture, Title: g.Title, Diff: float64(e.Diff),
			Low: float64(e.CI[0]), High: float64(e.CI[1]), Granted: g.Treatment.Granted}
		if g.CostPerIncrementalPurchase.Known() {
			ge.CostPerExtra = float64(g.CostPerIncrementalPurchase)
		}
		out = append(out, ge)
	}
	return out, nil
}
