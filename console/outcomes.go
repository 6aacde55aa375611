package console

import (
	"errors"
	"html/template"
	"math"
	"net/http"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/chart"
)

// outcomesPage is each gesture's effect per metric, drawn with its
// interval, and the figures of both arms.
type outcomesPage struct {
	Coming   bool
	Window   string
	Windows  []string
	Report   plusone.OutcomesReport
	Charts   []metricChart
	Currency string
}

// metricChart is one metric's effects across gestures.
type metricChart struct {
	Metric string
	SVG    template.HTML
}

// metrics are the outcome metrics in the order the page draws them, with
// how their effects are scaled and named.
var metrics = []struct {
	key, title, unit string
	scale            float64
}{
	{plusone.MetricRepeatPurchase, "Effect on repeat purchase", "percentage points of repeat purchase", 100},
	{plusone.MetricRevenue, "Effect on revenue per customer", "revenue per customer", 1},
	{plusone.MetricCSAT, "Effect on CSAT", "CSAT points", 1},
	{plusone.MetricRecontact, "Effect on recontact", "percentage points of customers who came back with a new ticket", 100},
}

// handleOutcomes shows the outcomes report of a window (?window=, the
// policy's first by default), as GET /api/v1/outcomes has it.
func (c *Console) handleOutcomes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		policy := c.Policy()
		page := outcomesPage{Currency: policy.Currency}
		if c.Outcomes == nil {
			page.Coming = true
			c.render(w, r, "outcomes", "Outcomes", "outcomes", page)
			return
		}
		windows := policy.Outcomes.Windows
		if len(windows) == 0 {
			windows = plusone.DefaultOutcomeWindows()
		}
		for _, d := range windows {
			page.Windows = append(page.Windows, plusone.FormatDuration(d))
		}
		window, err := c.Outcomes.Window(r.URL.Query().Get("window"))
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		page.Report, err = c.Outcomes.Report(r.Context(), window, c.now())
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		page.Window = page.Report.Window
		for _, m := range metrics {
			var bars []chart.Bar
			for _, g := range page.Report.Gestures {
				e, ok := g.Effects[m.key]
				if !ok {
					continue
				}
				label := g.Title
				if label == "" {
					label = g.Gesture
				}
				bars = append(bars, chart.Bar{Label: label, Diff: float64(e.Diff) * m.scale,
					Low: float64(e.CI[0]) * m.scale, High: float64(e.CI[1]) * m.scale})
			}
			if !anyFinite(bars) {
				continue
			}
			unit := m.unit
			if m.key == plusone.MetricRevenue {
				unit = policy.Currency + " of " + unit
			}
			svg, err := chart.EffectsSVG(m.title+", "+page.Window, unit, bars)
			if errors.Is(err, chart.ErrNoBars) {
				continue
			}
			if err != nil {
				c.failErr(w, r, err)
				return
			}
			page.Charts = append(page.Charts, metricChart{Metric: m.key,
				SVG: template.HTML(svg)}) //nolint:gosec // drawn by package chart, its text XML-escaped
		}
		c.render(w, r, "outcomes", "Outcomes", "outcomes", page)
	})
}

// anyFinite says whether some bar has an effect to draw.
func anyFinite(bars []chart.Bar) bool {
	for _, b := range bars {
		if !math.IsNaN(b.Diff) && !math.IsInf(b.Diff, 0) {
			return true
		}
	}
	return false
}
