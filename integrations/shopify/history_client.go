package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
)

// maxResponseBytes bounds a response body; a page of orders is far smaller.
const maxResponseBytes = 16 << 20

// newRESTClient builds the resty client every query goes through: base URL,
// per-attempt timeout, no redirects, bounded retries on network errors, 5xx,
// 429 and THROTTLED that honour Retry-After and the query cost, and pacing
// by the cost budget Shopify reports.
func newRESTClient(cfg apiConfig, base string, b *budget) *resty.Client {
	hc := &http.Client{}
	if cfg.httpClient != nil {
		c := *cfg.httpClient // never change the caller's client
		hc = &c
	}
	hc.Timeout = cfg.timeout
	policy := cfg.retryPolicy()
	c := resty.NewWithClient(hc).
		SetBaseURL(base).
		SetHeader("Accept", "application/json").
		SetHeader("Content-Type", "application/json").
		SetLogger(restyLogger{cfg.log}).
		SetDisableWarn(true).
		// A redirect is answered as is: the access token never follows it.
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse })).
		SetResponseBodyLimit(maxResponseBytes).
		SetRetryCount(cfg.retries).
		SetRetryWaitTime(policy.base).
		// resty shortens any wait above this; it must not cut a Retry-After.
		SetRetryMaxWaitTime(max(policy.maxRetryAfter, policy.maxBackoff)).
		AddRetryCondition(retryable).
		SetRetryAfter(policy.delay)
	c.OnBeforeRequest(func(_ *resty.Client, r *resty.Request) error { return b.wait(r.Context()) })
	c.OnAfterResponse(func(_ *resty.Client, r *resty.Response) error {
		b.observe(costOf(r.Body()))
		return nil
	})
	return c
}

// gqlRequest is the body of a GraphQL POST.
type gqlRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// gqlResponse is a GraphQL answer: data, errors and, from Shopify, the
// query's cost. Errors may come with HTTP 200.
type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost *queryCost `json:"cost"`
	} `json:"extensions"`
}

type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

func (e gqlError) throttled() bool {
	return e.Extensions.Code == "THROTTLED" || strings.EqualFold(strings.TrimSpace(e.Message), "throttled")
}

// query runs a GraphQL query and decodes its data into out.
func (a *API) query(ctx context.Context, query string, vars map[string]any, out any) error {
	op := "POST " + a.endpoint
	resp, err := a.http.R().SetContext(ctx).SetBody(gqlRequest{Query: query, Variables: vars}).Post(a.endpoint)
	if err != nil {
		return requestError(ctx, op, resp, err)
	}
	if s := resp.StatusCode(); s < 200 || s > 299 {
		return fmt.Errorf("%s: %w", op, statusError(s))
	}
	var r gqlResponse
	if err := json.Unmarshal(resp.Body(), &r); err != nil {
		return fmt.Errorf("%s: invalid JSON from Shopify: %w", op, err)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%s: %w", op, graphQLError(r.Errors))
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		return fmt.Errorf("%s: unexpected data from Shopify: %w", op, err)
	}
	return nil
}

// requestError explains a query that got no usable answer: cancelled, a
// wait longer than allowed, or Shopify unreachable.
func requestError(ctx context.Context, op string, resp *resty.Response, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", op, ctx.Err())
	}
	if ra, ok := errors.AsType[*retryAfterError](err); ok && resp != nil {
		return fmt.Errorf("%s: %w", op, plusone.Errorf(plusone.EUNAVAILABLE,
			"Shopify rate limit: HTTP %d asks to wait %s, longer than this client waits", resp.StatusCode(), ra.wait))
	}
	return fmt.Errorf("%s: %w: %w", op, plusone.Errorf(plusone.EUNAVAILABLE, "Shopify cannot be reached"), err)
}

// statusError describes an error status once retries, if any, are spent.
func statusError(status int) error {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return plusone.Errorf(plusone.EUNAUTHORIZED,
			"Shopify refused the access token (HTTP %d); check PLUSONE_SHOPIFY_ACCESS_TOKEN and the app's scopes", status)
	case status == http.StatusNotFound:
		return fmt.Errorf("shopify answered HTTP 404: check PLUSONE_SHOPIFY_URL and the API version")
	case status == http.StatusTooManyRequests || status >= 500:
		return plusone.Errorf(plusone.EUNAVAILABLE, "Shopify answered HTTP %d", status)
	}
	return fmt.Errorf("shopify answered HTTP %d", status)
}

// graphQLError describes the errors of a GraphQL answer.
func graphQLError(errs []gqlError) error {
	msgs := make([]string, 0, len(errs))
	code := ""
	for _, e := range errs {
		if e.throttled() {
			return plusone.Errorf(plusone.EUNAVAILABLE, "Shopify throttled the query; retries are spent")
		}
		if code == "" {
			code = e.Extensions.Code
		}
		msgs = append(msgs, clip(strings.TrimSpace(e.Message)))
	}
	if code == "ACCESS_DENIED" {
		return plusone.Errorf(plusone.EUNAUTHORIZED,
			"Shopify denied access (%s); the app needs the read_customers and read_orders scopes", strings.Join(msgs, "; "))
	}
	return fmt.Errorf("shopify GraphQL errors: %s", strings.Join(msgs, "; "))
}

// throttledAnswer reads body as a GraphQL answer and reports whether Shopify
// throttled it, with the query's cost when it says.
func throttledAnswer(body []byte) (bool, *queryCost) {
	if !bytes.Contains(body, []byte("hrottled")) && !bytes.Contains(body, []byte("THROTTLED")) {
		return false, nil
	}
	var r gqlResponse
	if json.Unmarshal(body, &r) != nil {
		return false, nil
	}
	for _, e := range r.Errors {
		if e.throttled() {
			return true, r.Extensions.Cost
		}
	}
	return false, nil
}

// costOf reads the cost extension of a GraphQL answer, if any.
func costOf(body []byte) *queryCost {
	if !bytes.Contains(body, []byte(`"cost"`)) {
		return nil
	}
	var r gqlResponse
	if json.Unmarshal(body, &r) != nil {
		return nil
	}
	return r.Extensions.Cost
}

// clip keeps vendor messages quoted in errors short.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// restyLogger sends resty's own messages to slog at debug level: they may
// name request URLs.
type restyLogger struct{ log *slog.Logger }

func (l restyLogger) Errorf(format string, v ...any) { l.debug(format, v...) }
func (l restyLogger) Warnf(format string, v ...any)  { l.debug(format, v...) }
func (l restyLogger) Debugf(format string, v ...any) { l.debug(format, v...) }

func (l restyLogger) debug(format string, v ...any) {
	l.log.Debug("shopify api", "detail", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
