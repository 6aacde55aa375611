package server

import (
	"context"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone"
)

// PrivacyAPI is what erasure and export need (memory.Service).
type PrivacyAPI interface {
	// EraseByEmail erases the customer with email; ENOTFOUND when nobody
	// has it.
	EraseByEmail(ctx context.Context, email string, er plusone.Erasure) (int64, error)
	// Export is everything stored about the customer with email: none
	// when nobody has it.
	Export(ctx context.Context, email string) ([]plusone.CustomerData, error)
}

func (s *Server) handleErase() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		email := r.URL.Query().Get("email")
		if email == "" {
			fail(w, http.StatusBadRequest, "the query parameter email is required")
			return
		}
		id, err := s.Privacy.EraseByEmail(r.Context(), email, plusone.Erasure{By: plusone.ErasedViaAPI, Via: plusone.ErasedViaAPI})
		if err != nil {
			s.apiError(w, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"erased": true, "customer_id": id})
	})
}

// exportJSON is the answer to an export: every customer the email finds
// (one, or none when plusone stores nothing about it).
type exportJSON struct {
	Email     string               `json:"email"`
	Customers []customerExportJSON `json:"customers"`
}

type customerExportJSON struct {
	ID          int64            `json:"id"`
	Name        string           `json:"name"`
	Email       string           `json:"email"`
	Phone       string           `json:"phone,omitempty"`
	CreatedAt   time.Time        `json:"created_at"`
	Profile     profileJSON      `json:"profile"`
	Identities  []identityJSON   `json:"identities"`
	Timeline    []timelineJSON   `json:"timeline"`
	Tickets     []ticketJSON     `json:"tickets"`
	Orders      []orderJSON      `json:"orders"`
	Carts       []cartJSON       `json:"carts"`
	Preferences []preferenceJSON `json:"preferences"`
	Notes       []noteJSON       `json:"notes"`
	Merges      []mergeJSON      `json:"merges"`
	Cards       []cardJSON       `json:"cards"`
	Ledger      []ledgerJSON     `json:"ledger"`
	// ModelWordings are what a model wrote about her cards: the reasons of
	// their suggestions and a note to her.
	ModelWordings []plusone.Wording `json:"model_wordings"`
}

type profileJSON struct {
	Tier          plusone.Tier  `json:"tier"`
	Orders        int           `json:"orders"`
	LifetimeValue plusone.Money `json:"lifetime_value"`
	Currency      string        `json:"currency"`
	FirstSeen     *time.Time    `json:"first_seen,omitempty"`
	LastSeen      *time.Time    `json:"last_seen,omitempty"`
	OpenTickets   int           `json:"open_tickets"`
	NPS           *int          `json:"nps,omitempty"`
	CSAT          *int          `json:"csat,omitempty"`
}

type timelineJSON struct {
	touchpointJSON
	Ref      string        `json:"ref,omitempty"`
	Amount   plusone.Money `json:"amount,omitempty"`
	Currency string        `json:"currency,omitempty"`
	Score    *int          `json:"score,omitempty"`
	Scale    string        `json:"scale,omitempty"`
}

type ticketJSON struct {
	ticketSummaryJSON
	Priority  string     `json:"priority,omitempty"`
	Tags      []string   `json:"tags,omitempty"`
	Brand     string     `json:"brand,omitempty"`
	Channel   string     `json:"channel,omitempty"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

type orderJSON struct {
	Source    plusone.Source     `json:"source"`
	ID        string             `json:"id"`
	Name      string             `json:"name,omitempty"`
	URL       string             `json:"url,omitempty"`
	Total     plusone.Money      `json:"total"`
	Refunded  plusone.Money      `json:"refunded,omitempty"`
	Currency  string             `json:"currency"`
	Status    string             `json:"status"`
	Items     []plusone.LineItem `json:"items"`
	CreatedAt *time.Time         `json:"created_at,omitempty"`
}

type cartJSON struct {
	Source      plusone.Source     `json:"source"`
	ID          string             `json:"id"`
	URL         string             `json:"url,omitempty"`
	Total       plusone.Money      `json:"total"`
	Currency    string             `json:"currency"`
	Items       []plusone.LineItem `json:"items"`
	UpdatedAt   *time.Time         `json:"updated_at,omitempty"`
	CompletedAt *time.Time         `json:"completed_at,omitempty"`
}

// cardJSON is where a card about her is in Slack (its text is made from
// the rest of the export when it is shown).
type cardJSON struct {
	Ticket  string `json:"ticket"`
	Channel string `json:"channel"`
	TS      string `json:"ts,omitempty"`
}

func (s *Server) handleExport() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		email := r.URL.Query().Get("email")
		if email == "" {
			fail(w, http.StatusBadRequest, "the query parameter email is required")
			return
		}
		found, err := s.Privacy.Export(r.Context(), email)
		if err != nil {
			s.apiError(w, err)
			return
		}
		out := exportJSON{Email: plusone.NormalizeEmail(email), Customers: []customerExportJSON{}}
		for _, d := range found {
			out.Customers = append(out.Customers, exportOf(d))
		}
		encode(w, http.StatusOK, out)
	})
}

// exportOf is the JSON of one customer's data; every list is present,
// empty when there is nothing in it.
func exportOf(d plusone.CustomerData) customerExportJSON {
	c, p := d.Customer, d.Customer.Profile
	out := customerExportJSON{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, CreatedAt: c.CreatedAt,
		Profile: profileJSON{Tier: p.Tier, Orders: p.Orders, LifetimeValue: p.LifetimeValue, Currency: p.Currency,
			FirstSeen: optTime(p.FirstSeen), LastSeen: optTime(p.LastSeen), OpenTickets: p.OpenTickets, NPS: p.NPS, CSAT: p.CSAT},
		Identities: []identityJSON{}, Timeline: []timelineJSON{}, Tickets: []ticketJSON{}, Orders: []orderJSON{},
		Carts: []cartJSON{}, Preferences: []preferenceJSON{}, Notes: []noteJSON{}, Merges: []mergeJSON{},
		Cards: []cardJSON{}, Ledger: []ledgerJSON{}, ModelWordings: orEmpty(d.Wordings)}
	for _, id := range d.Identities {
		out.Identities = append(out.Identities, identityJSON{Kind: id.Kind, Value: id.Value})
	}
	for _, tp := range d.Timeline {
		out.Timeline = append(out.Timeline, timelineJSON{touchpointJSON: touchpointJSON{OccurredAt: tp.OccurredAt, Source: tp.Source,
			Kind: tp.Kind, Summary: tp.Summary, URL: tp.URL}, Ref: tp.Ref, Amount: tp.Amount, Currency: tp.Currency, Score: tp.Score, Scale: tp.Scale})
	}
	for _, t := range d.Tickets {
		out.Tickets = append(out.Tickets, ticketJSON{ticketSummaryJSON: ticketSummaryJSON{Source: t.Source, ID: t.ID, Subject: t.Subject,
			Status: t.Status, URL: t.URL}, Priority: t.Priority, Tags: t.Tags, Brand: t.Brand, Channel: t.Channel,
			CreatedAt: optTime(t.CreatedAt), UpdatedAt: optTime(t.UpdatedAt)})
	}
	for _, o := range d.Orders {
		out.Orders = append(out.Orders, orderJSON{Source: o.Source, ID: o.ID, Name: o.Name, URL: o.URL, Total: o.Total, Refunded: o.Refunded,
			Currency: o.Currency, Status: o.Status, Items: orEmpty(o.Items), CreatedAt: optTime(o.CreatedAt)})
	}
	for _, ca := range d.Carts {
		out.Carts = append(out.Carts, cartJSON{Source: ca.Source, ID: ca.ID, URL: ca.URL, Total: ca.Total, Currency: ca.Currency,
			Items: orEmpty(ca.Items), UpdatedAt: optTime(ca.UpdatedAt), CompletedAt: optTime(ca.CompletedAt)})
	}
	for _, pr := range d.Preferences {
		out.Preferences = append(out.Preferences, preferenceJSON{Key: pr.Key, Value: pr.Value, Origin: pr.Origin, UpdatedAt: pr.UpdatedAt})
	}
	for _, n := range d.Notes {
		out.Notes = append(out.Notes, noteJSON{Author: n.Author, Text: n.Text, Via: n.Via, Link: n.Link, CreatedAt: n.CreatedAt})
	}
	for _, m := range d.Merges {
		out.Merges = append(out.Merges, mergeJSON{Kind: m.Kind, Into: m.Into, From: m.From, Identity: m.Identity, Reason: m.Reason, At: m.At})
	}
	for _, cs := range d.Cards {
		out.Cards = append(out.Cards, cardJSON{Ticket: cs.Key, Channel: cs.Channel, TS: cs.TS})
	}
	for _, e := range d.Ledger {
		out.Ledger = append(out.Ledger, ledgerJSON{ID: e.ID, RequestID: e.RequestID, Gesture: e.Gesture, Title: e.Title, Value: e.Value,
			Currency: e.Currency, Charge: e.Charge, CustomerID: e.CustomerID, Agent: e.Agent, Team: e.Team, Status: e.Status,
			Reason: e.Reason, By: e.By, Ticket: e.TicketKey, CreatedAt: e.CreatedAt})
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
