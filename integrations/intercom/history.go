package intercom

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/option"
)

// API reads a customer's past conversations from the Intercom REST API
// (version 2.14, bearer access token). It is safe for concurrent use.
//
// Endpoints: POST /contacts/search (by email) or GET /contacts/{id}, then
// POST /conversations/search for her contact ids, newest first, with
// cursor pagination (pagination.starting_after); GET /me once for the
// workspace's app id, which conversation links need, unless option.WithAppID gives
// it.
type API struct {
	api *vendorapi.Client
	log *slog.Logger

	mu    sync.Mutex
	appID string // "" until known

	// once sends replies and notes: it never retries by itself (see
	// Reply), onceRetries times at most, waiting as oncePolicy says.
	once        *vendorapi.Client
	onceRetries int
	oncePolicy  vendorapi.RetryPolicy
	admins      vendorapi.AgentCache
}

var _ plusone.History = (*API)(nil)

// DefaultHistoryLimit bounds History when the query sets no Limit.
const DefaultHistoryLimit = 100

// maxPerPage is the largest page of conversations Intercom serves.
const maxPerPage = 150

// The API's defaults.
const (
	// DefaultBaseURL is Intercom's US region; the EU and Australian
	// workspaces use https://api.eu.intercom.io and https://api.au.intercom.io.
	DefaultBaseURL = "https://api.intercom.io"
	// APIVersion is the Intercom-Version the client sends; the shapes it
	// reads are those of this version.
	APIVersion = "2.14"
)

// maxConversationPages bounds how many pages of conversations one History
// call reads, whatever the query says.
const maxConversationPages = 50

// NewAPI returns a client of the Intercom API at baseURL (DefaultBaseURL
// when empty; the EU and Australian regions have their own) that
// authenticates with an access token of an Intercom app.
// option.WithAppID gives the workspace's app id that conversation links
// are built with; without it the client asks GET /me once.
func NewAPI(baseURL, token string, opts ...option.Option) *API {
	cfg := vendorapi.NewConfig(nil, opts)
	appID := strings.TrimSpace(cfg.AppID)
	if !urlSafe(appID) {
		appID = ""
	}
	base := vendorapi.CleanBaseURL(baseURL)
	if base == "" {
		base = DefaultBaseURL
	}
	pacer := vendorapi.NewPacer(vendorapi.PacerConfig{Name: "intercom", Delay: rateLimitDelay, Log: cfg.Log, Now: cfg.Now})
	hooks := pacer.Hooks()
	hooks.Wait = retryWait(cfg.Now)
	a := &API{api: vendorapi.New(cfg, base, vendor(), hooks), log: cfg.Log, appID: appID}
	a.api.Resty().SetAuthToken(token).SetHeader("Intercom-Version", APIVersion)
	once := cfg
	once.Retries = 0
	a.once = vendorapi.New(once, base, vendor(), hooks)
	a.once.Resty().SetAuthToken(token).SetHeader("Intercom-Version", APIVersion)
	a.onceRetries, a.oncePolicy = cfg.Retries, cfg.RetryPolicy()
	a.oncePolicy.Hint = hooks.Wait
	return a
}

// Source returns plusone.SourceIntercom.
func (a *API) Source() plusone.Source { return plusone.SourceIntercom }

// History returns the customer's conversations as the ticket.created
// events the conversation.user.created webhook gives (same ticket id, link,
// subject, status and first message), newest first, and for each rated
// conversation the feedback.received event of conversation.rating.added,
// with the same id. The customer is found by q.ExternalID (her Intercom
// contact id) when it is set, otherwise by q.Email (every contact, user or
// lead, with that email). Conversations created before q.Since are left
// out; reading stops at q.Limit conversations (a rated conversation's two
// events count as one).
func (a *API) History(ctx context.Context, q plusone.HistoryQuery) ([]plusone.Event, error) {
	find := func(ctx context.Context, q plusone.HistoryQuery) ([]apiContact, bool, error) {
		contacts, err := a.findContacts(ctx, q)
		return contacts, len(contacts) > 0, err
	}
	return vendorapi.History(ctx, "intercom", "contact", q, find, a.conversations)
}

// conversations pages through the conversations of contacts, newest first.
func (a *API) conversations(ctx context.Context, contacts []apiContact, q plusone.HistoryQuery) ([]plusone.Event, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	appID, err := a.workspace(ctx)
	if err != nil {
		return nil, err
	}
	var (
		convs   [][]plusone.Event // each conversation's events
		cursor  string
		last    time.Time
		ordered = true // whether Intercom kept to created_at descending so far
	)
	for range maxConversationPages {
		var page conversationPage
		if _, err := a.api.Post(ctx, "/conversations/search", searchConversations(contacts, q.Since, min(limit, maxPerPage), cursor), &page); err != nil {
			return nil, err
		}
		for _, raw := range page.Conversations {
			c, decodeErr := decodeConversation(raw)
			id, createdAt := c.ID, c.CreatedAt
			if decodeErr != nil {
				// Read only its id and time, to place it and say why
				// it is skipped.
				var head struct {
					ID        text     `json:"id"`
					CreatedAt unixTime `json:"created_at"`
				}
				if json.Unmarshal(raw, &head) != nil || head.ID == "" {
					a.log.Warn("intercom history: skipped an unreadable conversation")
					continue
				}
				id, createdAt = head.ID, head.CreatedAt
			}
			created := createdAt.Time()
			if !last.IsZero() && created.After(last) {
				ordered = false
			}
			last = created
			if !q.Since.IsZero() && created.Before(q.Since) {
				continue
			}
			if decodeErr != nil {
				a.log.Warn("intercom history: skipped a conversation", "conversation_id", string(id), "error", decodeErr)
				continue
			}
			if events := a.conversationEvents(&c, appID, contacts); len(events) > 0 {
				convs = append(convs, events)
			}
		}
		cursor = page.nextCursor()
		switch {
		case len(convs) >= limit, cursor == "":
			return vendorapi.NewestObjects(convs, limit), nil
		case ordered && !q.Since.IsZero() && !last.IsZero() && last.Before(q.Since):
			// Every further conversation was created before Since.
			return vendorapi.NewestObjects(convs, limit), nil
		}
	}
	a.log.Warn("intercom history cut short", "contacts", len(contacts), "pages", maxConversationPages)
	return vendorapi.NewestObjects(convs, limit), nil
}

// conversationEvents turns conversation c, as the search API returns it,
// into the events its webhooks give: the webhook parser reads it as the
// item of a conversation.user.created notification of the workspace appID,
// and of a conversation.rating.added one when it is rated. The ticket's id
// is the store's key, so the created event's own id, which for a webhook
// is its delivery's, only has to be stable; the rating's is the webhook's.
// What the conversation does not say of its customer is filled in from her
// contact.
func (a *API) conversationEvents(c *conversation, appID string, contacts []apiContact) []plusone.Event {
	id := string(c.ID)
	n := notification{Type: notificationType, ID: text("history:conversation:" + id), AppID: text(appID), Topic: "conversation.user.created"}
	events, err := c.events(n, created)
	if err != nil {
		a.log.Warn("intercom history: skipped a conversation", "conversation_id", id, "error", err)
		return nil
	}
	if c.Rating != nil && c.Rating.Rating != "" {
		n.Topic = "conversation.rating.added"
		if rating, err := c.events(n, rated); err == nil {
			events = append(events, rating...)
		} else {
			a.log.Debug("intercom history: skipped a rating", "conversation_id", id, "error", err)
		}
	}
	for i := range events {
		for _, contact := range contacts {
			contact.complete(&events[i].Customer)
		}
	}
	return events
}
