package freshdesk

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/option"
)

// API reads a customer's past tickets from the Freshdesk REST API (v2,
// HTTP Basic with an agent's API key). It is safe for concurrent use.
//
// Endpoints: GET /api/v2/contacts?email=<email> or GET
// /api/v2/contacts/{id}, then GET /api/v2/tickets?requester_id=<id>
// sorted by created_at descending, paged with page and per_page and the
// Link header, bounded by updated_since (without it Freshdesk lists only
// the last 30 days), with include=description.
type API struct {
	api   *vendorapi.Client
	links string // base of ticket links: <links>/helpdesk/tickets/<id>
	log   *slog.Logger

	// once sends replies and notes: it never retries by itself (see
	// Reply), onceRetries times at most, waiting as oncePolicy says.
	once        *vendorapi.Client
	onceRetries int
	oncePolicy  vendorapi.RetryPolicy
	agents      vendorapi.AgentCache
}

var _ plusone.History = (*API)(nil)

// DefaultHistoryLimit bounds History when the query sets no Limit.
const DefaultHistoryLimit = 100

// maxTicketPages bounds how many pages of tickets one History call reads,
// whatever the query says; Freshdesk serves 300 at most.
const maxTicketPages = 50

// everSince bounds updated_since when the query sets no Since: before any
// Freshdesk account.
const everSince = "2000-01-01T00:00:00Z"

// NewAPI returns a client of the Freshdesk helpdesk at baseURL (such as
// "https://acme.freshdesk.com"; the scheme may be left out) that
// authenticates with an agent's API key (HTTP Basic "<key>:X"). Ticket
// links are <baseURL>/helpdesk/tickets/<id>, as {{ticket.url}} renders
// them; option.WithLinkBase changes the address (the helpdesk's own
// domain, as {{ticket.url}} renders it in the automation rules, so that
// both link a ticket alike).
func NewAPI(baseURL, apiKey string, opts ...option.Option) *API {
	cfg := vendorapi.NewConfig(nil, opts)
	base := cleanDomainURL(baseURL)
	links := cleanDomainURL(cfg.LinkBase)
	if links == "" {
		links = base
	}
	pacer := vendorapi.NewPacer(vendorapi.PacerConfig{Name: "freshdesk", Delay: rateLimitDelay, Log: cfg.Log, Now: cfg.Now})
	a := &API{api: vendorapi.New(cfg, base, vendor(), pacer.Hooks()), links: links, log: cfg.Log}
	a.api.Resty().SetBasicAuth(apiKey, "X")
	once := cfg
	once.Retries = 0
	a.once = vendorapi.New(once, base, vendor(), pacer.Hooks())
	a.once.Resty().SetBasicAuth(apiKey, "X")
	a.onceRetries, a.oncePolicy = cfg.Retries, cfg.RetryPolicy()
	return a
}

// Source returns plusone.SourceFreshdesk.
func (a *API) Source() plusone.Source { return plusone.SourceFreshdesk }

// History returns the tickets the customer requested as the ticket.created
// events the ticket_created rule gives (same ticket id, link, status,
// priority, tags, channel and description), newest first. The customer is
// found by q.ExternalID (her Freshdesk contact id) when it is set,
// otherwise by q.Email. Tickets are read newest first; reading stops at
// q.Limit tickets or at the first page that reaches back before q.Since.
// Tickets created before q.Since are left out. Satisfaction ratings are
// not read: the ticket list does not carry them.
func (a *API) History(ctx context.Context, q plusone.HistoryQuery) ([]plusone.Event, error) {
	find := func(ctx context.Context, q plusone.HistoryQuery) (*apiContact, bool, error) {
		c, err := a.findContact(ctx, q)
		return c, c != nil, err
	}
	return vendorapi.History(ctx, "freshdesk", "contact", q, find, a.tickets)
}

// findContact finds the customer of a history query: by Freshdesk contact
// id when q.ExternalID is set, otherwise by email. It returns nil when
// Freshdesk does not know her.
func (a *API) findContact(ctx context.Context, q plusone.HistoryQuery) (*apiContact, error) {
	if id := strings.TrimSpace(q.ExternalID); id != "" {
		if !vendorapi.IsDigits(id) {
			return nil, nil // not a Freshdesk contact id
		}
		var c apiContact
		found, err := a.api.Get(ctx, "/api/v2/contacts/"+id, nil, &c)
		if err != nil || !found || !vendorapi.IsDigits(string(c.ID)) {
			return nil, err
		}
		return &c, nil
	}
	email := plusone.NormalizeEmail(q.Email)
	if email == "" {
		return nil, nil
	}
	var contacts []apiContact
	if _, err := a.api.Get(ctx, "/api/v2/contacts", url.Values{"email": {email}}, &contacts); err != nil {
		return nil, err
	}
	return pickContact(contacts, email), nil
}

// pickContact chooses the contact whose primary email is email or, failing
// that, the only contact found (the filter also matches other emails).
func pickContact(contacts []apiContact, email string) *apiContact {
	return vendorapi.PickByEmail(contacts, email, func(c *apiContact) (string, string) { return string(c.ID), c.Email })
}

// tickets pages through the tickets the contact requested, newest first.
func (a *API) tickets(ctx context.Context, c *apiContact, q plusone.HistoryQuery) ([]plusone.Event, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	ref := c.ref()
	since := everSince
	if !q.Since.IsZero() {
		since = q.Since.UTC().Format(time.RFC3339)
	}
	var (
		found   [][]plusone.Event // each ticket's events
		last    time.Time
		ordered = true // whether Freshdesk kept to created_at descending so far
	)
	for page, n := 1, 0; n < maxTicketPages; n++ {
		params := url.Values{
			"requester_id":  {string(c.ID)},
			"order_by":      {"created_at"},
			"order_type":    {"desc"},
			"updated_since": {since},
			"include":       {"description"},
			"per_page":      {strconv.Itoa(min(limit, 100))},
			"page":          {strconv.Itoa(page)},
		}
		var tickets []apiTicket
		h, _, err := a.api.Do(ctx, http.MethodGet, "/api/v2/tickets", params, nil, &tickets)
		if err != nil {
			return nil, err
		}
		for _, t := range tickets {
			e, ok := a.ticketEvent(t, ref)
			if !ok {
				continue
			}
			if !last.IsZero() && e.OccurredAt.After(last) {
				ordered = false
			}
			last = e.OccurredAt
			if !q.Since.IsZero() && e.OccurredAt.Before(q.Since) {
				continue // updated since, but created before
			}
			found = append(found, []plusone.Event{e})
		}
		next := nextPage(h)
		switch {
		case len(found) >= limit, next <= page:
			return vendorapi.NewestObjects(found, limit), nil
		case ordered && !q.Since.IsZero() && !last.IsZero() && last.Before(q.Since):
			// Every further ticket was created before Since.
			return vendorapi.NewestObjects(found, limit), nil
		}
		page = next
	}
	a.log.Warn("freshdesk history cut short", "contact_id", string(c.ID), "pages", maxTicketPages)
	return vendorapi.NewestObjects(found, limit), nil
}

// ticketEvent turns a ticket into the ticket.created event the
// ticket_created rule gives for it, with the ticket as it is now.
func (a *API) ticketEvent(t apiTicket, ref plusone.CustomerRef) (plusone.Event, bool) {
	id := string(t.ID)
	if !vendorapi.IsDigits(id) {
		return plusone.Event{}, false
	}
	created, _ := parseTime(t.CreatedAt)
	ticket := &plusone.Ticket{
		ID:       id,
		Subject:  strings.TrimSpace(t.Subject),
		URL:      a.ticketURL(id),
		Status:   statusName(t.Status),
		Priority: priorityName(t.Priority),
		Tags:     []string{},
		Channel:  sourceName(t.Source),
	}
	for _, tag := range t.Tags {
		if tag = strings.TrimSpace(tag); tag != "" {
			ticket.Tags = append(ticket.Tags, tag)
		}
	}
	description := htmltext.Text(t.Description)
	if ticket.Subject == "" {
		ticket.Subject = htmltext.Excerpt(description, 80)
	}
	e := plusone.Event{
		Source: plusone.SourceFreshdesk, ID: "history:ticket:" + id, Type: plusone.EventTicketCreated,
		OccurredAt: created, Customer: ref, Ticket: ticket,
	}
	if description != "" {
		e.Message = &plusone.Message{ID: descriptionID(id), Text: description, Author: ref.Name, FromCustomer: true}
	}
	return e, true
}

// ticketURL links ticket id as {{ticket.url}} renders it.
func (a *API) ticketURL(id string) string {
	if a.links == "" || id == "" {
		return ""
	}
	return a.links + "/helpdesk/tickets/" + id
}

// cleanDomainURL adds the scheme a bare helpdesk domain lacks, drops an
// /api/v2 suffix, trims the URL and drops any user info, so that no
// credential travels in URLs.
func cleanDomainURL(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	s = strings.TrimSuffix(s, "/api/v2")
	if s != "" && !strings.Contains(s, "://") {
		s = "https://" + s
	}
	return vendorapi.CleanBaseURL(s)
}
