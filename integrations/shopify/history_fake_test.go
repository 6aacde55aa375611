package shopify_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/integrations/shopify"
)

// The fake shop's access token and its customer Jane.
const (
	accessToken = "shpat_0123456789abcdef0123456789abcdef"
	janeGID     = "gid://shopify/Customer/6147919642668"
	graphQLPath = "/admin/api/" + shopify.DefaultAPIVersion + "/graphql.json"
)

// The end cursors of the fixture pages 1 and 2.
const (
	cursorPage2 = "eyJsYXN0X2lkIjo1OTQwMTM5NDkxMzUwLCJsYXN0X3ZhbHVlIjoiMjAyNC0xMi0yMCAxMjowMDowMC4wMDAwMDAifQ=="
	cursorPage3 = "eyJsYXN0X2lkIjo1OTQwMTM5NDkxMTAwLCJsYXN0X3ZhbHVlIjoiMjAyNC0xMC0wNSAwOTowMDowMC4wMDAwMDAifQ=="
)

// gqlCall is a GraphQL request as the fake shop received it.
type gqlCall struct {
	at        time.Time
	kind      string // "search", "orders" or "other"
	variables map[string]any
}

// fakeShop answers the GraphQL Admin API from testdata/history after
// checking the access token, and records every query. intercept, when set,
// may answer a query itself (returning true); n counts the queries of the
// same kind so far, this one included.
type fakeShop struct {
	t         *testing.T
	srv       *httptest.Server
	intercept func(w http.ResponseWriter, c gqlCall, n int) bool

	mu    sync.Mutex
	calls []gqlCall
}

func newFakeShop(t *testing.T, intercept func(w http.ResponseWriter, c gqlCall, n int) bool) *fakeShop {
	t.Helper()
	f := &fakeShop{t: t, intercept: intercept}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// api returns a client of the fake, linking orders on the webhook tests'
// shop domain, with short backoffs.
func (f *fakeShop) api(opts ...shopify.APIOption) *shopify.API {
	return f.apiWithToken(accessToken, opts...)
}

func (f *fakeShop) apiWithToken(token string, opts ...shopify.APIOption) *shopify.API {
	base := []shopify.APIOption{shopify.WithShopDomain(shop), shopify.WithRetryWait(10 * time.Millisecond)}
	return shopify.NewAPI(f.srv.URL, token, append(base, opts...)...)
}

func (f *fakeShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	c := gqlCall{at: time.Now(), kind: "other", variables: body.Variables}
	switch {
	case strings.Contains(body.Query, "customers("):
		c.kind = "search"
	case strings.Contains(body.Query, "customer(id:"):
		c.kind = "orders"
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	n := 0
	for _, p := range f.calls {
		if p.kind == c.kind {
			n++
		}
	}
	f.mu.Unlock()

	switch {
	case r.Method != http.MethodPost || r.URL.Path != graphQLPath:
		writeJSON(w, http.StatusNotFound, `{"errors":"Not Found"}`)
		return
	case r.Header.Get("X-Shopify-Access-Token") != accessToken:
		writeJSON(w, http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		return
	}
	if f.intercept != nil && f.intercept(w, c, n) {
		return
	}
	switch c.kind {
	case "search":
		if c.variables["query"] == "email:jane.doe@example.com" {
			f.serveFile(w, "customers_search_jane.json")
		} else {
			f.serveFile(w, "customers_search_empty.json")
		}
	case "orders":
		if c.variables["id"] != janeGID {
			f.serveFile(w, "customer_null.json")
			return
		}
		switch c.variables["after"] {
		case nil:
			f.serveFile(w, "orders_page1.json")
		case cursorPage2:
			f.serveFile(w, "orders_page2.json")
		case cursorPage3:
			f.serveFile(w, "orders_page3.json")
		default:
			writeJSON(w, http.StatusOK, `{"errors":[{"message":"Invalid cursor for current pagination sort."}]}`)
		}
	default:
		writeJSON(w, http.StatusOK, `{"errors":[{"message":"unexpected query"}]}`)
	}
}

func (f *fakeShop) serveFile(w http.ResponseWriter, name string) {
	writeJSON(w, http.StatusOK, fixture(f.t, name))
}

// queries returns the queries of kind received, in order.
func (f *fakeShop) queries(kind string) []gqlCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []gqlCall
	for _, c := range f.calls {
		if c.kind == kind {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeShop) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func fixture(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "history", name))
	if err != nil {
		t.Errorf("fixture: %v", err)
	}
	return string(b)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// stamp is a time a fake's handler records and the test reads.
type stamp struct {
	mu sync.Mutex
	t  time.Time
}

func (s *stamp) set() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.t = time.Now()
}

func (s *stamp) get() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t
}

// hangUp drops the connection without an answer: a network error.
func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_ = conn.Close()
}
