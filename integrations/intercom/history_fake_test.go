package intercom_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

// The fake workspace's access token, app id and customer Jane.
const (
	accessToken = "dG9rOjEyMzQ1Njc4OmFiY2RlZjAxMjM0NTY3ODk6MToxMjM0NTY3OA=="
	appID       = "a86dr8yl"
	janeID      = "6762f1571bb69f9f2193bbbb"
)

// The cursors of the fixture pages 2 and 3.
const (
	cursorPage2 = "WzE3MzQ3MDMyMDAwMDAsIjIxNTQ3Mzg1MzI5OTM0NSJd-page2"
	cursorPage3 = "WzE3Mjc3ODQwMDAwMDAsIjIxNTQ3Mzg1MzI5OTEwMCJd-page3"
)

// searchBody is a search request as the fake reads it.
type searchBody struct {
	Query struct {
		Field    string          `json:"field"`
		Operator string          `json:"operator"`
		Value    json.RawMessage `json:"value"`
	} `json:"query"`
	Pagination struct {
		PerPage       int    `json:"per_page"`
		StartingAfter string `json:"starting_after"`
	} `json:"pagination"`
	Sort struct {
		Field string `json:"field"`
		Order string `json:"order"`
	} `json:"sort"`
}

func readSearch(body []byte) searchBody {
	var s searchBody
	_ = json.Unmarshal(body, &s)
	return s
}

// fakeIntercom answers Intercom's API from testdata/history after checking
// the access token and the API version.
type fakeIntercom struct{ t *testing.T }

// kind sorts the fake's requests for historytest.
func kind(r *http.Request, _ []byte) string {
	switch {
	case strings.HasPrefix(r.URL.Path, "/contacts"):
		return historytest.Lookup
	case r.URL.Path == "/conversations/search":
		return historytest.Page
	}
	return strings.Trim(r.URL.Path, "/")
}

// newFake starts a fake Intercom; intercept, when set, may answer a request
// itself.
func newFake(t *testing.T, intercept historytest.Intercept) *historytest.Server {
	t.Helper()
	return historytest.NewServer(t, fakeIntercom{t}, kind, intercept)
}

// api returns a client of the fake s, with short backoffs.
func api(s *historytest.Server, opts ...option.Option) *intercom.API {
	return apiWithToken(s, accessToken, opts...)
}

func apiWithToken(s *historytest.Server, token string, opts ...option.Option) *intercom.API {
	base := []option.Option{option.WithRetryWait(10 * time.Millisecond)}
	return intercom.NewAPI(s.URL, token, append(base, opts...)...)
}

func (f fakeIntercom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+accessToken {
		historytest.WriteJSON(w, http.StatusUnauthorized, `{"type":"error.list","request_id":"r1","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}`)
		return
	}
	if v := r.Header.Get("Intercom-Version"); v != "2.14" {
		historytest.WriteJSON(w, http.StatusBadRequest, `{"type":"error.list","errors":[{"code":"intercom_version_invalid","message":"Requested version `+v+` is not valid"}]}`)
		return
	}
	body, _ := io.ReadAll(r.Body)
	switch p := r.URL.Path; {
	case r.Method == http.MethodGet && p == "/me":
		f.serveFile(w, "me.json")
	case r.Method == http.MethodGet && p == "/contacts/"+janeID:
		f.serveFile(w, "contact_jane.json")
	case r.Method == http.MethodPost && p == "/contacts/search":
		q := readSearch(body).Query
		if q.Field == "email" && q.Operator == "=" && string(q.Value) == `"jane.doe@example.com"` {
			f.serveFile(w, "contacts_search_jane.json")
		} else {
			f.serveFile(w, "contacts_search_empty.json")
		}
	case r.Method == http.MethodPost && p == "/conversations/search":
		f.serveConversations(w, readSearch(body))
	default:
		historytest.WriteJSON(w, http.StatusNotFound, `{"type":"error.list","errors":[{"code":"not_found","message":"Resource Not Found"}]}`)
	}
}

func (f fakeIntercom) serveConversations(w http.ResponseWriter, s searchBody) {
	switch s.Pagination.StartingAfter {
	case "":
		f.serveFile(w, "conversations_page1.json")
	case cursorPage2:
		f.serveFile(w, "conversations_page2.json")
	case cursorPage3:
		f.serveFile(w, "conversations_page3.json")
	default:
		historytest.WriteJSON(w, http.StatusBadRequest, `{"type":"error.list","errors":[{"code":"parameter_invalid","message":"Invalid starting_after"}]}`)
	}
}

func (f fakeIntercom) serveFile(w http.ResponseWriter, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", "history", name))
	if err != nil {
		f.t.Errorf("fixture: %v", err)
		historytest.WriteJSON(w, http.StatusInternalServerError, `{}`)
		return
	}
	w.Header().Set("X-RateLimit-Limit", "10000")
	w.Header().Set("X-RateLimit-Remaining", "9999")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(10*time.Second).Unix(), 10))
	historytest.WriteJSON(w, http.StatusOK, string(b))
}

// conversationQuery reads the filters of a conversation search: the
// contact condition and the created_at bound (0 when there is none).
func conversationQuery(t *testing.T, r historytest.Request) (contacts json.RawMessage, operator string, since int64) {
	t.Helper()
	var q struct {
		Query struct {
			Field    string          `json:"field"`
			Operator string          `json:"operator"`
			Value    json.RawMessage `json:"value"`
		} `json:"query"`
	}
	if err := json.Unmarshal(r.Body, &q); err != nil {
		t.Fatalf("search body %s: %v", r.Body, err)
	}
	if q.Query.Operator != "AND" {
		return q.Query.Value, q.Query.Operator, 0
	}
	var group []struct {
		Field    string          `json:"field"`
		Operator string          `json:"operator"`
		Value    json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(q.Query.Value, &group); err != nil || len(group) != 2 {
		t.Fatalf("search group %s: %v", q.Query.Value, err)
	}
	if group[1].Field != "created_at" || group[1].Operator != ">" {
		t.Errorf("second condition = %+v, want created_at >", group[1])
	}
	since, _ = strconv.ParseInt(string(group[1].Value), 10, 64)
	return group[0].Value, group[0].Operator, since
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
