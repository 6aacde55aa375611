package zendesk_test

import (
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
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

// fakeZendesk is a fake Zendesk account (account) whose requests
// historytest records and a test may answer itself.
type fakeZendesk struct {
	*historytest.Server
}

// newFakeZendesk starts a fake account; intercept, when set, may answer a
// request itself (returning true).
func newFakeZendesk(t *testing.T, intercept historytest.Intercept) *fakeZendesk {
	t.Helper()
	return &fakeZendesk{startFake(t, intercept)}
}

// startFake serves the fake account through historytest, which records its
// requests by kind, for the shared suite.
func startFake(t *testing.T, intercept historytest.Intercept) *historytest.Server {
	t.Helper()
	kind := func(r *http.Request, _ []byte) string {
		switch r.URL.Path {
		case searchPath, userPath:
			return historytest.Lookup
		case ticketsPath:
			return historytest.Page
		}
		return r.URL.Path
	}
	return historytest.NewServer(t, account{t}, kind, intercept)
}

// api returns a client of the fake, with short backoffs.
func (f *fakeZendesk) api(opts ...option.Option) *zendesk.API {
	return zendeskAPI(f, apiToken, opts...)
}

// requests returns the requests received for path, in order.
func (f *fakeZendesk) requests(path string) []historytest.Request { return f.Path(path) }

// count is the number of requests received in all.
func (f *fakeZendesk) count() int { return f.Count() }

// account serves testdata/history as Zendesk's API would, after checking
// the API token.
type account struct{ t *testing.T }

func (f account) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(apiEmail+"/token:"+apiToken))
	if r.Header.Get("Authorization") != want {
		historytest.WriteJSON(w, http.StatusUnauthorized, `{"error":"Couldn't authenticate you"}`)
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
	case p == agentPath: // Show User of the agent the ticket is assigned to
		historytest.WriteJSON(w, http.StatusOK, `{"user":{"id":`+agentID+`,"url":"https://tires.zendesk.com/api/v2/users/`+agentID+`.json",
			"name":"Sam Support","email":"sam@tires.example","role":"agent","active":true,"created_at":"2024-03-01T08:00:00Z"}}`)
	case p == "/api/v2/users/"+janeID+"/tickets/requested.json":
		switch r.URL.Query().Get("page[after]") {
		case "":
			f.serveFile(w, "tickets_page1.json")
		case cursorPage2:
			f.serveFile(w, "tickets_page2.json")
		case cursorPage3:
			f.serveFile(w, "tickets_page3.json")
		default:
			historytest.WriteJSON(w, http.StatusBadRequest, `{"error":"InvalidPaginationParameter"}`)
		}
	default:
		historytest.WriteJSON(w, http.StatusNotFound, `{"error":"RecordNotFound","description":"Not found"}`)
	}
}

func (f account) serveFile(w http.ResponseWriter, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", "history", name))
	if err != nil {
		f.t.Errorf("fixture: %v", err)
		historytest.WriteJSON(w, http.StatusInternalServerError, `{}`)
		return
	}
	w.Header().Set("X-Rate-Limit", "700")
	w.Header().Set("X-Rate-Limit-Remaining", "699")
	historytest.WriteJSON(w, http.StatusOK, string(b))
}

const (
	searchPath  = "/api/v2/users/search.json"
	userPath    = "/api/v2/users/" + janeID + ".json"
	ticketsPath = "/api/v2/users/" + janeID + "/tickets/requested.json"
	// agentID is the assignee_id of the event fixtures.
	agentID   = "8447388090495"
	agentPath = "/api/v2/users/" + agentID + ".json"
)

func isPath(r historytest.Request, path string) bool { return strings.EqualFold(r.Path, path) }

// zendeskAPI returns a client of the fake that signs in with token.
func zendeskAPI(f *fakeZendesk, token string, opts ...option.Option) *zendesk.API {
	base := []option.Option{option.WithLinkBase(links), option.WithRetryWait(10 * time.Millisecond)}
	return zendesk.NewAPI(f.URL, apiEmail, token, append(base, opts...)...)
}
