package helpscout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
	"github.com/plusone-hq/plusone/integrations/option"
)

// DefaultAPIURL is Help Scout's Mailbox API.
const DefaultAPIURL = "https://api.helpscout.net"

// API is a client of Help Scout's Mailbox API 2.0, authenticated as an
// OAuth2 app (client credentials: the app id and secret of a Help Scout
// "My App"). It acts on conversations from the cards (reply, note, assign,
// status) and reads a customer's past conversations. It is safe for
// concurrent use.
type API struct {
	api *vendorapi.Client
	log *slog.Logger

	// once sends replies and notes: it never retries by itself (see
	// Reply), onceRetries times at most, waiting as oncePolicy says.
	once        *vendorapi.Client
	onceRetries int
	oncePolicy  vendorapi.RetryPolicy
	agents      vendorapi.AgentCache
	token       *tokenSource
}

var _ plusone.History = (*API)(nil)

// NewAPI returns a client of the Mailbox API at baseURL (DefaultAPIURL
// when empty) for the app appID with secret appSecret. The access token
// (POST /v2/oauth2/token, grant_type client_credentials) is fetched on the
// first call, kept until shortly before it expires, and fetched again
// after a 401.
func NewAPI(baseURL, appID, appSecret string, opts ...option.Option) *API {
	cfg := vendorapi.NewConfig(nil, opts)
	base := vendorapi.CleanBaseURL(baseURL)
	if base == "" {
		base = DefaultAPIURL
	}
	pacer := vendorapi.NewPacer(vendorapi.PacerConfig{Name: "helpscout", Delay: rateLimitDelay, Log: cfg.Log, Now: cfg.Now})
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	hooks := pacer.Hooks()
	hooks.Wait = retryAfterWait
	tokens := &tokenSource{api: vendorapi.New(cfg, base, vendor(), hooks), id: appID, secret: appSecret, now: now}
	a := &API{api: vendorapi.New(cfg, base, vendor(), hooks), log: cfg.Log, token: tokens}
	once := cfg
	once.Retries = 0
	a.once = vendorapi.New(once, base, vendor(), hooks)
	a.onceRetries, a.oncePolicy = cfg.Retries, cfg.RetryPolicy()
	a.oncePolicy.Hint = retryAfterWait
	for _, c := range []*vendorapi.Client{a.api, a.once} {
		c.Resty().OnBeforeRequest(func(_ *resty.Client, r *resty.Request) error {
			tok, err := tokens.get(r.Context())
			if err != nil {
				return err
			}
			r.SetAuthToken(tok)
			return nil
		})
	}
	return a
}

// Source returns plusone.SourceHelpScout.
func (a *API) Source() plusone.Source { return plusone.SourceHelpScout }

// tokenSource fetches and keeps the app's access token.
type tokenSource struct {
	api        *vendorapi.Client
	id, secret string
	now        func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// get returns the access token, fetching one when none is kept or the kept
// one expires within a minute.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != "" && s.now().Before(s.expires.Add(-time.Minute)) {
		return s.token, nil
	}
	const op = "POST /v2/oauth2/token"
	resp, err := s.api.Request(ctx).SetFormData(map[string]string{
		"grant_type": "client_credentials", "client_id": s.id, "client_secret": s.secret,
	}).Post("/v2/oauth2/token")
	if err != nil {
		return "", s.api.RequestError(ctx, op, resp, err)
	}
	if st := resp.StatusCode(); st != http.StatusOK {
		return "", fmt.Errorf("%s: %w", op, vendor().StatusError(st, resp.Body()))
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body(), &t); err != nil || t.AccessToken == "" {
		return "", fmt.Errorf("%s: no access_token in Help Scout's answer", op)
	}
	s.token, s.expires = t.AccessToken, s.now().Add(time.Duration(t.ExpiresIn)*time.Second)
	return s.token, nil
}

// forget drops a token Help Scout refused (401), so that the next request
// fetches another.
func (s *tokenSource) forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = ""
}

// do sends a request on a.api, and once more with a new token after a 401:
// an access token may be revoked or expire early.
func (a *API) do(ctx context.Context, method, path string, params map[string][]string, body, out any) (found bool, err error) {
	for attempt := 0; ; attempt++ {
		if _, err := a.token.get(ctx); err != nil {
			return false, err
		}
		_, found, err = a.api.Do(ctx, method, path, params, body, out)
		if attempt == 0 && plusone.ErrorCode(err) == plusone.EUNAUTHORIZED {
			a.token.forget()
			continue
		}
		return found, err
	}
}

// rateLimitDelay is the pause before the next request that a response's
// headers ask for: Help Scout allows a number of requests per minute
// (X-RateLimit-Limit-Minute, X-RateLimit-Remaining-Minute); a 429 says
// when to try again in X-RateLimit-Retry-After (or Retry-After).
func rateLimitDelay(h http.Header, _ time.Time) time.Duration {
	remaining, ok := vendorapi.HeaderInt(h, "X-RateLimit-Remaining-Minute")
	if !ok {
		return 0
	}
	limit, _ := vendorapi.HeaderInt(h, "X-RateLimit-Limit-Minute")
	return vendorapi.PaceDelay(limit, remaining, time.Minute)
}

// retryAfterWait reads Help Scout's own X-RateLimit-Retry-After (seconds)
// when a 429 carries no Retry-After.
func retryAfterWait(resp *resty.Response, wait time.Duration, ok bool) (time.Duration, bool) {
	if ok || resp == nil {
		return wait, ok
	}
	if n, found := vendorapi.HeaderInt(resp.Header(), "X-RateLimit-Retry-After"); found && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	return wait, ok
}

// vendor is what errors say about the Help Scout API.
func vendor() vendorapi.Vendor {
	return vendorapi.Vendor{
		Name: "Help Scout",
		Refused: "Help Scout refused the app's credentials (HTTP %d); check PLUSONE_HELPSCOUT_APP_ID and PLUSONE_HELPSCOUT_APP_SECRET " +
			"and that the app's user may see the mailboxes",
		Detail: errorDetail,
	}
}

// errorDetail picks Help Scout's explanation out of an error body (a
// vnd.error: {"message", "_embedded": {"errors": [{"path", "message"}]}},
// or OAuth's {"error", "error_description"}).
func errorDetail(body []byte) string {
	var e struct {
		Message     string `json:"message"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Embedded    struct {
			Errors []struct {
				Path    string `json:"path"`
				Message string `json:"message"`
			} `json:"errors"`
		} `json:"_embedded"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var parts []string
	for _, p := range []string{e.Message, e.Error, e.Description} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(e.Embedded.Errors) > 0 {
		parts = append(parts, strings.TrimSpace(e.Embedded.Errors[0].Path+" "+e.Embedded.Errors[0].Message))
	}
	return webhook.Clip(strings.Join(parts, ": "))
}
