package shopify

import (
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// APIOption configures an API. Options given nil, empty or non-positive
// values leave the default in place.
type APIOption func(*apiConfig)

type apiConfig struct {
	httpClient    *http.Client
	timeout       time.Duration
	retries       int
	retryWait     time.Duration
	maxRetryAfter time.Duration
	log           *slog.Logger
	version       string
	shopDomain    string
}

// The API's defaults.
const (
	// DefaultAPIVersion is the Admin API version queried. Shopify serves a
	// stable version for at least twelve months and answers requests for a
	// retired one with the oldest it still supports.
	DefaultAPIVersion    = "2026-01"
	DefaultTimeout       = 15 * time.Second
	DefaultRetries       = 3
	DefaultRetryWait     = 500 * time.Millisecond
	DefaultMaxRetryAfter = time.Minute
)

func defaultAPIConfig() apiConfig {
	return apiConfig{
		timeout:       DefaultTimeout,
		retries:       DefaultRetries,
		retryWait:     DefaultRetryWait,
		maxRetryAfter: DefaultMaxRetryAfter,
		log:           slog.New(slog.NewTextHandler(io.Discard, nil)),
		version:       DefaultAPIVersion,
	}
}

// WithHTTPClient sends requests through a copy of c (its transport, proxy
// and TLS settings). The copy's Timeout is set by WithTimeout and its
// redirect policy refuses redirects, so that the access token never follows
// one.
func WithHTTPClient(c *http.Client) APIOption {
	return func(cfg *apiConfig) {
		if c != nil {
			cfg.httpClient = c
		}
	}
}

// WithTimeout bounds each HTTP attempt, headers and body; DefaultTimeout
// without it.
func WithTimeout(d time.Duration) APIOption {
	return func(cfg *apiConfig) {
		if d > 0 {
			cfg.timeout = d
		}
	}
}

// WithRetries sets how many times a query is retried after a network
// error, a 5xx, a 429 or a THROTTLED answer (DefaultRetries); 0 turns
// retries off.
func WithRetries(n int) APIOption {
	return func(cfg *apiConfig) {
		if n >= 0 {
			cfg.retries = n
		}
	}
}

// WithRetryWait sets the base of the exponential backoff between retries
// that neither Retry-After nor the query cost times (DefaultRetryWait). It
// is also the shortest wait between two attempts.
func WithRetryWait(d time.Duration) APIOption {
	return func(cfg *apiConfig) {
		if d > 0 {
			cfg.retryWait = d
		}
	}
}

// WithMaxRetryAfter sets the longest wait a Retry-After header or a
// throttled query may ask for (DefaultMaxRetryAfter). A longer one ends the
// call with an EUNAVAILABLE error instead, since retrying earlier than
// Shopify asks is never done.
func WithMaxRetryAfter(d time.Duration) APIOption {
	return func(cfg *apiConfig) {
		if d > 0 {
			cfg.maxRetryAfter = d
		}
	}
}

// WithAPILogger sets the logger for retries, throttling waits and skipped
// data, all without secrets. Without it nothing is logged.
func WithAPILogger(l *slog.Logger) APIOption {
	return func(cfg *apiConfig) {
		if l != nil {
			cfg.log = l
		}
	}
}

var apiVersion = regexp.MustCompile(`^(\d{4}-(01|04|07|10)|unstable)$`)

// WithAPIVersion sets the Admin API version, such as "2025-10", instead of
// DefaultAPIVersion. A value that is not a version name is ignored.
func WithAPIVersion(v string) APIOption {
	return func(cfg *apiConfig) {
		if v = strings.TrimSpace(v); apiVersion.MatchString(v) {
			cfg.version = v
		}
	}
}

// WithShopDomain sets the shop domain order links use
// (https://<domain>/admin/orders/<id>, as the webhook parser builds them from
// X-Shopify-Shop-Domain) when it is not the host of the shop URL.
func WithShopDomain(domain string) APIOption {
	return func(cfg *apiConfig) {
		if d := shopDomain(strings.TrimSpace(domain)); d != "" {
			cfg.shopDomain = d
		}
	}
}

func (cfg apiConfig) retryPolicy() retryPolicy {
	return retryPolicy{
		base:          cfg.retryWait,
		maxBackoff:    max(10*time.Second, cfg.retryWait),
		maxRetryAfter: max(cfg.maxRetryAfter, cfg.retryWait),
	}
}
