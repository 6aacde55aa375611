package zendesk

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/option"
)

// API reads a customer's past from the Zendesk Support REST API: the tickets
// she requested (History) and her profile for events that name her only by
// her Zendesk user id (Enrich). It also writes granted gestures back as
// internal notes (AddInternalNote). It authenticates with an API token and
// is safe for concurrent use.
//
// Endpoints: GET /api/v2/users/search.json?query=email:<email>,
// GET /api/v2/users/{id}.json and
// GET /api/v2/users/{id}/tickets/requested.json with cursor pagination
// (page[size], page[after]) sorted by -updated_at;
// GET /api/v2/tickets/{id}/comments.json and PUT /api/v2/tickets/{id}.json
// for notes.
type API struct {
	api   *vendorapi.Client
	links string // base of ticket links: <links>/agent/tickets/<id>
	log   *slog.Logger
	users *userCache
	pacer *pacer

	// notes adds internal notes. It never retries by itself: a note is
	// sent again only once the comments show the last attempt did not add
	// it (AddInternalNote), noteRetries times at most, waiting as
	// notePolicy says.
	notes       *vendorapi.Client
	noteRetries int
	notePolicy  vendorapi.RetryPolicy
}

var (
	_ plusone.History  = (*API)(nil)
	_ plusone.Enricher = (*API)(nil)
)

// The defaults of the cache of users Enrich keeps (option.WithUserCache).
const (
	DefaultUserCacheSize = 1024
	DefaultUserCacheTTL  = 15 * time.Minute
)

// DefaultHistoryLimit bounds History when the query sets no Limit.
const DefaultHistoryLimit = 100

// maxTicketPages bounds how many pages of tickets one History call reads,
// whatever the query says.
const maxTicketPages = 50

// NewAPI returns a client of the Zendesk account at baseURL (such as
// "https://acme.zendesk.com") that signs in as email with the API token
// token (HTTP Basic "<email>/token:<token>"). Ticket links are
// <baseURL>/agent/tickets/<id>, as the webhook parser builds them with
// WithBaseURL; option.WithLinkBase changes that (it must match the
// webhook Source's WithBaseURL so that both link a ticket alike).
// option.WithUserCache sizes the cache of users Enrich keeps.
func NewAPI(baseURL, email, token string, opts ...option.Option) *API {
	cfg := vendorapi.NewConfig(func(s *option.Settings) {
		s.UserCacheSize, s.UserCacheTTL = DefaultUserCacheSize, DefaultUserCacheTTL
	}, opts)
	base := vendorapi.CleanBaseURL(baseURL)
	links := vendorapi.CleanBaseURL(cfg.LinkBase)
	if links == "" {
		links = base
	}
	a := &API{
		links: links,
		log:   cfg.Log,
		users: newUserCache(cfg.UserCacheSize, cfg.UserCacheTTL, cfg.Now),
		pacer: newPacer(cfg.Log, cfg.Now),
	}
	hooks := a.pacer.Hooks()
	hooks.Wait = retryWait
	a.api = vendorapi.New(cfg, base, vendor(), hooks)
	a.api.Resty().SetBasicAuth(strings.TrimSpace(email)+"/token", token)

	once := cfg
	once.Retries = 0
	a.notes = vendorapi.New(once, base, vendor(), hooks)
	a.notes.Resty().SetBasicAuth(strings.TrimSpace(email)+"/token", token)
	a.noteRetries = cfg.Retries
	a.notePolicy = cfg.RetryPolicy()
	a.notePolicy.Hint = retryWait
	return a
}

// Source returns plusone.SourceZendesk.
func (a *API) Source() plusone.Source { return plusone.SourceZendesk }

// History returns the tickets the customer requested as ticket.created
// events, newest first, and for each ticket rated good or bad a
// feedback.received event with the same id the trigger parser gives it. The
// customer is found by q.ExternalID (her Zendesk user id) when it is set,
// otherwise by q.Email. Tickets are read most recently updated first; reading
// stops at q.Limit tickets (a rated ticket's two events count as one) or at
// the first page whose last ticket was last updated before q.Since. Tickets
// created before q.Since are left out.
func (a *API) History(ctx context.Context, q plusone.HistoryQuery) ([]plusone.Event, error) {
	find := func(ctx context.Context, q plusone.HistoryQuery) (*apiUser, bool, error) {
		u, err := a.findUser(ctx, q)
		return u, u != nil, err
	}
	return vendorapi.History(ctx, "zendesk", "user", q, find, a.requestedTickets)
}

func (a *API) requestedTickets(ctx context.Context, u *apiUser, q plusone.HistoryQuery) ([]plusone.Event, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	ref := u.ref()
	path := "/api/v2/users/" + string(u.ID) + "/tickets/requested.json"
	var (
		tickets [][]plusone.Event // each ticket's events
		cursor  string
		last    time.Time
		ordered = true // whether Zendesk kept to -updated_at so far
	)
	for range maxTicketPages {
		params := url.Values{"page[size]": {fmt.Sprint(min(limit, 100))}, "sort": {"-updated_at"}}
		if cursor != "" {
			params.Set("page[after]", cursor)
		}
		var page ticketsPage
		if _, err := a.api.Get(ctx, path, params, &page); err != nil {
			return nil, err
		}
		for _, t := range page.Tickets {
			if up, ok := parseTime(t.UpdatedAt); ok {
				if !last.IsZero() && up.After(last) {
					ordered = false
				}
				last = up
			}
			if events := a.ticketEvents(t, ref, q.Since); len(events) > 0 {
				tickets = append(tickets, events)
			}
		}
		cursor = page.nextCursor()
		switch {
		case len(tickets) >= limit, !page.Meta.HasMore, cursor == "":
			return vendorapi.NewestObjects(tickets, limit), nil
		case ordered && !q.Since.IsZero() && !last.IsZero() && last.Before(q.Since):
			// Every further ticket was last updated, so created, before Since.
			return vendorapi.NewestObjects(tickets, limit), nil
		}
	}
	a.log.Warn("zendesk history cut short", "user_id", string(u.ID), "pages", maxTicketPages)
	return vendorapi.NewestObjects(tickets, limit), nil
}

// ticketEvents turns one ticket into its events: ticket.created, and
// feedback.received when it is rated good or bad. A ticket created before
// since gives none.
func (a *API) ticketEvents(t apiTicket, ref plusone.CustomerRef, since time.Time) []plusone.Event {
	id := string(t.ID)
	if id == "" {
		return nil
	}
	created, _ := parseTime(t.CreatedAt)
	if !since.IsZero() && created.Before(since) {
		return nil
	}
	ticket := &plusone.Ticket{
		ID:       id,
		Subject:  strings.TrimSpace(t.Subject),
		URL:      ticketURL(a.links, id),
		Status:   lower(t.Status),
		Priority: lower(t.Priority),
		Tags:     t.Tags,
	}
	if t.Via != nil {
		ticket.Channel = lower(t.Via.Channel)
	}
	events := []plusone.Event{{
		Source: plusone.SourceZendesk, ID: "history:ticket:" + id, Type: plusone.EventTicketCreated,
		OccurredAt: created, Customer: ref, Ticket: ticket,
	}}
	if r := t.SatisfactionRating; r != nil {
		if rating, score, ok := satisfaction(r.Score); ok {
			// The trigger parser's id and time, so that both record it once.
			updated, _ := parseTime(t.UpdatedAt)
			events = append(events, plusone.Event{
				Source: plusone.SourceZendesk, ID: satisfactionID(id, rating),
				Type: plusone.EventFeedbackReceived, OccurredAt: updated, Customer: ref, Ticket: ticket,
				Feedback: &plusone.Feedback{Score: score, Scale: plusone.ScaleCSAT, Comment: strings.TrimSpace(r.Comment)},
			})
		}
	}
	return events
}
