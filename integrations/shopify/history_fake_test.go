package shopify_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
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

// callOf reads a recorded request as a GraphQL call.
func callOf(r historytest.Request) gqlCall {
	var body struct {
		Variables map[string]any `json:"variables"`
	}
	_ = json.Unmarshal(r.Body, &body)
	c := gqlCall{at: r.At, kind: "other", variables: body.Variables}
	switch r.Kind {
	case historytest.Lookup:
		c.kind = "search"
	case historytest.Page:
		c.kind = "orders"
	}
	return c
}

// fakeShop is a fake shop (shopAdmin) whose queries historytest records and
// a test may answer itself.
type fakeShop struct {
	*historytest.Server
}

// newFakeShop starts a fake shop; intercept, when set, may answer a query
// itself (returning true); n counts the queries of the same kind so far,
// this one included.
func newFakeShop(t *testing.T, intercept func(w http.ResponseWriter, c gqlCall, n int) bool) *fakeShop {
	t.Helper()
	var hook historytest.Intercept
	if intercept != nil {
		hook = func(w http.ResponseWriter, r historytest.Request, n int) bool { return intercept(w, callOf(r), n) }
	}
	return &fakeShop{startFake(t, hook)}
}

// startFake serves the fake shop through historytest, which records its
// queries by kind, for the shared suite.
func startFake(t *testing.T, intercept historytest.Intercept) *historytest.Server {
	t.Helper()
	kind := func(_ *http.Request, body []byte) string {
		switch {
		case bytes.Contains(body, []byte("customers(")):
			return historytest.Lookup
		case bytes.Contains(body, []byte("customer(id:")):
			return historytest.Page
		}
		return "other"
	}
	return historytest.NewServer(t, shopAdmin{t}, kind, intercept)
}

// api returns a client of the fake, linking orders on the webhook tests'
// shop domain, with short backoffs.
func (f *fakeShop) api(opts ...option.Option) *shopify.API {
	return f.apiWithToken(accessToken, opts...)
}

func (f *fakeShop) apiWithToken(token string, opts ...option.Option) *shopify.API {
	base := []option.Option{option.WithLinkBase(shop), option.WithRetryWait(10 * time.Millisecond)}
	return shopify.NewAPI(f.URL, token, append(base, opts...)...)
}

// queries returns the queries of kind ("search", "orders") received, in
// order.
func (f *fakeShop) queries(kind string) []gqlCall {
	recorded := map[string]string{"search": historytest.Lookup, "orders": historytest.Page}[kind]
	var out []gqlCall
	for _, r := range f.Requests(recorded) {
		out = append(out, callOf(r))
	}
	return out
}

func (f *fakeShop) count() int { return f.Count() }

// shopAdmin answers the GraphQL Admin API from testdata/history after
// checking the access token.
type shopAdmin struct{ t *testing.T }

func (f shopAdmin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	switch {
	case r.Method != http.MethodPost || r.URL.Path != graphQLPath:
		historytest.WriteJSON(w, http.StatusNotFound, `{"errors":"Not Found"}`)
		return
	case r.Header.Get("X-Shopify-Access-Token") != accessToken:
		historytest.WriteJSON(w, http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
		return
	}
	v := body.Variables
	switch {
	case strings.Contains(body.Query, "customers("):
		if v["query"] == "email:jane.doe@example.com" {
			f.serveFile(w, "customers_search_jane.json")
		} else {
			f.serveFile(w, "customers_search_empty.json")
		}
	case strings.Contains(body.Query, "customer(id:"):
		if v["id"] != janeGID {
			f.serveFile(w, "customer_null.json")
			return
		}
		switch v["after"] {
		case nil:
			f.serveFile(w, "orders_page1.json")
		case cursorPage2:
			f.serveFile(w, "orders_page2.json")
		case cursorPage3:
			f.serveFile(w, "orders_page3.json")
		default:
			historytest.WriteJSON(w, http.StatusOK, `{"errors":[{"message":"Invalid cursor for current pagination sort."}]}`)
		}
	default:
		historytest.WriteJSON(w, http.StatusOK, `{"errors":[{"message":"unexpected query"}]}`)
	}
}

func (f shopAdmin) serveFile(w http.ResponseWriter, name string) {
	historytest.WriteJSON(w, http.StatusOK, fixture(f.t, name))
}

func fixture(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "history", name))
	if err != nil {
		t.Errorf("fixture: %v", err)
	}
	return string(b)
}
