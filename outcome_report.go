package plusone

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// OutcomesReport is what each measured gesture did in one window after
// exposure: treatment against holdout. It is the answer of GET
// /api/v1/outcomes and of `plusone report --format json`, and what App Home
// and the digest put in words.
type OutcomesReport struct {
	// Window is the window's name as the policy writes it ("30d").
	Window string `json:"window"`
	// ClosedBy is the time windows had to close by to count.
	ClosedBy time.Time        `json:"closed_by"`
	Gestures []GestureOutcome `json:"gestures"`
}

// GestureOutcome is one gesture's experiment.
type GestureOutcome struct {
	Gesture string `json:"gesture"`
	Title   string `json:"title,omitempty"`
	// HoldoutShare is the configured share of customers held out.
	HoldoutShare float64    `json:"holdout_share"`
	Treatment    ArmOutcome `json:"treatment"`
	Holdout      ArmOutcome `json:"holdout"`
	// Effects are treatment minus holdout by metric: repeat_purchase,
	// revenue, csat and recontact (a metric missing in an arm is left out).
	Effects map[string]EffectReport `json:"effects"`
	// SRMP tests the observed split against HoldoutShare: a tiny value
	// means the assignment is broken (sample ratio mismatch).
	SRMP Figure `json:"srm_p"`
	// CostPerIncrementalPurchase is what the treatment arm's grants cost
	// per purchase they added; null when they added none.
	CostPerIncrementalPurchase Figure `json:"cost_per_incremental_purchase"`
}

// Outcome metrics, the keys of GestureOutcome.Effects.
const (
	MetricRepeatPurchase = "repeat_purchase"
	MetricRevenue        = "revenue"
	MetricCSAT           = "csat"
	MetricRecontact      = "recontact"
)

// ArmOutcome sums up the customers of one arm whose window closed.
type ArmOutcome struct {
	Customers int `json:"customers"`
	// Granted counts the grants of the gesture to them (an agent may offer
	// it to a held-out customer: the analysis is intention-to-treat).
	Granted int `json:"granted"`
	// Spent is what those grants cost, in the policy's currency.
	Spent float64 `json:"spent"`
	// RepeatPurchase is the share who ordered within the window.
	RepeatPurchase Figure `json:"repeat_purchase"`
	// Revenue is the mean of their order totals within the window.
	Revenue Figure `json:"revenue"`
	// CSAT is the mean CSAT score of those who gave one; null if nobody did.
	CSAT Figure `json:"csat"`
	// Recontact is the share who opened a new ticket within the window.
	Recontact Figure `json:"recontact"`
}

// EffectReport is one metric's difference, treatment minus holdout.
type EffectReport struct {
	Diff Figure `json:"diff"`
	// CI is the 95% confidence interval of Diff.
	CI [2]Figure `json:"ci"`
	P  Figure    `json:"p"`
	// Lift is Diff relative to the holdout's value.
	Lift Figure `json:"lift"`
	// SequentialP is the always-valid p-value (mSPRT): it may be looked
	// at every week without inflating false positives.
	SequentialP Figure `json:"sequential_p"`
}

// Figure is a number of the report; it is written to JSON as null when it
// is not a finite number (a lift over zero, a cost without an effect).
type Figure float64

// MarshalJSON writes f, or null when it is NaN or infinite.
func (f Figure) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as NaN.
func (f *Figure) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Figure(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Figure(v)
	return nil
}

// Known reports whether f is a finite number.
func (f Figure) Known() bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }

// ExposureOutcome is one assignment and what the customer did in a window
// after its exposure, on the events' own times (ExposedAt < t <=
// ExposedAt+window).
type ExposureOutcome struct {
	Assignment
	Orders  int
	Revenue Money
	// CSATs and CSATSum count and sum her CSAT scores.
	CSATs, CSATSum int
	// Tickets counts her new tickets.
	Tickets int
	// PriorSpend is what she ordered before the exposure (the CUPED
	// covariate).
	PriorSpend Money
	// Granted counts the grants of the gesture to her, Spent what they
	// cost.
	Granted int
	Spent   Money
}

// OutcomeWindow finds a window of the policy by its name ("30d") or any
// spelling of the same duration ("720h"); it reports false for a window the
// policy does not measure.
func (o OutcomesPolicy) OutcomeWindow(name string) (time.Duration, bool) {
	d, err := ParseDuration(name)
	if err != nil {
		return 0, false
	}
	for _, w := range o.Windows {
		if w == d {
			return w, true
		}
	}
	return 0, false
}

// Words puts the gesture's effect on repeat purchase as a supervisor reads
// it: "+19 pts repeat purchase (11 to 27) · 398 granted · $76 per extra
// purchase", with "not measured yet" when no window has closed on both arms
// and without the cost when the gesture added no purchase.
func (g GestureOutcome) Words(currency string) string {
	granted := fmt.Sprintf("%d granted", g.Treatment.Granted+g.Holdout.Granted)
	e, ok := g.Effects[MetricRepeatPurchase]
	if !ok || !e.Diff.Known() {
		return "not measured yet · " + granted
	}
	s := fmt.Sprintf("%s pts repeat purchase (%s to %s) · %s", points(float64(e.Diff), true),
		points(float64(e.CI[0]), false), points(float64(e.CI[1]), false), granted)
	if c := g.CostPerIncrementalPurchase; c.Known() && c > 0 {
		s += " · " + Money(math.Round(float64(c))*100).Format(currency) + " per extra purchase"
	}
	return s
}

// points writes a difference of shares in percentage points, rounded:
// 0.19 is "19" ("+19" with sign), −0.03 is "−3".
func points(diff float64, sign bool) string {
	p := int(math.Round(diff * 100))
	switch {
	case p < 0:
		return "−" + strconv.Itoa(-p)
	case sign:
		return "+" + strconv.Itoa(p)
	default:
		return strconv.Itoa(p)
	}
}

// HeldOutWords says what share of the customers exposed to the gesture
// are held out, against the configured share: "50% held out (of 2,000;
// configured 50%)".
func (g GestureOutcome) HeldOutWords() string {
	n := g.Treatment.Customers + g.Holdout.Customers
	if n == 0 {
		return fmt.Sprintf("%s held out (configured; nobody exposed yet)", percent(g.HoldoutShare))
	}
	return fmt.Sprintf("%s held out (of %s; configured %s)", percent(float64(g.Holdout.Customers)/float64(n)),
		groupThousands(int64(n)), percent(g.HoldoutShare))
}

// percent writes a share as a whole percentage: 0.5 is "50%".
func percent(share float64) string { return strconv.Itoa(int(math.Round(share*100))) + "%" }

// OutcomeLine is one gesture's measured effect as a supervisor reads it in
// App Home.
type OutcomeLine struct {
	// Title is the gesture's title (or id).
	Title string
	// Effect is GestureOutcome.Words: "+19 pts repeat purchase (11 to 27)
	// · 398 granted · $76 per extra purchase".
	Effect string
	// HeldOut is GestureOutcome.HeldOutWords over everyone exposed so far:
	// "50% held out (of 800; configured 50%)".
	HeldOut string
}
