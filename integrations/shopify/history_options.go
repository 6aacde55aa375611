package shopify

import (
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// APIOption configures an API. Options given nil, empty or non-positive
// values leave the default in place.
type APIOption func(*apiConfig)

type apiConfig struct {
	vendorapi.Config
	version    string
	shopDomain string
}

// The API's defaults.
const (
	// DefaultAPIVersion is the Admin API version queried. Shopify serves a
	// stable version for at least twelve months and answers requests for a
	// retired one with the oldest it still supports.
	DefaultAPIVersion    = "2026-01"
	DefaultTimeout       = vendorapi.DefaultTimeout
	DefaultRetries       = vendorapi.DefaultRetries
	DefaultRetryWait     = vendorapi.DefaultRetryWait
	DefaultMaxRetryAfter = vendorapi.DefaultMaxRetryAfter
)

func defaultAPIConfig() apiConfig {
	return apiConfig{Config: vendorapi.DefaultConfig(), version: DefaultAPIVersion}
}

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

// WithRetries sets how many times a query is retried after a network
// error, a 5xx, a 429 or a THROTTLED answer (DefaultRetries); 0 turns
// retries off.
func WithRetries(n int) APIOption { return shared(vendorapi.WithRetries(n)) }

// WithRetryWait sets the base of the exponential backoff between retries
// that neither Retry-After nor the query cost times (DefaultRetryWait). It
// is also the shortest wait between two attempts.
func WithRetryWait(d time.Duration) APIOption { return shared(vendorapi.WithRetryWait(d)) }

// WithMaxRetryAfter sets the longest wait a Retry-After header or a
// throttled query may ask for (DefaultMaxRetryAfter). A longer one ends the
// call with an EUNAVAILABLE error instead, since retrying earlier than
// Shopify asks is never done.
func WithMaxRetryAfter(d time.Duration) APIOption { return shared(vendorapi.WithMaxRetryAfter(d)) }

// WithAPILogger sets the logger for retries, throttling waits and skipped
// data, all without secrets. Without it nothing is logged.
func WithAPILogger(l *slog.Logger) APIOption { return shared(vendorapi.WithLogger(l)) }

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

// WithClock sets the clock discount codes start from (time.Now without it).
func WithClock(now func() time.Time) APIOption { return shared(vendorapi.WithClock(now)) }
