// Package vendorapi is what the history clients of integrations/* share to
// call a vendor's REST API: one resty client per vendor with a per-attempt
// timeout, no redirects (credentials never follow one), bounded retries of
// network errors, 5xx and 429 that wait out Retry-After to the full second,
// exponential backoff with jitter otherwise, pacing by the vendor's
// rate-limit headers, and errors that say what to do without ever showing
// a credential.
//
// What differs between vendors stays in their packages: authentication,
// the names and meaning of rate-limit headers, extra reasons to retry (a
// GraphQL THROTTLED answer) and the shape of their error bodies. They plug
// in through Vendor, Hooks and PacerConfig.
package vendorapi

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// The defaults of Config.
const (
	DefaultTimeout       = 15 * time.Second
	DefaultRetries       = 3
	DefaultRetryWait     = 500 * time.Millisecond
	DefaultMaxRetryAfter = time.Minute
)

// Config is what every vendor's API client is configured with. Vendors embed
// it in their own configuration and offer the options below under their own
// names (WithTimeout, WithRetries, …).
type Config struct {
	// HTTPClient is copied for the client's transport, proxy and TLS
	// settings; nil for a plain http.Client.
	HTTPClient *http.Client
	// Timeout bounds each attempt, headers and body.
	Timeout time.Duration
	// Retries is how many times a request is retried; 0 turns retries off.
	Retries int
	// RetryWait is the base of the exponential backoff, and the shortest
	// wait between two attempts.
	RetryWait time.Duration
	// MaxRetryAfter is the longest wait a vendor may ask for; a longer one
	// ends the request with an EUNAVAILABLE error.
	MaxRetryAfter time.Duration
	// Log receives retries, waits and skipped data, never secrets.
	Log *slog.Logger
	// Now is the clock of caches and of rate-limit reset times.
	Now func() time.Time
}

// DefaultConfig returns the defaults: the Default* values, a logger that
// discards everything, and time.Now.
func DefaultConfig() Config {
	return Config{
		Timeout:       DefaultTimeout,
		Retries:       DefaultRetries,
		RetryWait:     DefaultRetryWait,
		MaxRetryAfter: DefaultMaxRetryAfter,
		Log:           DiscardLogger(),
		Now:           time.Now,
	}
}

// Option changes a Config. Options given nil or non-positive values leave
// the value in place.
type Option func(*Config)

// WithHTTPClient sends requests through a copy of c.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *Config) {
		if c != nil {
			cfg.HTTPClient = c
		}
	}
}

// WithTimeout sets Config.Timeout when d is positive.
func WithTimeout(d time.Duration) Option {
	return func(cfg *Config) {
		if d > 0 {
			cfg.Timeout = d
		}
	}
}

// WithRetries sets Config.Retries when n is not negative.
func WithRetries(n int) Option {
	return func(cfg *Config) {
		if n >= 0 {
			cfg.Retries = n
		}
	}
}

// WithRetryWait sets Config.RetryWait when d is positive.
func WithRetryWait(d time.Duration) Option {
	return func(cfg *Config) {
		if d > 0 {
			cfg.RetryWait = d
		}
	}
}

// WithMaxRetryAfter sets Config.MaxRetryAfter when d is positive.
func WithMaxRetryAfter(d time.Duration) Option {
	return func(cfg *Config) {
		if d > 0 {
			cfg.MaxRetryAfter = d
		}
	}
}

// WithLogger sets Config.Log when l is not nil.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *Config) {
		if l != nil {
			cfg.Log = l
		}
	}
}

// WithClock sets Config.Now when now is not nil.
func WithClock(now func() time.Time) Option {
	return func(cfg *Config) {
		if now != nil {
			cfg.Now = now
		}
	}
}

// RetryPolicy is the policy the configuration asks for: backoff from
// RetryWait doubling up to 10s (or RetryWait, if longer), and vendor waits
// up to MaxRetryAfter (or RetryWait, if longer).
func (c Config) RetryPolicy() RetryPolicy {
	return RetryPolicy{
		Base:          c.RetryWait,
		MaxBackoff:    max(10*time.Second, c.RetryWait),
		MaxRetryAfter: max(c.MaxRetryAfter, c.RetryWait),
	}
}

// DiscardLogger returns a logger that writes nothing.
func DiscardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
