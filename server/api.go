package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// CustomerAPI is what /api/v1/customers needs (memory.Service).
type CustomerAPI interface {
	CustomerByEmail(ctx context.Context, email string) (plusone.CustomerView, []plusone.Signal, error)
	Merge(ctx context.Context, into, from int64, reason string) error
	Split(ctx context.Context, customerID int64, id plusone.Identity, reason string) (int64, error)
}

// authorized lets requests through that carry the API token.
func (s *Server) authorized(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(s.APIToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.APIToken == "" {
			fail(w, http.StatusNotFound, "the API is off: set PLUSONE_API_TOKEN")
			return
		}
		token, ok := bearer(r.Header.Get("Authorization"))
		got := sha256.Sum256([]byte(token))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="plusone"`)
			fail(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		limit := s.apiMaxBody()
		if r.ContentLength > limit {
			fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body of %d bytes is over the limit of %d", r.ContentLength, limit))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// bearer is the token of an Authorization header in the Bearer scheme,
// whose name is case-insensitive (RFC 9110, 11.1).
func bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimLeft(token, " "), true
}

// apiMaxBody bounds an /api/v1 request body: PLUSONE_MAX_BODY_BYTES, as
// for webhooks, or 1 MiB when unset.
func (s *Server) apiMaxBody() int64 {
	if s.MaxBody > 0 {
		return s.MaxBody
	}
	return 1 << 20
}

// apiError answers a domain error with its status; a body over the limit
// is 413.
func (s *Server) apiError(w http.ResponseWriter, err error) {
	if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
		fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body is over the limit of %d bytes", tooLarge.Limit))
		return
	}
	switch plusone.ErrorCode(err) {
	case plusone.EINVALID:
		fail(w, http.StatusBadRequest, plusone.ErrorMessage(err))
	case plusone.ENOTFOUND:
		fail(w, http.StatusNotFound, plusone.ErrorMessage(err))
	case plusone.ECONFLICT:
		fail(w, http.StatusConflict, plusone.ErrorMessage(err))
	default:
		s.Log.Error("api", "err", err)
		fail(w, http.StatusInternalServerError, "internal error")
	}
}

// decodeBody reads a JSON request body into v, naming what is wrong.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body) // bounded by authorized
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return fmt.Errorf("read body: %w", tooLarge)
		}
		return plusone.Errorf(plusone.EINVALID, "invalid JSON body: %v", err)
	}
	return nil
}

type customerJSON struct {
	ID            int64               `json:"id"`
	Name          string              `json:"name"`
	Email         string              `json:"email"`
	Phone         string              `json:"phone,omitempty"`
	Tier          plusone.Tier        `json:"tier"`
	LifetimeValue plusone.Money       `json:"lifetime_value"`
	Currency      string              `json:"currency"`
	Orders        int                 `json:"orders"`
	OpenTickets   int                 `json:"open_tickets"`
	CustomerSince time.Time           `json:"customer_since"`
	LastSeen      *time.Time          `json:"last_seen,omitempty"`
	Identities    []identityJSON      `json:"identities"`
	Preferences   []preferenceJSON    `json:"preferences"`
	Notes         []noteJSON          `json:"notes"`
	Signals       []signalJSON        `json:"signals"`
	Timeline      []touchpointJSON    `json:"timeline"`
	Tickets       []ticketSummaryJSON `json:"tickets"`
	Merges        []mergeJSON         `json:"merges"`
}

type mergeJSON struct {
	Kind     string    `json:"kind"`
	Into     int64     `json:"into"`
	From     int64     `json:"from"`
	Identity string    `json:"identity,omitempty"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

type identityJSON struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

type preferenceJSON struct {
	Key       string    `json:"key"`
	Value     string    `json:"value"`
	Origin    string    `json:"origin"`
	UpdatedAt time.Time `json:"updated_at"`
}

type noteJSON struct {
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	Via       string    `json:"via"`
	Link      string    `json:"link,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

type signalJSON struct {
	Kind     plusone.SignalKind `json:"kind"`
	Evidence string             `json:"evidence"`
	URL      string             `json:"url,omitempty"`
	Since    *time.Time         `json:"since,omitempty"`
}

type touchpointJSON struct {
	OccurredAt time.Time              `json:"occurred_at"`
	Source     plusone.Source         `json:"source"`
	Kind       plusone.TouchpointKind `json:"kind"`
	Summary    string                 `json:"summary"`
	URL        string                 `json:"url,omitempty"`
}

type ticketSummaryJSON struct {
	Source  plusone.Source `json:"source"`
	ID      string         `json:"id"`
	Subject string         `json:"subject"`
	Status  string         `json:"status"`
	URL     string         `json:"url,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) handleCustomer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		email := r.URL.Query().Get("email")
		if email == "" {
			fail(w, http.StatusBadRequest, "the query parameter email is required")
			return
		}
		view, signals, err := s.Customers.CustomerByEmail(r.Context(), email)
		if err != nil {
			s.apiError(w, err)
			return
		}
		c, p := view.Customer, view.Customer.Profile
		out := customerJSON{ID: c.ID, Name: c.Name, Email: c.Email, Phone: c.Phone, Tier: p.Tier, LifetimeValue: p.LifetimeValue,
			Currency: p.Currency, Orders: p.Orders, OpenTickets: p.OpenTickets, CustomerSince: c.CreatedAt, LastSeen: optTime(p.LastSeen),
			Identities: []identityJSON{}, Preferences: []preferenceJSON{}, Notes: []noteJSON{}, Signals: []signalJSON{},
			Timeline: []touchpointJSON{}, Tickets: []ticketSummaryJSON{}, Merges: []mergeJSON{}}
		for _, m := range view.Merges {
			out.Merges = append(out.Merges, mergeJSON{Kind: m.Kind, Into: m.Into, From: m.From, Identity: m.Identity, Reason: m.Reason, At: m.At})
		}
		for _, id := range view.Identities {
			out.Identities = append(out.Identities, identityJSON{Kind: id.Kind, Value: id.Value})
		}
		for _, pr := range view.Preferences {
			out.Preferences = append(out.Preferences, preferenceJSON{Key: pr.Key, Value: pr.Value, Origin: pr.Origin, UpdatedAt: pr.UpdatedAt})
		}
		for _, n := range view.Notes {
			out.Notes = append(out.Notes, noteJSON{Author: n.Author, Text: n.Text, Via: n.Via, Link: n.Link, CreatedAt: n.CreatedAt})
		}
		for _, sg := range signals {
			out.Signals = append(out.Signals, signalJSON{Kind: sg.Kind, Evidence: sg.Evidence, URL: sg.URL, Since: optTime(sg.Since)})
		}
		for _, tp := range view.Timeline {
			out.Timeline = append(out.Timeline, touchpointJSON{OccurredAt: tp.OccurredAt, Source: tp.Source, Kind: tp.Kind, Summary: tp.Summary, URL: tp.URL})
		}
		for _, t := range view.Tickets {
			out.Tickets = append(out.Tickets, ticketSummaryJSON{Source: t.Source, ID: t.ID, Subject: t.Subject, Status: t.Status, URL: t.URL})
		}
		encode(w, http.StatusOK, out)
	})
}

func (s *Server) handleMerge() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Into   int64  `json:"into"`
			From   int64  `json:"from"`
			Reason string `json:"reason"`
		}
		if err := decodeBody(r, &req); err != nil {
			s.apiError(w, err)
			return
		}
		if req.Into <= 0 || req.From <= 0 {
			fail(w, http.StatusBadRequest, `"into" and "from" must be customer ids`)
			return
		}
		if err := s.Customers.Merge(r.Context(), req.Into, req.From, orReason(req.Reason, "merged through the API")); err != nil {
			if errors.Is(err, plusone.ErrNotFound) {
				fail(w, http.StatusNotFound, "no such customer")
				return
			}
			s.apiError(w, err)
			return
		}
		s.Log.Info("customers merged", "into", req.Into, "from", req.From)
		encode(w, http.StatusOK, map[string]any{"ok": true, "customer_id": req.Into})
	})
}

func (s *Server) handleSplit() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			fail(w, http.StatusBadRequest, fmt.Sprintf("%q is not a customer id", r.PathValue("id")))
			return
		}
		var req struct {
			Identity identityJSON `json:"identity"`
			Reason   string       `json:"reason"`
		}
		if err := decodeBody(r, &req); err != nil {
			s.apiError(w, err)
			return
		}
		if req.Identity.Kind == "" || req.Identity.Value == "" {
			fail(w, http.StatusBadRequest, `"identity" needs "kind" and "value"`)
			return
		}
		fresh, err := s.Customers.Split(r.Context(), id, plusone.Identity{Kind: req.Identity.Kind, Value: req.Identity.Value},
			orReason(req.Reason, "split through the API"))
		if err != nil {
			if errors.Is(err, plusone.ErrNotFound) {
				fail(w, http.StatusNotFound, "no such customer or identity")
				return
			}
			s.apiError(w, err)
			return
		}
		s.Log.Info("customer split", "customer", id, "new_customer", fresh)
		encode(w, http.StatusOK, map[string]any{"ok": true, "customer_id": id, "new_customer_id": fresh})
	})
}

func orReason(r, def string) string {
	if strings.TrimSpace(r) == "" {
		return def
	}
	return r
}
