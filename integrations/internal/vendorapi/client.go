package vendorapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone/integrations/option"
)

// MaxResponseBytes bounds a response body; a page of a vendor's list is far
// smaller.
const MaxResponseBytes = 16 << 20

// Hooks are what a vendor adds to the shared client. Any may be nil.
type Hooks struct {
	// Before runs before each attempt, such as a Pacer's Wait; an error
	// ends the request.
	Before func(ctx context.Context) error
	// After sees each response, such as a Pacer reading rate-limit headers.
	After func(resp *resty.Response)
	// Retry is asked about answers that Retryable does not retry, such as
	// a GraphQL THROTTLED error that comes with HTTP 200.
	Retry func(resp *resty.Response) bool
	// Wait is the RetryPolicy's Hint: a wait the vendor asks for in its own
	// way.
	Wait func(resp *resty.Response, wait time.Duration, ok bool) (time.Duration, bool)
}

// Client is one vendor's REST API: a resty client with the shared timeout,
// redirect, retry and pacing rules, and the vendor's words for errors. It
// is safe for concurrent use.
type Client struct {
	http   *resty.Client
	vendor Vendor
}

// New returns a client of the API at baseURL (see CleanBaseURL). The
// caller adds authentication to Resty().
func New(cfg Config, baseURL string, v Vendor, h Hooks) *Client {
	policy := cfg.RetryPolicy()
	policy.Hint = h.Wait
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient // never change the caller's client
		hc = &c
	}
	hc.Timeout = cfg.Timeout
	log := cfg.Log
	if log == nil {
		log = DiscardLogger()
	}
	retry := Retryable
	if h.Retry != nil {
		retry = func(resp *resty.Response, err error) bool {
			return Retryable(resp, err) || err == nil && h.Retry(resp)
		}
	}
	r := resty.NewWithClient(hc).
		SetBaseURL(baseURL).
		SetHeader("Accept", "application/json").
		SetLogger(restyLogger{log: log, msg: strings.ToLower(v.Name) + " api"}).
		SetDisableWarn(true).
		// A redirect is answered as is: credentials never follow it.
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse })).
		SetResponseBodyLimit(MaxResponseBytes).
		SetRetryCount(cfg.Retries).
		SetRetryWaitTime(policy.Base).
		// resty shortens any wait above this; it must not cut a Retry-After.
		SetRetryMaxWaitTime(max(policy.MaxRetryAfter, policy.MaxBackoff)).
		AddRetryCondition(retry).
		SetRetryAfter(policy.Delay)
	if h.Before != nil {
		r.OnBeforeRequest(func(_ *resty.Client, req *resty.Request) error { return h.Before(req.Context()) })
	}
	if h.After != nil {
		r.OnAfterResponse(func(_ *resty.Client, resp *resty.Response) error {
			h.After(resp)
			return nil
		})
	}
	if cfg.Calls != nil {
		observe(r, strings.ToLower(v.Name), cfg.Calls)
	}
	return &Client{http: r, vendor: v}
}

// observe reports each attempt that got an answer, and each request that
// got none in the end (status 0), to calls.
func observe(r *resty.Client, vendor string, calls option.Calls) {
	r.OnAfterResponse(func(_ *resty.Client, resp *resty.Response) error {
		calls.APICall(vendor, resp.StatusCode(), resp.Time())
		return nil
	})
	r.OnError(func(req *resty.Request, err error) {
		if e, ok := errors.AsType[*resty.ResponseError](err); ok && e.Response != nil && e.Response.RawResponse != nil {
			return // answered: counted when the answer came
		}
		calls.APICall(vendor, 0, time.Since(req.Time))
	})
}

// Resty returns the underlying client, to set authentication and headers
// before the first request.
func (c *Client) Resty() *resty.Client { return c.http }

// Request starts a request bound to ctx, for calls Get and Post do not
// cover.
func (c *Client) Request(ctx context.Context) *resty.Request { return c.http.R().SetContext(ctx) }

// Get reads path with the query params into out. found is false, with no
// error, for a 404.
func (c *Client) Get(ctx context.Context, path string, params url.Values, out any) (found bool, err error) {
	_, found, err = c.Do(ctx, http.MethodGet, path, params, nil, out)
	return found, err
}

// Post sends body as JSON to path and reads the answer into out. found is
// false, with no error, for a 404.
func (c *Client) Post(ctx context.Context, path string, body, out any) (found bool, err error) {
	_, found, err = c.Do(ctx, http.MethodPost, path, nil, body, out)
	return found, err
}

// Do sends a request and reads a 2xx answer's JSON into out (unless out is
// nil), returning the answer's headers. found is false, with no error, for
// a 404. Errors name the method and path, never the query or credentials.
func (c *Client) Do(ctx context.Context, method, path string, params url.Values, body, out any) (h http.Header, found bool, err error) {
	op := method + " " + path
	req := c.Request(ctx).SetQueryParamsFromValues(params)
	if body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return nil, false, c.vendor.RequestError(ctx, op, resp, err)
	}
	switch s := resp.StatusCode(); {
	case s == http.StatusNotFound:
		return resp.Header(), false, nil
	case s < 200 || s > 299:
		return resp.Header(), false, fmt.Errorf("%s: %w", op, c.vendor.StatusError(s, resp.Body()))
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body(), out); err != nil {
			return resp.Header(), false, fmt.Errorf("%s: invalid JSON from %s: %w", op, c.vendor.Name, err)
		}
	}
	return resp.Header(), true, nil
}

// RequestError explains a request that got no usable answer, in the
// vendor's words (see Vendor.RequestError).
func (c *Client) RequestError(ctx context.Context, op string, resp *resty.Response, err error) error {
	return c.vendor.RequestError(ctx, op, resp, err)
}

// restyLogger sends resty's own messages to slog at debug level: they may
// name request URLs, which carry customers' emails.
type restyLogger struct {
	log *slog.Logger
	msg string
}

func (l restyLogger) Errorf(format string, v ...any) { l.debug(format, v...) }
func (l restyLogger) Warnf(format string, v ...any)  { l.debug(format, v...) }
func (l restyLogger) Debugf(format string, v ...any) { l.debug(format, v...) }

func (l restyLogger) debug(format string, v ...any) {
	l.log.Debug(l.msg, "detail", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
