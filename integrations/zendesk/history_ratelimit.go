package zendesk

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// pacer slows requests down before Zendesk's rate limit is reached, from
// the headers of the latest responses (rateLimitDelay): when few requests
// remain in the window, the rest are spread over what is left of it.
type pacer struct {
	*vendorapi.Pacer
	sleep func(context.Context, time.Duration) error // tests record instead
}

// newPacer returns the pacer of an API that logs to log and runs by the
// clock now.
func newPacer(log *slog.Logger, now func() time.Time) *pacer {
	p := &pacer{sleep: vendorapi.Sleep}
	p.Pacer = vendorapi.NewPacer(vendorapi.PacerConfig{
		Name:  "zendesk",
		Delay: func(h http.Header, _ time.Time) time.Duration { return rateLimitDelay(h) },
		Log:   log,
		Now:   now,
		Sleep: func(ctx context.Context, d time.Duration) error { return p.sleep(ctx, d) },
	})
	return p
}

// retryWait reads the wait of a 429 without Retry-After: Zendesk does not
// always send it, and its reset header says when the window reopens.
func retryWait(resp *resty.Response, wait time.Duration, ok bool) (time.Duration, bool) {
	if !ok && resp.StatusCode() == http.StatusTooManyRequests {
		if s, has := vendorapi.HeaderInt(resp.Header(), "Ratelimit-Reset"); has && s > 0 {
			return time.Duration(s) * time.Second, true
		}
	}
	return wait, ok
}

// rateLimitDelay is the pause before the next request that the headers ask
// for. Zendesk sends the account's limit as X-Rate-Limit and
// X-Rate-Limit-Remaining (list endpoints also ratelimit-limit,
// ratelimit-remaining and ratelimit-reset, in seconds) and an endpoint's own
// limit as "Zendesk-Ratelimit-<name>: total=100; remaining=99; resets=41".
// The strictest wins.
func rateLimitDelay(h http.Header) time.Duration {
	var d time.Duration
	if remaining, ok := vendorapi.HeaderInt(h, "Ratelimit-Remaining", "X-Rate-Limit-Remaining"); ok {
		limit, _ := vendorapi.HeaderInt(h, "Ratelimit-Limit", "X-Rate-Limit")
		reset, hasReset := vendorapi.HeaderInt(h, "Ratelimit-Reset")
		d = max(d, vendorapi.PaceDelay(limit, remaining, window(reset, hasReset)))
	}
	for name, values := range h {
		if len(values) == 0 || !strings.HasPrefix(strings.ToLower(name), "zendesk-ratelimit-") {
			continue
		}
		if f := limitFields(values[0]); f.hasRemaining {
			d = max(d, vendorapi.PaceDelay(f.total, f.remaining, window(f.resets, f.hasResets)))
		}
	}
	return d
}

// window is the time left until the limit resets, when Zendesk says;
// otherwise its windows are a minute long.
func window(resetSeconds int, hasReset bool) time.Duration {
	if !hasReset {
		return time.Minute
	}
	return time.Duration(max(resetSeconds, 0)) * time.Second
}

type limitHeader struct {
	total, remaining, resets int
	hasRemaining, hasResets  bool
}

// limitFields reads "total=100; remaining=99; resets=41".
func limitFields(v string) limitHeader {
	var f limitHeader
	for part := range strings.SplitSeq(v, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "total":
			f.total = n
		case "remaining":
			f.remaining, f.hasRemaining = n, true
		case "resets":
			f.resets, f.hasResets = n, true
		}
	}
	return f
}
