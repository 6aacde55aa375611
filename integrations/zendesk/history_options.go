package zendesk

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// APIOption configures an API. Options given nil or non-positive values
// leave the default in place.
type APIOption func(*apiConfig)

type apiConfig struct {
	vendorapi.Config
	linkBase  string
	cacheSize int
	cacheTTL  time.Duration
}

// The API's defaults.
const (
	DefaultTimeout       = vendorapi.DefaultTimeout
	DefaultRetries       = vendorapi.DefaultRetries
	DefaultRetryWait     = vendorapi.DefaultRetryWait
	DefaultMaxRetryAfter = vendorapi.DefaultMaxRetryAfter
	DefaultUserCacheSize = 1024
	DefaultUserCacheTTL  = 15 * time.Minute
)

func defaultAPIConfig() apiConfig {
	return apiConfig{
		Config:    vendorapi.DefaultConfig(),
		cacheSize: DefaultUserCacheSize,
		cacheTTL:  DefaultUserCacheTTL,
	}
}

// shared applies an option of every vendor's client.
func shared(o vendorapi.Option) APIOption { return func(cfg *apiConfig) { o(&cfg.Config) } }

// WithHTTPClient sends requests through a copy of c (its transport, proxy
// and TLS settings). The copy's Timeout is set by WithTimeout and its
// redirect policy refuses redirects, so that credentials never follow one.
func WithHTTPClient(c *http.Client) APIOption { return shared(vendorapi.WithHTTPClient(c)) }

// WithTimeout bounds each HTTP attempt, headers and body; DefaultTimeout
// without it.
func WithTimeout(d time.Duration) APIOption { return shared(vendorapi.WithTimeout(d)) }

// WithRetries sets how many times a request is retried after a network
// error, a 5xx or a 429 (DefaultRetries); 0 turns retries off.
func WithRetries(n int) APIOption { return shared(vendorapi.WithRetries(n)) }

// WithRetryWait sets the base of the exponential backoff between retries
// that no Retry-After header times (DefaultRetryWait). It is also the
// shortest wait between two attempts.
func WithRetryWait(d time.Duration) APIOption { return shared(vendorapi.WithRetryWait(d)) }

// WithMaxRetryAfter sets the longest Retry-After the client waits out
// (DefaultMaxRetryAfter). A longer one ends the call with an EUNAVAILABLE
// error instead, since retrying earlier than Zendesk asks is never done.
func WithMaxRetryAfter(d time.Duration) APIOption { return shared(vendorapi.WithMaxRetryAfter(d)) }

// WithAPILogger sets the logger for retries, rate-limit waits and
// truncated histories, all without secrets. Without it nothing is logged.
func WithAPILogger(l *slog.Logger) APIOption { return shared(vendorapi.WithLogger(l)) }

// WithClock sets the clock the user cache ages entries by and rate-limit
// pacing runs by; time.Now without it.
func WithClock(now func() time.Time) APIOption { return shared(vendorapi.WithClock(now)) }

// WithLinkBaseURL sets the address ticket links start with, when it is not
// the API's base URL (for example a host-mapped help center domain). It must
// match the webhook Source's WithBaseURL so that both link a ticket alike.
func WithLinkBaseURL(u string) APIOption {
	return func(cfg *apiConfig) {
		if u = vendorapi.CleanBaseURL(u); u != "" {
			cfg.linkBase = u
		}
	}
}

// WithUserCache sets how many Zendesk users Enrich remembers and for how
// long (DefaultUserCacheSize, DefaultUserCacheTTL). A size of zero or less
// turns the cache off.
func WithUserCache(size int, ttl time.Duration) APIOption {
	return func(cfg *apiConfig) {
		cfg.cacheSize = size
		if ttl > 0 {
			cfg.cacheTTL = ttl
		}
	}
}
