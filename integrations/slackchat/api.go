package slackchat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// API completes chat events from Slack's Web API: the author's email and
// name (users.info, scope users:read.email). It implements plusone.Enricher.
type API struct {
	api   *slack.Client
	ttl   time.Duration
	clock func() time.Time

	mu    sync.Mutex
	users map[string]cachedUser // bounded: cleared when full
}

type cachedUser struct {
	email, name string
	at          time.Time
}

// maxCachedUsers bounds the cache of looked-up authors.
const maxCachedUsers = 4096

var _ plusone.Enricher = (*API)(nil)

// NewAPI returns an enricher for the bot token; apiURL is Slack's Web API
// base URL ("" for the default).
func NewAPI(token, apiURL string, httpClient *http.Client) *API {
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		apiURL += "/"
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &API{api: slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(httpClient)),
		ttl: time.Hour, clock: time.Now, users: map[string]cachedUser{}}
}

// Source reports plusone.SourceSlack.
func (a *API) Source() plusone.Source { return plusone.SourceSlack }

// Enrich looks up the author of a company channel's message: her email,
// when it lies in the company's domain, and her name. Not finding her is no
// error; a rate limit or an unreachable Slack is.
func (a *API) Enrich(ctx context.Context, e *plusone.Event) error {
	c := &e.Customer
	if c.ExternalID == "" || (c.Email != "" && c.Name != "") {
		return nil
	}
	email, name, err := a.user(ctx, c.ExternalID)
	if err != nil {
		return err
	}
	if c.Name == "" {
		c.Name = name
	}
	if c.Email == "" && email != "" && (c.Domain == "" || strings.HasSuffix(email, "@"+c.Domain)) {
		c.Email = email
	}
	return nil
}

func (a *API) user(ctx context.Context, id string) (email, name string, err error) {
	now := a.clock()
	a.mu.Lock()
	u, ok := a.users[id]
	a.mu.Unlock()
	if ok && now.Sub(u.at) < a.ttl {
		return u.email, u.name, nil
	}
	info, err := a.api.GetUserInfoContext(ctx, id)
	var serr slack.SlackErrorResponse
	switch {
	case errors.As(err, &serr) && (serr.Err == "user_not_found" || serr.Err == "user_not_visible"):
		info = &slack.User{}
	case err != nil:
		return "", "", fmt.Errorf("users.info %s: %w", id, err)
	}
	u = cachedUser{email: plusone.NormalizeEmail(info.Profile.Email), name: info.RealName, at: now}
	if u.name == "" {
		u.name = info.Profile.DisplayName
	}
	a.mu.Lock()
	if len(a.users) >= maxCachedUsers {
		clear(a.users)
	}
	a.users[id] = u
	a.mu.Unlock()
	return u.email, u.name, nil
}

// Person is a Slack user's email (lower case; "" when her profile shows
// none or she is unknown) and name, cached like the authors Enrich looks
// up: it finds an agent at her helpdesk.
func (a *API) Person(ctx context.Context, slackID string) (email, name string, err error) {
	return a.user(ctx, slackID)
}
