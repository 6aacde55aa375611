package view

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// How much of a digest the view shows.
const (
	digestSectionBudget = 2500
	maxDigestLabel      = 80
)

// DigestMessage is the supervisors' digest of d's period, its dates in
// loc: what was granted and spent, against the team budgets; each
// gesture's measured effect on repeat purchase; how long approvals took;
// the top contact reasons and the signals of the period with their trend
// against the period before; the customers who contacted support more
// than once.
func DigestMessage(d plusone.Digest, loc *time.Location) Message {
	if loc == nil {
		loc = time.UTC
	}
	period := d.From.In(loc).Format("Mon Jan 2 15:04") + " – " + d.To.In(loc).Format("Mon Jan 2 15:04 MST")
	cur := currencyCode(d.Currency)
	type part struct {
		heading string
		lines   []string // plain text, escaped when rendered
	}
	var parts []part

	spend := []string{fmt.Sprintf("%s granted in %d %s · %d refused or declined",
		d.Spent.Format(cur), d.Granted, plural(d.Granted, "gesture", "gestures"), d.Refused)}
	for _, g := range d.Spend {
		spend = append(spend, fmt.Sprintf("• %s — %d × · %s", truncate(gestureTitle(g.Title, g.Gesture), maxDigestLabel), g.Count, g.Spent.Format(cur)))
	}
	for _, b := range d.Budgets {
		spend = append(spend, "• Team "+truncate(b.Key, maxDigestLabel)+": "+teamSpend(b, cur))
	}
	parts = append(parts, part{":moneybag: Spend", spend})

	if len(d.Effects) > 0 {
		var lines []string
		for _, e := range d.Effects {
			lines = append(lines, "• "+truncate(gestureTitle(e.Title, e.Gesture), maxDigestLabel)+": "+EffectWords(e, cur))
		}
		parts = append(parts, part{":chart_with_upwards_trend: Effect on repeat purchase (treatment vs holdout)", lines})
	}

	a := d.Approvals
	approvals := fmt.Sprintf("%d decided (%d approved)", a.Decided, a.Approved)
	if a.Decided > 0 {
		approvals += " · median " + duration(a.Median) + " · 90% within " + duration(a.P90)
	}
	approvals += fmt.Sprintf(" · %d waiting", a.Waiting)
	parts = append(parts, part{":stopwatch: Approval turnaround", []string{approvals}})

	reasons := []string{fmt.Sprintf("%d %s opened%s", d.Tickets.Now, plural(d.Tickets.Now, "ticket", "tickets"), trend(d.Tickets))}
	for _, r := range d.Reasons {
		label := "“" + truncate(r.Label, maxDigestLabel) + "”"
		if r.Tag {
			label = "#" + truncate(r.Label, maxDigestLabel)
		}
		reasons = append(reasons, fmt.Sprintf("• %s — %d%s", label, r.Now, trend(r.Trend)))
	}
	parts = append(parts, part{":mag: Why customers contacted you", reasons})

	if len(d.Signals) > 0 {
		var lines []string
		for _, s := range d.Signals {
			_, title, _ := signalStyle(s.Kind)
			lines = append(lines, fmt.Sprintf("• %s — %d %s%s", title, s.Now, plural(s.Now, "customer", "customers"), trend(s.Trend)))
		}
		parts = append(parts, part{":satellite_antenna: Signals", lines})
	}
	if len(d.Repeat) > 0 {
		var lines []string
		for _, r := range d.Repeat {
			lines = append(lines, fmt.Sprintf("• %s — %d contacts", truncate(customerLabel(r.Name, r.CustomerID), maxDigestLabel), r.Contacts))
		}
		parts = append(parts, part{":repeat: Customers who came back more than once", lines})
	}

	title := "plusone digest"
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(title)),
		slack.NewContextBlock("", mrkdwn(escape(period))),
	}
	var b strings.Builder
	b.WriteString(title + " · " + period + "\n")
	for _, p := range parts {
		esc := make([]string, len(p.lines))
		for i, l := range p.lines {
			esc[i] = escape(l)
		}
		blocks = append(blocks, section("*"+p.heading+"*", esc, 0, digestSectionBudget))
		b.WriteString("\n" + p.heading + "\n" + strings.Join(p.lines, "\n") + "\n")
	}
	fallback := fmt.Sprintf("plusone digest: %s granted, %d tickets, %d approvals decided", d.Spent.Format(cur), d.Tickets.Now, a.Decided)
	return Message{Text: escape(fallback), Blocks: blocks, Plain: b.String()}
}

// EffectWords says a gesture's effect as a supervisor reads it: "+19 pts
// repeat purchase (11 to 27) · 398 granted · $76 per extra purchase".
func EffectWords(e plusone.GestureEffect, currency string) string {
	pts := func(v float64) string { return fmt.Sprintf("%.0f", math.Round(v*100)+0) }
	s := fmt.Sprintf("%+.0f pts repeat purchase (%s to %s) · %d granted", math.Round(e.Diff*100)+0, pts(e.Low), pts(e.High), e.Granted)
	if e.CostPerExtra > 0 {
		s += " · " + plusone.Money(math.Round(e.CostPerExtra*100)).Format(currency) + " per extra purchase"
	}
	return s
}

// trend is " (↑ from 3)", " (↓ from 3)", " (same as before)" or "" when
// both are zero.
func trend(t plusone.Trend) string {
	switch {
	case t.Now == 0 && t.Before == 0:
		return ""
	case t.Now > t.Before:
		return fmt.Sprintf(" (↑ from %d)", t.Before)
	case t.Now < t.Before:
		return fmt.Sprintf(" (↓ from %d)", t.Before)
	}
	return " (same as before)"
}

// duration is "45m", "3h 20m", "2d 4h".
func duration(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return strings.TrimSuffix(fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60), " 0m")
	}
	return strings.TrimSuffix(fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24), " 0h")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
