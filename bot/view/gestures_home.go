package view

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// How much of gestures the App Home shows.
const (
	maxHomeGestures = 10
	maxHomePending  = 8 // two blocks each: the request and its buttons
	maxHomeChanges  = 10
	maxPolicyValue  = 40
	maxPolicyPath   = 120
)

// homeEmpty reports whether g shows nothing.
func homeEmpty(g plusone.HomeGestures) bool {
	return len(g.Budgets) == 0 && len(g.Recent) == 0 && !g.Supervisor
}

// homeGestureBlocks are the App Home's gesture sections: the agent's
// budgets and recent gestures, and for supervisors every team's spend, the
// pending approvals with their buttons, the latest policy changes and an
// "Edit limits and budgets" button (ActionEditPolicy).
func homeGestureBlocks(g plusone.HomeGestures) []slack.Block {
	if homeEmpty(g) {
		return nil
	}
	budgets := []string{"_No budgets apply to you._"}
	if len(g.Budgets) > 0 {
		budgets = budgetLines(mrkdwnRenderer, sortBudgets(g.Budgets), g.Currency, "")
	}
	recent := []string{"_No “plus ones” yet. Offer one from the suggestions on a card._"}
	items, more := recentGestures(g.Recent, g.Currency, maxHomeGestures)
	if len(items) > 0 {
		recent = recent[:0]
		for _, it := range items {
			name := customerLabel(g.Names[it.customerID], it.customerID)
			date, _ := when(it.at)
			recent = append(recent, mrkdwnRenderer.gestureLine(it, name, date))
		}
	}
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		section("*Your “plus one” budgets*", budgets[:min(len(budgets), maxBudgetLines)],
			max(0, len(budgets)-maxBudgetLines), homeListBudget),
		section("*Your recent “plus ones”*", recent, more, homeListBudget),
	}
	if g.Supervisor {
		blocks = append(blocks, supervisorBlocks(g)...)
	}
	return blocks
}

// supervisorBlocks are the App Home's sections for supervisors.
func supervisorBlocks(g plusone.HomeGestures) []slack.Block {
	teams := []string{"_No team budgets._"}
	if len(g.Teams) > 0 {
		teams = teams[:0]
		for _, l := range g.Teams {
			key := cmp.Or(truncate(clean(l.Key), maxBudgetKey), "(no name)")
			teams = append(teams, "• *"+escape(key)+"*: "+escape(teamSpend(l, g.Currency)))
		}
	}
	blocks := []slack.Block{
		slack.NewDividerBlock(),
		slack.NewHeaderBlock(plain("Supervisor")),
		section("*Team spend*", teams[:min(len(teams), maxBudgetLines)], max(0, len(teams)-maxBudgetLines), homeListBudget),
	}

	if len(g.Pending) == 0 {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*Pending approvals*\n_None waiting._"), nil, nil))
	} else {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(fmt.Sprintf("*Pending approvals* (%d)", len(g.Pending))), nil, nil))
		for _, e := range g.Pending[:min(len(g.Pending), maxHomePending)] {
			it := newGestureItem(e, g.Currency)
			name := customerLabel(g.Names[e.CustomerID], e.CustomerID)
			text := "*" + mrkdwnRenderer.subject(it) + "* for *" + escape(name) + "*"
			if !it.agent.empty() {
				text += " — asked by " + it.agent.mrkdwn()
			}
			if date, _ := when(it.at); date != "" {
				text += " · " + date
			}
			if it.reason != "" {
				text += "\n_" + escape(it.reason) + "_"
			}
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(text), nil, nil))
			if id := it.requestValue(); id != "" {
				blocks = append(blocks, decisionButtons(id))
			}
		}
		if n := len(g.Pending) - maxHomePending; n > 0 {
			blocks = append(blocks, slack.NewContextBlock("", mrkdwn(fmt.Sprintf(
				"_…and %d more waiting in the approvals channel._", n))))
		}
	}

	changes := []string{"_No changes made in Slack: the policy file applies._"}
	if len(g.Changes) > 0 {
		sorted := slices.Clone(g.Changes)
		slices.SortStableFunc(sorted, func(a, b plusone.Override) int { return b.At.Compare(a.At) })
		changes = changes[:0]
		for _, o := range sorted[:min(len(sorted), maxHomeChanges)] {
			changes = append(changes, changeLine(o))
		}
	}
	blocks = append(blocks,
		section("*Latest changes to limits and budgets*", changes, max(0, len(g.Changes)-maxHomeChanges), homeListBudget),
		slack.NewActionBlock("", slack.NewButtonBlockElement(ActionEditPolicy, "", plain("Edit limits and budgets"))),
	)
	return blocks
}

// teamSpend is "$400 spent of $1,000 this week · $600 left".
func teamSpend(l plusone.BudgetLine, currency string) string {
	currency = currencyCode(currency)
	if l.Budget.Amount <= 0 {
		return l.Spent.Format(currency) + " spent · no budget"
	}
	s := l.Spent.Format(currency) + " spent of " + l.Budget.Amount.Format(currency) + periodWords(l.Budget.Per)
	switch {
	case l.Remaining < 0:
		return s + " · over by " + (-l.Remaining).Format(currency)
	case l.Remaining == 0:
		return s + " · nothing left"
	}
	return s + " · " + l.Remaining.Format(currency) + " left"
}

// changeLine is "• *Role agent: budget*: 100/day → 150/day — <@U0SUP> ·
// <date>".
func changeLine(o plusone.Override) string {
	value := func(s string) string {
		if s = truncate(clean(s), maxPolicyValue); s != "" {
			return "`" + escape(strings.ReplaceAll(s, "`", "'")) + "`"
		}
		return "_policy file_"
	}
	line := "• *" + settingLabel(o.Path) + "*: " + value(o.OldValue) + " → " + value(o.NewValue)
	var tail []string
	if p := newPerson(o.By); !p.empty() {
		tail = append(tail, p.mrkdwn())
	}
	if date, _ := when(o.At); date != "" {
		tail = append(tail, date)
	}
	if len(tail) > 0 {
		line += " — " + strings.Join(tail, " · ")
	}
	return line
}

// settingLabel names an override path in words, in mrkdwn: "Role agent:
// budget", "Budget of <@U0ANA>", "Team frontline: budget"; a path it does
// not know is shown as it is.
func settingLabel(path string) string {
	path = truncate(clean(path), maxPolicyPath)
	if path == "customer_budget" {
		return "Budget per customer"
	}
	for _, p := range []struct{ prefix, suffix, label string }{
		{"roles.", ".max_per_gesture", "Role %s: limit per gesture"},
		{"roles.", ".budget", "Role %s: budget"},
		{"agents.", ".budget", "Budget of %s"},
		{"teams.", ".budget", "Team %s: budget"},
		{"gestures.", ".paused", "Gesture %s: paused"},
	} {
		mid, ok := strings.CutPrefix(path, p.prefix)
		if !ok {
			continue
		}
		if mid, ok = strings.CutSuffix(mid, p.suffix); ok && mid != "" {
			name := escape(mid)
			if p.prefix == "agents." {
				name = newPerson(mid).mrkdwn()
			}
			return fmt.Sprintf(p.label, name)
		}
	}
	return escape(cmp.Or(path, "(unnamed setting)"))
}
