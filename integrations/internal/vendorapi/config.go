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
// in through Vendor, Hooks and PacerConfig. Their clients are configured
// with integrations/option.
package vendorapi

import (
	"io"
	"log/slog"
	"time"

	"github.com/plusone-hq/plusone/integrations/option"
)

// The defaults of Config.
const (
	DefaultTimeout       = option.DefaultTimeout
	DefaultRetries       = option.DefaultRetries
	DefaultRetryWait     = option.DefaultRetryWait
	DefaultMaxRetryAfter = time.Minute
)

// Config is what every vendor's API client is configured with: the
// settings its options give (option.Settings, the vendor's own among them)
// and the longest wait a vendor may ask for.
type Config struct {
	option.Settings
	// MaxRetryAfter is the longest wait a vendor may ask for; a longer one
	// ends the request with an EUNAVAILABLE error.
	MaxRetryAfter time.Duration
}

// DefaultConfig returns the defaults: option.Defaults and
// DefaultMaxRetryAfter.
func DefaultConfig() Config {
	return Config{Settings: option.Defaults(), MaxRetryAfter: DefaultMaxRetryAfter}
}

// NewConfig returns DefaultConfig with vendor's defaults for the vendor's
// own settings and then opts applied.
func NewConfig(vendor func(*option.Settings), opts []option.Option) Config {
	cfg := DefaultConfig()
	if vendor != nil {
		vendor(&cfg.Settings)
	}
	option.Apply(&cfg.Settings, opts)
	return cfg
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
