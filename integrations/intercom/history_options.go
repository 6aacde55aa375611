package intercom

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// APIOption configures an API. Options given nil, empty or non-positive
// values leave the default in place.
type APIOption func(*apiConfig)

type apiConfig struct {
	vendorapi.Config
	appID string
}

// The API's defaults.
const (
	// DefaultBaseURL is Intercom's US region; the EU and Australian
	// workspaces use https://api.eu.intercom.io and https://api.au.intercom.io.
	DefaultBaseURL = "https://api.intercom.io"
	// APIVersion is the Intercom-Version the client sends; the shapes it
	// reads are those of this version.
	APIVersion           = "2.14"
	DefaultTimeout       = vendorapi.DefaultTimeout
	DefaultRetries       = vendorapi.DefaultRetries
	DefaultRetryWait     = vendorapi.DefaultRetryWait
	DefaultMaxRetryAfter = vendorapi.DefaultMaxRetryAfter
)

func defaultAPIConfig() apiConfig { return apiConfig{Config: vendorapi.DefaultConfig()} }

// shared applies an option of every vendor's client.
func shared(o vendorapi.Option) APIOption { return func(cfg *apiConfig) { o(&cfg.Config) } }

// WithHTTPClient sends requests through a copy of c (its transport, proxy
// and TLS settings). The copy's Timeout is set by WithTimeout and its
// redirect policy refuses redirects, so that the access token never follows
// one.
func WithHTTPClient(c *http.Client) APIOption { return shared(vendorapi.WithHTTPClient(c)) }

// WithTimeout bounds each HTTP attempt, headers and body; DefaultTimeout
// without it.
func WithTimeout(d time.Duration) APIOption { return shared(vendorapi.WithTimeout(d)) }

// WithRetries sets how many times a request is retried after a network
// error, a 5xx or a 429 (DefaultRetries); 0 turns retries off.
func WithRetries(n int) APIOption { return shared(vendorapi.WithRetries(n)) }

// WithRetryWait sets the base of the exponential backoff between retries
// that neither Retry-After nor X-RateLimit-Reset times (DefaultRetryWait).
// It is also the shortest wait between two attempts.
func WithRetryWait(d time.Duration) APIOption { return shared(vendorapi.WithRetryWait(d)) }

// WithMaxRetryAfter sets the longest wait a 429 may ask for
// (DefaultMaxRetryAfter). A longer one ends the call with an EUNAVAILABLE
// error instead, since retrying earlier than Intercom asks is never done.
func WithMaxRetryAfter(d time.Duration) APIOption { return shared(vendorapi.WithMaxRetryAfter(d)) }

// WithAPILogger sets the logger for retries, rate-limit waits and skipped
// conversations, all without secrets. Without it nothing is logged.
func WithAPILogger(l *slog.Logger) APIOption { return shared(vendorapi.WithLogger(l)) }

// WithClock sets the clock that X-RateLimit-Reset, a Unix time, is read
// against; time.Now without it.
func WithClock(now func() time.Time) APIOption { return shared(vendorapi.WithClock(now)) }

// WithAppID sets the workspace's app id (the app_id of webhook
// notifications, the app.id_code of GET /me) that conversation links are
// built with. Without it the client asks GET /me once.
func WithAppID(id string) APIOption {
	return func(cfg *apiConfig) {
		if id = strings.TrimSpace(id); urlSafe(id) && id != "" {
			cfg.appID = id
		}
	}
}
