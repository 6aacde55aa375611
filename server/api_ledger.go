package server

import (
	"context"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone"
)

// GestureAPI is what /api/v1/ledger and /api/v1/budgets need
// (gestures.Service).
type GestureAPI interface {
	Ledger(ctx context.Context, f plusone.LedgerFilter) ([]plusone.LedgerEntry, error)
	AllBudgets(ctx context.Context) ([]plusone.BudgetLine, error)
	CustomerID(ctx context.Context, ref string) (int64, error)
}

type ledgerJSON struct {
	ID         int64                `json:"id"`
	RequestID  int64                `json:"request_id"`
	Gesture    string               `json:"gesture"`
	Title      string               `json:"title"`
	Value      plusone.Money        `json:"value"`
	Currency   string               `json:"currency"`
	Charge     plusone.Money        `json:"charge"`
	CustomerID int64                `json:"customer"`
	Agent      string               `json:"agent"`
	Team       string               `json:"team,omitempty"`
	Status     plusone.LedgerStatus `json:"status"`
	Reason     string               `json:"reason"`
	By         string               `json:"by"`
	Ticket     string               `json:"ticket,omitempty"`
	CreatedAt  time.Time            `json:"created_at"`
}

type budgetJSON struct {
	Scope     plusone.BudgetScope `json:"scope"`
	Key       string              `json:"key"`
	Amount    plusone.Money       `json:"amount"`
	Per       plusone.Period      `json:"per"`
	Period    string              `json:"period"`
	Spent     plusone.Money       `json:"spent"`
	Remaining plusone.Money       `json:"remaining"`
}

// ledgerPage is the most entries one ledger answer holds; narrow a larger
// ledger with since, agent or customer.
const ledgerPage = 10000

// parseSince reads an RFC 3339 time or a date.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, plusone.Errorf(plusone.EINVALID, "since=%q: want a date (2026-11-20) or an RFC 3339 time", s)
	}
	return t, nil
}

func (s *Server) handleLedger() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := plusone.LedgerFilter{Agent: q.Get("agent"), Limit: ledgerPage + 1}
		if c := q.Get("customer"); c != "" {
			id, err := s.Gestures.CustomerID(r.Context(), c)
			if err != nil {
				s.apiError(w, err)
				return
			}
			f.CustomerID = id
		}
		if since := q.Get("since"); since != "" {
			t, err := parseSince(since)
			if err != nil {
				s.apiError(w, err)
				return
			}
			f.Since = t
		}
		entries, err := s.Gestures.Ledger(r.Context(), f)
		if err != nil {
			s.apiError(w, err)
			return
		}
		// One more than a page was asked for: its presence says the answer
		// is cut (newest first: the oldest are left out), so a script never
		// takes a partial ledger for the whole.
		truncated := len(entries) > ledgerPage
		if truncated {
			entries = entries[:ledgerPage]
		}
		out := make([]ledgerJSON, 0, len(entries))
		for _, e := range entries {
			out = append(out, ledgerJSON{ID: e.ID, RequestID: e.RequestID, Gesture: e.Gesture, Title: e.Title, Value: e.Value,
				Currency: e.Currency, Charge: e.Charge, CustomerID: e.CustomerID, Agent: e.Agent, Team: e.Team, Status: e.Status,
				Reason: e.Reason, By: e.By, Ticket: e.TicketKey, CreatedAt: e.CreatedAt})
		}
		encode(w, http.StatusOK, map[string]any{"entries": out, "truncated": truncated})
	})
}

func (s *Server) handleBudgets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lines, err := s.Gestures.AllBudgets(r.Context())
		if err != nil {
			s.apiError(w, err)
			return
		}
		out := make([]budgetJSON, 0, len(lines))
		for _, l := range lines {
			out = append(out, budgetJSON{Scope: l.Scope, Key: l.Key, Amount: l.Budget.Amount, Per: l.Budget.Per, Period: l.Period,
				Spent: l.Spent, Remaining: l.Remaining})
		}
		encode(w, http.StatusOK, map[string]any{"budgets": out})
	})
}
