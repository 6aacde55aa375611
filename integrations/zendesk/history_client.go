package zendesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
)

// maxResponseBytes bounds a response body; a page of 100 tickets is far
// smaller.
const maxResponseBytes = 16 << 20

// newRESTClient builds the resty client every API call goes through: base
// URL, per-attempt timeout, no redirects, bounded retries on network errors,
// 5xx and 429 that honour Retry-After, and pacing by the rate-limit headers.
func newRESTClient(cfg apiConfig, base string, p *pacer) *resty.Client {
	policy := cfg.retryPolicy()
	hc := defaultHTTPClient()
	if cfg.httpClient != nil {
		c := *cfg.httpClient // never change the caller's client
		hc = &c
	}
	hc.Timeout = cfg.timeout
	c := resty.NewWithClient(hc).
		SetBaseURL(base).
		SetHeader("Accept", "application/json").
		SetLogger(restyLogger{cfg.log}).
		SetDisableWarn(true).
		// A redirect is answered as is: credentials never follow it.
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse })).
		SetResponseBodyLimit(maxResponseBytes).
		SetRetryCount(cfg.retries).
		SetRetryWaitTime(policy.base).
		// resty shortens any wait above this; it must not cut a Retry-After.
		SetRetryMaxWaitTime(max(policy.maxRetryAfter, policy.maxBackoff)).
		AddRetryCondition(retryable).
		SetRetryAfter(policy.delay)
	c.OnBeforeRequest(func(_ *resty.Client, r *resty.Request) error { return p.wait(r.Context()) })
	c.OnAfterResponse(func(_ *resty.Client, r *resty.Response) error {
		p.observe(r.Header())
		return nil
	})
	return c
}

// get reads path into out. found is false, with no error, for a 404.
func (a *API) get(ctx context.Context, path string, params url.Values, out any) (found bool, err error) {
	op := "GET " + path
	resp, err := a.http.R().SetContext(ctx).SetQueryParamsFromValues(params).Get(path)
	if err != nil {
		return false, requestError(ctx, op, resp, err)
	}
	switch s := resp.StatusCode(); {
	case s == http.StatusNotFound:
		return false, nil
	case s < 200 || s > 299:
		return false, fmt.Errorf("%s: %w", op, statusError(s, resp.Body()))
	}
	if err := json.Unmarshal(resp.Body(), out); err != nil {
		return false, fmt.Errorf("%s: invalid JSON from Zendesk: %w", op, err)
	}
	return true, nil
}

// requestError explains a request that got no usable answer: cancelled, a
// Retry-After longer than allowed, or Zendesk unreachable.
func requestError(ctx context.Context, op string, resp *resty.Response, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	if ra, ok := errors.AsType[*retryAfterError](err); ok && resp != nil {
		return fmt.Errorf("%s: %w", op, plusone.Errorf(plusone.EUNAVAILABLE,
			"Zendesk rate limit: HTTP %d asks to wait %s, longer than this client waits", resp.StatusCode(), ra.wait))
	}
	return fmt.Errorf("%s: %w: %w", op, plusone.Errorf(plusone.EUNAVAILABLE, "Zendesk cannot be reached"), err)
}

// statusError describes an error status once retries, if any, are spent.
func statusError(status int, body []byte) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return plusone.Errorf(plusone.EUNAUTHORIZED,
			"Zendesk refused the API credentials (HTTP %d); check PLUSONE_ZENDESK_EMAIL and PLUSONE_ZENDESK_API_TOKEN", status)
	case status == http.StatusTooManyRequests || status >= 500:
		return plusone.Errorf(plusone.EUNAVAILABLE, "Zendesk answered HTTP %d", status)
	}
	if msg := vendorMessage(body); msg != "" {
		return fmt.Errorf("zendesk answered HTTP %d: %s", status, msg)
	}
	return fmt.Errorf("zendesk answered HTTP %d", status)
}

// vendorMessage picks Zendesk's own explanation out of an error body:
// {"error": "...", "description": "..."}.
func vendorMessage(body []byte) string {
	var e struct {
		Error       json.RawMessage `json:"error"`
		Description string          `json:"description"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	var name string
	_ = json.Unmarshal(e.Error, &name)
	return clip(strings.TrimSpace(strings.Trim(name+": "+e.Description, ": ")))
}

// restyLogger sends resty's own messages to slog at debug level: they may
// name request URLs, which carry customers' emails.
type restyLogger struct{ log *slog.Logger }

func (l restyLogger) Errorf(format string, v ...any) { l.debug(format, v...) }
func (l restyLogger) Warnf(format string, v ...any)  { l.debug(format, v...) }
func (l restyLogger) Debugf(format string, v ...any) { l.debug(format, v...) }

func (l restyLogger) debug(format string, v ...any) {
	l.log.Debug("zendesk api", "detail", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
