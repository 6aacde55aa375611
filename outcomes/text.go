package outcomes

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/plusone-hq/plusone"
)

// WriteText writes rep as a text table for people (`plusone report`): per
// gesture its two arms, then each effect with its interval and p-values,
// the sample ratio test and the cost per extra purchase.
func WriteText(w io.Writer, rep plusone.OutcomesReport, currency string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Outcomes %s after exposure, customers whose window closed by %s\n\n", rep.Window,
		rep.ClosedBy.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintln(tw, "gesture\tarm\tcustomers\tgranted\tspent\trepeat purchase\trevenue\tcsat\trecontact\t")
	money := func(v float64) string { return plusone.Money(math.Round(v * 100)).Format(currency) }
	for _, g := range rep.Gestures {
		for i, a := range []struct {
			name string
			out  plusone.ArmOutcome
		}{{"treatment", g.Treatment}, {"holdout", g.Holdout}} {
			name := g.Gesture
			if i > 0 {
				name = ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", name, a.name, a.out.Customers, a.out.Granted,
				money(a.out.Spent), share(a.out.RepeatPurchase), amount(a.out.Revenue, money), number(a.out.CSAT), share(a.out.Recontact))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, g := range rep.Gestures {
		fmt.Fprintf(w, "\n%s (%s held out):\n", g.Gesture, percentOf(g.HoldoutShare))
		metrics := []string{plusone.MetricRepeatPurchase, plusone.MetricRevenue, plusone.MetricCSAT, plusone.MetricRecontact}
		if !slices.ContainsFunc(metrics, func(m string) bool { _, ok := g.Effects[m]; return ok }) {
			fmt.Fprintln(w, "  no effect measured yet: each arm needs customers whose window has closed")
		}
		for _, m := range metrics {
			e, ok := g.Effects[m]
			if !ok {
				continue
			}
			fmt.Fprintf(w, "  %-16s %s (95%% CI %s to %s)  p %s  sequential p %s  lift %s\n", m,
				signed(e.Diff), plain(e.CI[0]), plain(e.CI[1]), pvalue(e.P), pvalue(e.SequentialP), liftOf(e.Lift))
		}
		fmt.Fprintf(w, "  sample ratio     p %s", pvalue(g.SRMP))
		if g.SRMP.Known() && g.SRMP < 0.001 {
			fmt.Fprint(w, "  — the split does not match the holdout share: the assignment is broken, do not trust the effects")
		}
		fmt.Fprintln(w)
		if c := g.CostPerIncrementalPurchase; c.Known() && c > 0 {
			fmt.Fprintf(w, "  cost             %s per extra purchase\n", money(float64(c)))
		}
	}
	return nil
}

func share(f plusone.Figure) string {
	if !f.Known() {
		return "–"
	}
	return fmt.Sprintf("%.1f%%", float64(f)*100)
}

func amount(f plusone.Figure, money func(float64) string) string {
	if !f.Known() {
		return "–"
	}
	return money(float64(f))
}

func number(f plusone.Figure) string {
	if !f.Known() {
		return "–"
	}
	return fmt.Sprintf("%.2f", float64(f))
}

func signed(f plusone.Figure) string {
	if !f.Known() {
		return "–"
	}
	return fmt.Sprintf("%+.4g", float64(f))
}

func plain(f plusone.Figure) string {
	if !f.Known() {
		return "–"
	}
	return fmt.Sprintf("%.4g", float64(f))
}

func pvalue(f plusone.Figure) string {
	switch {
	case !f.Known():
		return "–"
	case f < 0.0001:
		return "<0.0001"
	default:
		return fmt.Sprintf("%.4f", float64(f))
	}
}

func liftOf(f plusone.Figure) string {
	if !f.Known() {
		return "–"
	}
	return fmt.Sprintf("%+.0f%%", float64(f)*100)
}

func percentOf(share float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", share*100), "0"), ".") + "%"
}
