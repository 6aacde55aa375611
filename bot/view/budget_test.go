package view

import (
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
)

func TestBudgetMessageGolden(t *testing.T) {
	t.Parallel()
	messages := map[string]Message{
		"budget":         BudgetMessage(sampleBudgets(), "USD"),
		"budget_own":     BudgetMessage(sampleBudgets()[2:], "EUR"),
		"budget_minimal": BudgetMessage(nil, ""),
		"budget_extreme": BudgetMessage(extremeBudgets(), "CHF"),
	}
	for name, m := range messages {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			goldenMessage(t, name, m)
		})
	}
}

func TestBudgetMessage(t *testing.T) {
	t.Parallel()
	m := BudgetMessage(sampleBudgets(), "USD")
	js := string(payload(t, m))
	want := "• *You*: $4 left of $100 today · $96 spent\\n" +
		"• *Team frontline*: $600 left of $1,000 this week · $400 spent\\n" +
		"• *Customer #42*: $35 left of $50 this month · $15 spent"
	if !strings.Contains(js, want) {
		t.Errorf("budget message lacks %q:\n%s", want, js)
	}
	if m.Text != "Your budget: $4 left of $100 today" {
		t.Errorf("Text = %q", m.Text)
	}

	// Nothing known: no budget, for her and her team.
	js = string(payload(t, BudgetMessage(nil, "USD")))
	if !strings.Contains(js, "• *You*: no budget\\n• *Your team*: no budget") {
		t.Errorf("empty budget message:\n%s", js)
	}

	tests := []struct {
		line plusone.BudgetLine
		want string
	}{
		{plusone.BudgetLine{Budget: plusone.Budget{Amount: 100_00, Per: plusone.PerDay}, Remaining: 0, Spent: 100_00},
			"nothing left of $100 today · $100 spent"},
		{plusone.BudgetLine{Budget: plusone.Budget{Amount: 100_00, Per: plusone.PerMonth}, Remaining: -5_50, Spent: 105_50},
			"nothing left of $100 this month (over by $5.50) · $105.50 spent"},
		{plusone.BudgetLine{Spent: 40_00}, "no budget · $40 spent"},
		{plusone.BudgetLine{Budget: plusone.Budget{Amount: 10_00}, Remaining: 10_00}, "$10 left of $10"},
	}
	for _, tt := range tests {
		if got := budgetAmount(tt.line, "USD", true); got != tt.want {
			t.Errorf("budgetAmount(%+v) = %q, want %q", tt.line, got, tt.want)
		}
	}
}
