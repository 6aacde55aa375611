// Package option configures the vendor API clients of integrations/*
// (zendesk.NewAPI, shopify.NewAPI, intercom.NewAPI, freshdesk.NewAPI) with
// one Option type, as google.golang.org/api/option does for Google's
// clients:
//
//	api := zendesk.NewAPI(url, email, token, option.WithLogger(log), option.WithRetries(5))
//
// Options given nil, empty or out-of-range values leave the default in
// place. An option a vendor has no use for (WithAppID for Zendesk) is
// ignored by it.
package option

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// The defaults of every vendor's client.
const (
	DefaultTimeout   = 15 * time.Second
	DefaultRetries   = 3
	DefaultRetryWait = 500 * time.Millisecond
)

// Settings are what options set. Clients start from Defaults (and their
// own defaults for the vendor's settings) and Apply the options given.
type Settings struct {
	// HTTPClient is copied for the client's transport, proxy and TLS
	// settings; nil for a plain http.Client. The copy's Timeout is set by
	// Timeout and its redirect policy refuses redirects, so that
	// credentials never follow one.
	HTTPClient *http.Client
	// Timeout bounds each HTTP attempt, headers and body.
	Timeout time.Duration
	// Retries is how many times a request is retried after a network
	// error, a 5xx or a 429 (and, at Shopify, a THROTTLED answer); 0 turns
	// retries off.
	Retries int
	// RetryWait is the base of the exponential backoff between retries
	// that the vendor does not time itself (Retry-After, a rate-limit reset
	// or a query cost), and the shortest wait between two attempts.
	RetryWait time.Duration
	// Log receives retries, rate-limit waits, truncated histories and
	// skipped data, never secrets.
	Log *slog.Logger
	// Now is the clock of caches, rate-limit pacing and reset times, and
	// of the discount codes Shopify creates.
	Now func() time.Time

	// LinkBase is where links to tickets and orders point when it is not
	// the API's address: Zendesk's and Freshdesk's helpdesk URL (a
	// host-mapped domain, as the webhooks link them), Shopify's shop
	// domain. Unused by Intercom.
	LinkBase string
	// AppID is the Intercom workspace's app id that conversation links
	// are built with; without it the client asks GET /me once.
	AppID string
	// APIVersion is the Shopify Admin API version, such as "2025-10".
	APIVersion string
	// UserCacheSize and UserCacheTTL say how many Zendesk users Enrich
	// remembers and for how long; a size of zero or less turns the cache
	// off.
	UserCacheSize int
	UserCacheTTL  time.Duration
	// Calls, if not nil, learns each HTTP call: each attempt that got an
	// answer, with its status and time, and each request that got none
	// (status 0).
	Calls Calls
}

// Calls learns a client's HTTP calls (plusone.APICalls; the metrics
// implement it).
type Calls interface {
	APICall(vendor string, status int, took time.Duration)
}

// Defaults returns the Default* values, a logger that discards everything
// and time.Now.
func Defaults() Settings {
	return Settings{
		Timeout:   DefaultTimeout,
		Retries:   DefaultRetries,
		RetryWait: DefaultRetryWait,
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:       time.Now,
	}
}

// Option changes Settings.
type Option func(*Settings)

// Apply applies opts to s in order; nil options are skipped.
func Apply(s *Settings, opts []Option) {
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
}

// WithHTTPClient sends requests through a copy of c (see
// Settings.HTTPClient).
func WithHTTPClient(c *http.Client) Option {
	return func(s *Settings) {
		if c != nil {
			s.HTTPClient = c
		}
	}
}

// WithTimeout bounds each HTTP attempt when d is positive (DefaultTimeout).
func WithTimeout(d time.Duration) Option {
	return func(s *Settings) {
		if d > 0 {
			s.Timeout = d
		}
	}
}

// WithRetries sets how many times a request is retried when n is not
// negative (DefaultRetries); 0 turns retries off.
func WithRetries(n int) Option {
	return func(s *Settings) {
		if n >= 0 {
			s.Retries = n
		}
	}
}

// WithRetryWait sets the base of the backoff between retries when d is
// positive (DefaultRetryWait).
func WithRetryWait(d time.Duration) Option {
	return func(s *Settings) {
		if d > 0 {
			s.RetryWait = d
		}
	}
}

// WithLogger sets the logger for retries, waits and skipped data, all
// without secrets. Without it nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *Settings) {
		if l != nil {
			s.Log = l
		}
	}
}

// WithClock sets the clock the client runs by; time.Now without it.
func WithClock(now func() time.Time) Option {
	return func(s *Settings) {
		if now != nil {
			s.Now = now
		}
	}
}

// WithLinkBase sets where ticket and order links point (see
// Settings.LinkBase). It must match the webhook integration's so that both
// link a ticket alike.
func WithLinkBase(u string) Option {
	return func(s *Settings) {
		if u != "" {
			s.LinkBase = u
		}
	}
}

// WithAppID sets the Intercom workspace's app id (the app_id of webhook
// notifications, the app.id_code of GET /me).
func WithAppID(id string) Option {
	return func(s *Settings) {
		if id != "" {
			s.AppID = id
		}
	}
}

// WithAPIVersion sets the Shopify Admin API version, such as "2025-10". A
// value that is not a version name is ignored.
func WithAPIVersion(v string) Option {
	return func(s *Settings) {
		if v != "" {
			s.APIVersion = v
		}
	}
}

// WithUserCache sets how many Zendesk users Enrich remembers and for how
// long (a ttl of zero or less keeps the default); a size of zero or less
// turns the cache off.
func WithUserCache(size int, ttl time.Duration) Option {
	return func(s *Settings) {
		s.UserCacheSize = size
		if ttl > 0 {
			s.UserCacheTTL = ttl
		}
	}
}

// WithCalls makes the client report each HTTP call to c (see
// Settings.Calls); nil reports nothing.
func WithCalls(c Calls) Option {
	return func(s *Settings) {
		if c != nil {
			s.Calls = c
		}
	}
}
