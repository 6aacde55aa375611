package view

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// How much of the budgets the views show.
const (
	maxBudgetLines = 20
	maxBudgetKey   = 40
	budgetsBudget  = 2000 // characters of a section of budget lines
)

// budgetResetText says when budgets start again.
const budgetResetText = "Day budgets start again at midnight, week budgets on Monday, month budgets on the 1st, " +
	"in your team's time zone."

// BudgetMessage is the ephemeral answer to "/plusone budget": the agent's
// own budget, her team's and, when lines hold one, the customer's — each
// what is left of how much, for which period in words ("today", "this
// week"), and what was spent. An agent or team without a line, or a line
// without an amount, shows "no budget". Amounts are in currency.
func BudgetMessage(lines []plusone.BudgetLine, currency string) Message {
	lines = sortBudgets(lines)
	if !slices.ContainsFunc(lines, func(l plusone.BudgetLine) bool { return l.Scope == plusone.ScopeAgent }) {
		lines = append([]plusone.BudgetLine{{Scope: plusone.ScopeAgent}}, lines...)
	}
	if !slices.ContainsFunc(lines, func(l plusone.BudgetLine) bool { return l.Scope == plusone.ScopeTeam }) {
		i := slices.IndexFunc(lines, func(l plusone.BudgetLine) bool { return l.Scope != plusone.ScopeAgent })
		if i < 0 {
			i = len(lines)
		}
		lines = slices.Insert(lines, i, plusone.BudgetLine{Scope: plusone.ScopeTeam})
	}
	const heading = "Your “plus one” budgets"
	mk, pl := budgetLines(mrkdwnRenderer, lines, currency, ""), budgetLines(textRenderer, lines, currency, "")
	fallback := heading
	if own := lines[0]; own.Scope == plusone.ScopeAgent && own.Budget.Amount > 0 {
		fallback = "Your budget: " + budgetAmount(own, currency, false)
	}
	return Message{
		Text: escape(fallback),
		Blocks: []slack.Block{
			section(":moneybag: *"+heading+"*", mk[:min(len(mk), maxBudgetLines)], max(0, len(mk)-maxBudgetLines), budgetsBudget),
			slack.NewContextBlock("", mrkdwn(budgetResetText)),
		},
		Plain: heading + "\n" + bullets(pl, maxBudgetLines, false) + "\n" + budgetResetText + "\n",
	}
}

// sortBudgets orders budget lines agent, team, customer, then any other
// scope, keeping the order within each.
func sortBudgets(lines []plusone.BudgetLine) []plusone.BudgetLine {
	lines = slices.Clone(lines)
	rank := func(scope plusone.BudgetScope) int {
		if i := slices.Index([]plusone.BudgetScope{plusone.ScopeAgent, plusone.ScopeTeam, plusone.ScopeCustomer}, scope); i >= 0 {
			return i
		}
		return 3
	}
	slices.SortStableFunc(lines, func(a, b plusone.BudgetLine) int { return cmp.Compare(rank(a.Scope), rank(b.Scope)) })
	return lines
}

// budgetLines are "• *You*: $96 left of $100 today · $4 spent" (plain
// text without the bullet), one per line. The first agent line is the
// reader's own ("You"); customerName names the customer of a customer
// line, if any.
func budgetLines(r renderer, lines []plusone.BudgetLine, currency, customerName string) []string {
	var out []string
	self := true
	for _, l := range lines {
		line := r.bold(budgetLabel(r, l, self, customerName)) + ": " + r.esc(budgetAmount(l, currency, true))
		if l.Scope == plusone.ScopeAgent {
			self = false
		}
		if !r.plain {
			line = "• " + line
		}
		out = append(out, line)
	}
	return out
}

// budgetLabel names whose budget l is: "You" (self) or "Agent <@U0ANA>",
// "Team frontline", "Jane Doe" (customerName) or "Customer #42".
func budgetLabel(r renderer, l plusone.BudgetLine, self bool, customerName string) string {
	key := truncate(clean(l.Key), maxBudgetKey)
	switch l.Scope {
	case plusone.ScopeAgent:
		switch {
		case self:
			return "You"
		case key == "":
			return "Agent"
		}
		return "Agent " + r.who(newPerson(key))
	case plusone.ScopeTeam:
		if key == "" {
			return "Your team"
		}
		return "Team " + r.esc(key)
	case plusone.ScopeCustomer:
		if n := truncate(clean(customerName), maxName); n != "" {
			return "Customer " + r.esc(n)
		}
		if key == "" {
			return "The customer"
		}
		if _, err := strconv.ParseInt(key, 10, 64); err == nil {
			return "Customer #" + key
		}
		return "Customer " + r.esc(key)
	}
	return r.esc(strings.TrimSpace(humanize(string(l.Scope)) + " " + key))
}

// budgetAmount is "$4 left of $100 today", with " · $96 spent" when
// spent; "no budget" for a line without an amount.
func budgetAmount(l plusone.BudgetLine, currency string, spent bool) string {
	currency = currencyCode(currency)
	var s string
	switch {
	case l.Budget.Amount <= 0:
		s = "no budget"
	case l.Remaining < 0:
		s = "nothing left of " + l.Budget.Amount.Format(currency) + periodWords(l.Budget.Per) +
			" (over by " + (-l.Remaining).Format(currency) + ")"
	case l.Remaining == 0:
		s = "nothing left of " + l.Budget.Amount.Format(currency) + periodWords(l.Budget.Per)
	default:
		s = l.Remaining.Format(currency) + " left of " + l.Budget.Amount.Format(currency) + periodWords(l.Budget.Per)
	}
	if spent && l.Spent != 0 {
		s += " · " + l.Spent.Format(currency) + " spent"
	}
	return s
}

// periodWords is " today", " this week", " this month"; "" for no period.
func periodWords(p plusone.Period) string {
	switch p {
	case plusone.PerDay:
		return " today"
	case plusone.PerWeek:
		return " this week"
	case plusone.PerMonth:
		return " this month"
	case "":
		return ""
	}
	return " per " + truncate(clean(string(p)), 20)
}
