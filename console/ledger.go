package console

import (
	"context"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/chart"
)

// Days of spend the ledger page shows by default, and at most.
const (
	defaultDays = 30
	maxDays     = 366
)

// ledgerLimit is how many entries the ledger page lists; spend is summed
// over every charge within the days shown.
const ledgerLimit = 50

// ledgerPage is the ledger, budgets and spend over time.
type ledgerPage struct {
	Agent    string // the agent shown; "" for everyone
	Days     int
	Currency string
	Chart    template.HTML
	Spend    spendTable
	Budgets  []plusone.BudgetLine
	Entries  []plusone.LedgerEntry
	Names    map[int64]string
	More     bool
}

// spendTable is the chart's data as a table: a column per series, a row
// per day.
type spendTable struct {
	Series []string
	Rows   []spendRow
}

type spendRow struct {
	Day    time.Time
	Values []plusone.Money
}

// handleLedger shows the ledger with spend per day by agent and by team,
// and the budgets of the current periods. A supervisor sees everyone's
// (or one agent's, ?agent=); an agent her own, and 403 for another's.
func (c *Console) handleLedger() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		q := r.URL.Query()
		agent := q.Get("agent")
		if !v.Supervisor {
			if agent != "" && agent != v.ID {
				c.failErr(w, r, errNotYours)
				return
			}
			agent = v.ID
		}
		days := defaultDays
		if s := q.Get("days"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > maxDays {
				c.fail(w, r, http.StatusBadRequest, "days must be a whole number from 1 to 366.")
				return
			}
			days = n
		}
		page, err := c.ledger(r.Context(), v, agent, days)
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		c.render(w, r, "ledger", "Ledger and budgets", "ledger", page)
	})
}

func (c *Console) ledger(ctx context.Context, v viewer, agent string, days int) (ledgerPage, error) {
	policy := c.Policy()
	loc := policy.Location()
	now := c.now().In(loc)
	today := midnight(now)
	from := today.AddDate(0, 0, -(days - 1))
	page := ledgerPage{Agent: agent, Days: days, Currency: policy.Currency, Names: map[int64]string{}}
	dayStarts := daysFrom(from, today)
	var spend []plusone.DaySpend
	err := c.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		if spend, err = tx.SpendByDay(ctx, dayStarts, today.AddDate(0, 0, 1), agent); err != nil {
			return err
		}
		entries, err := tx.Ledger(ctx, plusone.LedgerFilter{Agent: agent, Since: from, Limit: ledgerLimit + 1})
		if err != nil {
			return err
		}
		page.Entries = entries[:min(len(entries), ledgerLimit)]
		page.More = len(entries) > ledgerLimit
		for _, e := range page.Entries {
			if _, ok := page.Names[e.CustomerID]; ok {
				continue
			}
			cust, err := tx.Customer(ctx, e.CustomerID)
			if err != nil {
				page.Names[e.CustomerID] = "Customer #" + strconv.FormatInt(e.CustomerID, 10)
				continue
			}
			page.Names[e.CustomerID] = cust.DisplayName()
		}
		return nil
	})
	if err != nil {
		return page, err
	}
	if v.Supervisor && agent == "" {
		page.Budgets, err = c.Gestures.StaffBudgets(ctx)
	} else {
		page.Budgets, err = c.Gestures.Budgets(ctx, agent, 0)
	}
	if err != nil {
		return page, err
	}
	dayList, series := spendPerDay(spend, dayStarts, agent == "")
	page.Spend = spendTable{}
	for _, s := range series {
		page.Spend.Series = append(page.Spend.Series, s.label)
	}
	values := make([]chart.Series, len(series))
	for i, s := range series {
		values[i] = chart.Series{Label: s.label, Values: make([]float64, len(dayList))}
		for d, m := range s.values {
			values[i].Values[d] = float64(m) / 100
		}
	}
	for d, day := range dayList {
		row := spendRow{Day: day}
		for _, s := range series {
			row.Values = append(row.Values, s.values[d])
		}
		page.Spend.Rows = append(page.Spend.Rows, row)
	}
	title := "Spend per day"
	if agent != "" {
		title += " of " + agent
	}
	svg, err := chart.SpendSVG(title, policy.Currency+" spent", dayList, values)
	if err != nil {
		return page, err
	}
	page.Chart = template.HTML(svg) //nolint:gosec // drawn by package chart, its text XML-escaped
	return page, nil
}

// series is one line of spend: an agent's or a team's, a value a day.
type series struct {
	label  string
	values []plusone.Money
}

// spendPerDay arranges what each day cost as series over days, from the
// first day with a charge (or the last day) on: one series per agent and,
// when teams is set, one per team.
func spendPerDay(spend []plusone.DaySpend, days []time.Time, teams bool) ([]time.Time, []series) {
	first := len(days) - 1
	for _, s := range spend {
		if s.Amount != 0 {
			first = min(first, s.Day)
		}
	}
	shown := days[first:]
	byAgent, byTeam := map[string][]plusone.Money{}, map[string][]plusone.Money{}
	add := func(m map[string][]plusone.Money, key string, day int, amount plusone.Money) {
		if m[key] == nil {
			m[key] = make([]plusone.Money, len(shown))
		}
		m[key][day] += amount
	}
	for _, s := range spend {
		if s.Amount == 0 || s.Day < first || s.Day >= len(days) {
			continue
		}
		add(byAgent, s.Agent, s.Day-first, s.Amount)
		if teams && s.Team != "" {
			add(byTeam, s.Team, s.Day-first, s.Amount)
		}
	}
	var out []series
	for _, a := range slices.Sorted(maps.Keys(byAgent)) {
		out = append(out, series{label: "Agent " + a, values: byAgent[a]})
	}
	for _, t := range slices.Sorted(maps.Keys(byTeam)) {
		out = append(out, series{label: "Team " + t, values: byTeam[t]})
	}
	return shown, out
}

// daysFrom lists the starts of the days from from to today, both local
// midnights: a day across a change of daylight saving time is 23 or 25
// hours long.
func daysFrom(from, today time.Time) []time.Time {
	var days []time.Time
	for d := from; !d.After(today); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}

// midnight is the start of t's day in t's location.
func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
