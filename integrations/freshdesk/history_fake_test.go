package freshdesk_test

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

// The fake helpdesk's API key, its ticket links and its customer Jane.
const (
	apiKey = "fdAPIkey0123456789ab"
	links  = "https://tiresco.freshdesk.com"
	janeID = "80012345678"
)

// fakeFreshdesk answers Freshdesk's API from testdata/history after
// checking the API key, with a Link header to the next of three pages.
type fakeFreshdesk struct{ t *testing.T }

// kind sorts the fake's requests for historytest.
func kind(r *http.Request, _ []byte) string {
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/v2/contacts"):
		return historytest.Lookup
	case r.URL.Path == "/api/v2/tickets":
		return historytest.Page
	}
	return r.URL.Path
}

// newFake starts a fake Freshdesk; intercept, when set, may answer a
// request itself.
func newFake(t *testing.T, intercept historytest.Intercept) *historytest.Server {
	t.Helper()
	return historytest.NewServer(t, fakeFreshdesk{t}, kind, intercept)
}

// api returns a client of the fake s, linking tickets on the webhook tests'
// domain, with short backoffs.
func api(s *historytest.Server, opts ...option.Option) *freshdesk.API {
	return apiWithKey(s, apiKey, opts...)
}

func apiWithKey(s *historytest.Server, key string, opts ...option.Option) *freshdesk.API {
	base := []option.Option{option.WithLinkBase(links), option.WithRetryWait(10 * time.Millisecond)}
	return freshdesk.NewAPI(s.URL, key, append(base, opts...)...)
}

func (f fakeFreshdesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Basic "+base64.StdEncoding.EncodeToString([]byte(apiKey+":X")) {
		historytest.WriteJSON(w, http.StatusUnauthorized, `{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}`)
		return
	}
	q := r.URL.Query()
	switch p := r.URL.Path; {
	case p == "/api/v2/contacts":
		if q.Get("email") == "jane.doe@example.com" {
			f.serveFile(w, "contacts_jane.json", "")
		} else {
			f.serveFile(w, "contacts_empty.json", "")
		}
	case p == "/api/v2/contacts/"+janeID:
		f.serveFile(w, "contact_jane.json", "")
	case p == "/api/v2/tickets" && q.Get("requester_id") == janeID:
		switch q.Get("page") {
		case "1":
			f.serveFile(w, "tickets_page1.json", "2")
		case "2":
			f.serveFile(w, "tickets_page2.json", "3")
		case "3":
			f.serveFile(w, "tickets_page3.json", "")
		default:
			historytest.WriteJSON(w, http.StatusOK, `[]`)
		}
	case p == "/api/v2/tickets":
		historytest.WriteJSON(w, http.StatusOK, `[]`)
	default:
		historytest.WriteJSON(w, http.StatusNotFound, `{"code":"not_found","message":"Record not found"}`)
	}
}

// serveFile answers with a fixture, and a Link header to page next when it
// is not "". The link names another host: only its page number counts.
func (f fakeFreshdesk) serveFile(w http.ResponseWriter, name, next string) {
	b, err := os.ReadFile(filepath.Join("testdata", "history", name))
	if err != nil {
		f.t.Errorf("fixture: %v", err)
		historytest.WriteJSON(w, http.StatusInternalServerError, `{}`)
		return
	}
	if next != "" {
		w.Header().Set("Link", `<https://tiresco.freshdesk.com/api/v2/tickets?page=`+next+`&per_page=100&requester_id=`+janeID+`>; rel="next"`)
	}
	w.Header().Set("X-RateLimit-Total", "400")
	w.Header().Set("X-RateLimit-Remaining", "399")
	w.Header().Set("X-RateLimit-Used-CurrentRequest", "1")
	historytest.WriteJSON(w, http.StatusOK, string(b))
}

// history runs a back-fill of the fake with the default client.
func history(t *testing.T, s *historytest.Server, q plusone.HistoryQuery) []plusone.Event {
	t.Helper()
	got, err := api(s).History(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
