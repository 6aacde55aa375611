package zendesk_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/integrations/zendesk"
)

// The fake account's credentials and its customer Jane.
const (
	apiEmail = "agent@tires.example"
	apiToken = "zd-api-token-0123456789abcdef"
	janeID   = "8447388090494"
	links    = "https://tires.zendesk.com"
)

// The cursors of the fixture pages 2 and 3.
const (
	cursorPage2 = "eyJvIjoiLXVwZGF0ZWRfYXQiLCJ2IjoiYVFFPSJ9-page2"
	cursorPage3 = "eyJvIjoiLXVwZGF0ZWRfYXQiLCJ2IjoiYVFJPSJ9-page3"
)

// apiRequest is a request as the fake Zendesk received it.
type apiRequest struct {
	at    time.Time
	path  string
	query url.Values
}

// fakeZendesk serves testdata/history as Zendesk's API would, after
// checking the API token, and records every request. intercept, when set,
// may answer a request itself (returning true); n counts the requests to the
// same path so far, this one included.
type fakeZendesk struct {
	t         *testing.T
	srv       *httptest.Server
	intercept func(w http.ResponseWriter, r *http.Request, n int) bool

	mu   sync.Mutex
	reqs []apiRequest
}

func newFakeZendesk(t *testing.T, intercept func(w http.ResponseWriter, r *http.Request, n int) bool) *fakeZendesk {
	t.Helper()
	f := &fakeZendesk{t: t, intercept: intercept}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// api returns a client of the fake, with short backoffs.
func (f *fakeZendesk) api(opts ...zendesk.APIOption) *zendesk.API {
	base := []zendesk.APIOption{zendesk.WithLinkBaseURL(links), zendesk.WithRetryWait(10 * time.Millisecond)}
	return zendesk.NewAPI(f.srv.URL, apiEmail, apiToken, append(base, opts...)...)
}

func (f *fakeZendesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.reqs = append(f.reqs, apiRequest{at: time.Now(), path: r.URL.Path, query: r.URL.Query()})
	n := 0
	for _, q := range f.reqs {
		if q.path == r.URL.Path {
			n++
		}
	}
	f.mu.Unlock()

	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(apiEmail+"/token:"+apiToken))
	if r.Header.Get("Authorization") != want {
		writeJSON(w, http.StatusUnauthorized, `{"error":"Couldn't authenticate you"}`)
		return
	}
	if f.intercept != nil && f.intercept(w, r, n) {
		return
	}
	switch p := r.URL.Path; {
	case p == "/api/v2/users/search.json":
		if r.URL.Query().Get("query") == "email:jane.doe@example.com" {
			f.serveFile(w, "users_search_jane.json")
		} else {
			f.serveFile(w, "users_search_empty.json")
		}
	case p == "/api/v2/users/"+janeID+".json":
		f.serveFile(w, "user_jane.json")
	case p == "/api/v2/users/"+janeID+"/tickets/requested.json":
		switch r.URL.Query().Get("page[after]") {
		case "":
			f.serveFile(w, "tickets_page1.json")
		case cursorPage2:
			f.serveFile(w, "tickets_page2.json")
		case cursorPage3:
			f.serveFile(w, "tickets_page3.json")
		default:
			writeJSON(w, http.StatusBadRequest, `{"error":"InvalidPaginationParameter"}`)
		}
	default:
		writeJSON(w, http.StatusNotFound, `{"error":"RecordNotFound","description":"Not found"}`)
	}
}

func (f *fakeZendesk) serveFile(w http.ResponseWriter, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", "history", name))
	if err != nil {
		f.t.Errorf("fixture: %v", err)
		writeJSON(w, http.StatusInternalServerError, `{}`)
		return
	}
	w.Header().Set("X-Rate-Limit", "700")
	w.Header().Set("X-Rate-Limit-Remaining", "699")
	writeJSON(w, http.StatusOK, string(b))
}

// requests returns the requests received for path, in order.
func (f *fakeZendesk) requests(path string) []apiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiRequest
	for _, q := range f.reqs {
		if q.path == path {
			out = append(out, q)
		}
	}
	return out
}

// count is the number of requests received in all.
func (f *fakeZendesk) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

const (
	searchPath  = "/api/v2/users/search.json"
	userPath    = "/api/v2/users/" + janeID + ".json"
	ticketsPath = "/api/v2/users/" + janeID + "/tickets/requested.json"
)

func isPath(r *http.Request, path string) bool { return strings.EqualFold(r.URL.Path, path) }

// zendeskAPI returns a client of the fake that signs in with token.
func zendeskAPI(f *fakeZendesk, token string, opts ...zendesk.APIOption) *zendesk.API {
	base := []zendesk.APIOption{zendesk.WithLinkBaseURL(links), zendesk.WithRetryWait(10 * time.Millisecond)}
	return zendesk.NewAPI(f.srv.URL, apiEmail, token, append(base, opts...)...)
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
