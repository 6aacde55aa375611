package vendorapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/option"
)

const token = "secret-token-0123456789"

// testVendor is what errors say about the fake API.
func testVendor() Vendor {
	return Vendor{
		Name:    "Acme",
		Refused: "Acme refused the token (HTTP %d); check PLUSONE_ACME_TOKEN",
		Detail: func(body []byte) string {
			var e struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal(body, &e)
			return e.Message
		},
	}
}

// newTestClient returns a client of handler with short backoffs.
func newTestClient(t *testing.T, handler http.HandlerFunc, h Hooks, opts ...option.Option) *Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	cfg := DefaultConfig()
	option.Apply(&cfg.Settings, append([]option.Option{option.WithRetryWait(10 * time.Millisecond)}, opts...))
	c := New(cfg, CleanBaseURL(srv.URL+"/"), testVendor(), h)
	c.Resty().SetAuthToken(token)
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func TestClientAnswers(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("Accept") != "application/json" {
			writeJSON(w, http.StatusUnauthorized, `{"message":"who are you?"}`)
			return
		}
		switch r.URL.Path {
		case "/ok":
			writeJSON(w, http.StatusOK, `{"q":"`+r.URL.Query().Get("q")+`"}`)
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
				writeJSON(w, http.StatusBadRequest, `{"message":"post JSON"}`)
				return
			}
			writeJSON(w, http.StatusOK, string(b))
		case "/bad":
			writeJSON(w, http.StatusUnprocessableEntity, `{"message":"field x is wrong"}`)
		case "/refused":
			writeJSON(w, http.StatusForbidden, `{}`)
		case "/broken":
			writeJSON(w, http.StatusOK, `{"q":`)
		case "/moved":
			http.Redirect(w, r, "https://elsewhere.example/steal", http.StatusFound)
		default:
			writeJSON(w, http.StatusNotFound, `{}`)
		}
	}, Hooks{})
	ctx := t.Context()

	var got struct{ Q string }
	if found, err := c.Get(ctx, "/ok", map[string][]string{"q": {"jane@example.com"}}, &got); !found || err != nil || got.Q != "jane@example.com" {
		t.Errorf("Get /ok = %v, %v, %+v", found, err, got)
	}
	var echo map[string]string
	if found, err := c.Post(ctx, "/echo", map[string]string{"a": "b"}, &echo); !found || err != nil || echo["a"] != "b" {
		t.Errorf("Post /echo = %v, %v, %v", found, err, echo)
	}
	if found, err := c.Get(ctx, "/missing", nil, nil); found || err != nil {
		t.Errorf("Get of a 404 = %v, %v; want not found and no error", found, err)
	}
	tests := []struct {
		path, code, msg string
	}{
		{"/bad", plusone.EINTERNAL, "GET /bad: acme answered HTTP 422: field x is wrong"},
		{"/refused", plusone.EUNAUTHORIZED, "Acme refused the token (HTTP 403); check PLUSONE_ACME_TOKEN"},
		{"/broken", plusone.EINTERNAL, "GET /broken: invalid JSON from Acme"},
		{"/moved", plusone.EINTERNAL, "GET /moved: acme answered HTTP 302"},
	}
	for _, tt := range tests {
		_, err := c.Get(ctx, tt.path, nil, &got)
		if code := plusone.ErrorCode(err); code != tt.code || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Get %s = %v (code %q); want code %q and %q", tt.path, err, code, tt.code, tt.msg)
		}
		if err != nil && strings.Contains(err.Error(), token) {
			t.Errorf("error shows the token: %v", err)
		}
	}
	if n := attempts.Load(); n != 7 {
		t.Errorf("made %d requests, want 7: nothing above is retried", n)
	}
}

func TestClientRetries(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		times []time.Time
	)
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		n := len(times)
		mu.Unlock()
		switch n {
		case 1:
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusTooManyRequests, `{}`)
		case 2:
			writeJSON(w, http.StatusBadGateway, `<html>`)
		case 3:
			writeJSON(w, http.StatusOK, `{"throttled":true}`)
		default:
			writeJSON(w, http.StatusOK, `{}`)
		}
	}, Hooks{Retry: func(r *resty.Response) bool { return strings.Contains(string(r.Body()), "throttled") }})
	if _, err := c.Get(t.Context(), "/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(times) != 4 {
		t.Fatalf("made %d attempts, want 4", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("the retry came %v after the 429; Retry-After asked for 1s", gap)
	}
}

func TestClientGivesUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retryAfter string
		attempts   int32
	}{
		{"server errors", http.StatusServiceUnavailable, "", 3},
		{"retry after too long", http.StatusTooManyRequests, "3600", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var attempts atomic.Int32
			c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				attempts.Add(1)
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				writeJSON(w, tt.status, `{}`)
			}, Hooks{}, option.WithRetries(2))
			_, err := c.Get(t.Context(), "/x", nil, nil)
			if code := plusone.ErrorCode(err); code != plusone.EUNAVAILABLE {
				t.Errorf("error %v has code %q, want %q", err, code, plusone.EUNAVAILABLE)
			}
			if n := attempts.Load(); n != tt.attempts {
				t.Errorf("made %d attempts, want %d", n, tt.attempts)
			}
		})
	}
}

func TestClientUnreachableAndCancelled(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	cfg := DefaultConfig()
	option.WithRetries(1)(&cfg.Settings)
	option.WithRetryWait(time.Millisecond)(&cfg.Settings)
	c := New(cfg, base, testVendor(), Hooks{})
	_, err := c.Get(t.Context(), "/x", nil, nil)
	if code := plusone.ErrorCode(err); code != plusone.EUNAVAILABLE || !strings.Contains(err.Error(), "Acme cannot be reached") {
		t.Errorf("error = %v (code %q), want Acme cannot be reached", err, code)
	}

	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	slow := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hold:
		case <-r.Context().Done():
		}
	}, Hooks{})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := slow.Get(ctx, "/x", nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestClientHooksAndTimeout(t *testing.T) {
	t.Parallel()
	var before, after atomic.Int32
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(200 * time.Millisecond)
		}
		writeJSON(w, http.StatusOK, `{}`)
	}, Hooks{
		Before: func(ctx context.Context) error { before.Add(1); return ctx.Err() },
		After:  func(*resty.Response) { after.Add(1) },
	}, option.WithTimeout(50*time.Millisecond), option.WithRetries(1))
	if _, err := c.Get(t.Context(), "/fast", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(t.Context(), "/slow", nil, nil); plusone.ErrorCode(err) != plusone.EUNAVAILABLE {
		t.Errorf("a request slower than the timeout = %v, want EUNAVAILABLE", err)
	}
	if b, a := before.Load(), after.Load(); b != 3 || a != 1 {
		t.Errorf("Before ran %d times and After %d, want 3 and 1", b, a)
	}
}

func TestWithHTTPClientCopies(t *testing.T) {
	t.Parallel()
	mine := &http.Client{Timeout: time.Hour}
	cfg := DefaultConfig()
	option.WithHTTPClient(mine)(&cfg.Settings)
	option.WithHTTPClient(nil)(&cfg.Settings)
	option.WithTimeout(time.Second)(&cfg.Settings)
	option.WithTimeout(-1)(&cfg.Settings)
	option.WithRetries(-1)(&cfg.Settings)
	option.WithLogger(nil)(&cfg.Settings)
	option.WithClock(nil)(&cfg.Settings)
	c := New(cfg, "http://127.0.0.1:1", testVendor(), Hooks{})
	if mine.Timeout != time.Hour || mine.CheckRedirect != nil {
		t.Errorf("the caller's client was changed: %+v", mine)
	}
	if got := c.Resty().GetClient(); got == mine || got.Timeout != time.Second {
		t.Errorf("client = %p with timeout %v, want a copy with 1s", got, got.Timeout)
	}
	if cfg.Retries != DefaultRetries || cfg.Log == nil || cfg.Now == nil {
		t.Errorf("invalid options changed the config: %+v", cfg)
	}
}

// calls records what a client reports through option.WithCalls.
type calls struct {
	mu  sync.Mutex
	got []string
}

func (c *calls) APICall(vendor string, status int, took time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if took < 0 {
		status = -1
	}
	c.got = append(c.got, fmt.Sprintf("%s %d", vendor, status))
}

func (c *calls) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.got...)
}

// Every attempt that got an answer is reported with its status (a 503
// retried, then the 200), and a request that got none with status 0.
func TestClientReportsCalls(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	rec := &calls{}
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if attempts.Add(1) == 1 {
			writeJSON(w, http.StatusServiceUnavailable, `{}`)
			return
		}
		writeJSON(w, http.StatusOK, `{}`)
	}, Hooks{}, option.WithCalls(rec))
	if _, err := c.Get(context.Background(), "/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := rec.list(); strings.Join(got, ",") != "acme 503,acme 200" {
		t.Errorf("reported %q, want a 503 then a 200", got)
	}

	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	rec = &calls{}
	cfg := DefaultConfig()
	option.Apply(&cfg.Settings, []option.Option{option.WithRetries(0), option.WithCalls(rec)})
	d := New(cfg, CleanBaseURL(dead.URL+"/"), testVendor(), Hooks{})
	if _, err := d.Get(context.Background(), "/x", nil, nil); err == nil {
		t.Fatal("a closed server answered")
	}
	if got := rec.list(); strings.Join(got, ",") != "acme 0" {
		t.Errorf("reported %q, want one call without an answer", got)
	}
}
