package helpscout_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/helpscout"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

// The fake Help Scout app's id and secret, and the access token it issues.
const (
	appID       = "hs-app-id"
	appSecret   = "hs-app-secret-0123456789"
	accessToken = "hs-access-token"
)

// fakeHelpScout answers the Mailbox API from testdata/history: an access
// token for the app's client credentials, and Jane's conversations in
// three pages of two.
type fakeHelpScout struct{ t *testing.T }

// kind sorts the fake's requests for historytest: the token request is
// what comes before her history, as a look-up does elsewhere.
func kind(r *http.Request, _ []byte) string {
	switch r.URL.Path {
	case "/v2/oauth2/token":
		return historytest.Lookup
	case "/v2/conversations":
		return historytest.Page
	}
	return r.URL.Path
}

func newFake(t *testing.T, intercept historytest.Intercept) *historytest.Server {
	t.Helper()
	return historytest.NewServer(t, fakeHelpScout{t}, kind, intercept)
}

func (f fakeHelpScout) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v2/oauth2/token" {
		_ = r.ParseForm()
		if r.Method != http.MethodPost || r.PostForm.Get("grant_type") != "client_credentials" ||
			r.PostForm.Get("client_id") != appID || r.PostForm.Get("client_secret") != appSecret {
			historytest.WriteJSON(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Bad client credentials"}`)
			return
		}
		historytest.WriteJSON(w, http.StatusOK, `{"token_type":"bearer","access_token":"`+accessToken+`","expires_in":172800}`)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+accessToken {
		historytest.WriteJSON(w, http.StatusUnauthorized, `{"error":"invalid_token"}`)
		return
	}
	q := r.URL.Query()
	switch {
	case r.URL.Path == "/users/me" || r.URL.Path == "/v2/users/me":
		historytest.WriteJSON(w, http.StatusOK, `{"id":4001,"firstName":"Ana","lastName":"Agent","email":"ana@acme.example"}`)
	case r.URL.Path == "/v2/conversations" && q.Get("query") == `(email:"jane.doe@example.com")` && q.Get("status") == "all":
		f.serveFile(w, "conversations_page"+q.Get("page")+".json")
	case r.URL.Path == "/v2/conversations":
		f.serveFile(w, "conversations_empty.json")
	default:
		historytest.WriteJSON(w, http.StatusNotFound, `{"message":"Not found"}`)
	}
}

func (f fakeHelpScout) serveFile(w http.ResponseWriter, name string) {
	b, err := os.ReadFile(filepath.Join("testdata", "history", name))
	if err != nil {
		b, _ = os.ReadFile(filepath.Join("testdata", "history", "conversations_empty.json"))
	}
	w.Header().Set("X-RateLimit-Limit-Minute", "400")
	w.Header().Set("X-RateLimit-Remaining-Minute", "399")
	historytest.WriteJSON(w, http.StatusOK, string(b))
}

func newAPI(url, secret string, o historytest.Options) *helpscout.API {
	return helpscout.NewAPI(url, appID, secret, option.WithRetryWait(10*time.Millisecond),
		option.WithRetries(o.Retries), option.WithTimeout(o.Timeout))
}

// janeHistory is every conversation of the fixtures, newest first.
func janeHistory() []plusone.Event {
	jane := plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", ExternalID: "472611182"}
	created := func(id, number, status, subject, at, thread, text string, tags ...string) plusone.Event {
		if tags == nil {
			tags = []string{}
		}
		return plusone.Event{ID: "history:conversation:" + id, Type: plusone.EventTicketCreated, OccurredAt: eventtest.At(at), Customer: jane,
			Ticket: &plusone.Ticket{ID: id, Subject: subject, URL: "https://secure.helpscout.net/conversation/" + id + "/" + number,
				Status: status, Tags: tags, Channel: "email"},
			Message: &plusone.Message{ID: "thread:" + thread, Text: text, Author: "Jane Doe", FromCustomer: true}}
	}
	return []plusone.Event{
		created("2391940005", "355", "open", "Can you rotate my winter tires?", "2025-03-02T09:15:00Z", "40005", "Next week if you can.", "service"),
		created("2391938111", "349", "closed", "Where is my order #1001?", "2025-01-08T10:12:07Z", "38111",
			"Hi,\nmy winter tires (order #1001) haven't arrived yet. The tracking page shows nothing since Monday.\n\nJane", "shipping", "late delivery"),
		created("2391930042", "340", "pending", "Return label", "2024-12-20T14:00:00Z", "30042", "I need a return label.", "returns"),
		created("2391920001", "331", "closed", "Wrong tire size delivered", "2024-10-01T12:00:00Z", "20001", "Wrong size."),
		created("2391910000", "320", "spam", "Do you ship to Canada?", "2024-09-01T07:30:00Z", "10000", "Do you ship to Canada?"),
	}
}

// TestHistorySuite runs the tests every History client passes. The token
// request stands where other vendors look the customer up.
func TestHistorySuite(t *testing.T) {
	t.Parallel()
	historytest.Run(t, historytest.Vendor{
		Source: plusone.SourceHelpScout,
		Start:  newFake,
		API: func(url, secret string, o historytest.Options) plusone.History {
			return newAPI(url, secret, o)
		},
		Token:       appSecret,
		Query:       plusone.HistoryQuery{Email: "Jane.Doe@example.com"},
		Want:        janeHistory,
		Pages:       3,
		Since:       eventtest.At("2024-12-15T00:00:00Z"), // page 2 ends with a conversation created before it
		SinceEvents: 3,
		SincePages:  2,
		Limit:       2,
		// Help Scout's page size is fixed; the fake's is 2.
		PageSize: func(historytest.Request) string { return "2" },
		Unknown: []historytest.Unknown{
			{Name: "unknown email", Query: plusone.HistoryQuery{Email: "nobody@example.com"}, Requests: 2},
			{Name: "only a customer id", Query: plusone.HistoryQuery{ExternalID: "472611182"}},
			{Name: "a quote in the email", Query: plusone.HistoryQuery{Email: `a"b@example.com`}},
			{Name: "nobody"},
		},
		ErrorBody:   `{"message":"Not today","_embedded":{"errors":[{"path":"query","message":"try later"}]}}`,
		RateLimited: http.Header{"X-Ratelimit-Limit-Minute": {"400"}, "X-Ratelimit-Remaining-Minute": {"0"}},
	})
}

// TestHistoryQuery checks the search: her email in Help Scout's query
// syntax, every status, threads embedded, newest first; and one token for
// every request.
func TestHistoryQuery(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	if _, err := newAPI(s.URL, appSecret, historytest.Options{Retries: -1}).History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"}); err != nil {
		t.Fatal(err)
	}
	want := url.Values{"query": {`(email:"jane.doe@example.com")`}, "status": {"all"}, "embed": {"threads"},
		"sortField": {"createdAt"}, "sortOrder": {"desc"}, "page": {"1"}}
	if got := s.Requests(historytest.Page)[0].Query; got.Encode() != want.Encode() {
		t.Errorf("query = %v, want %v", got, want)
	}
	if n := len(s.Requests(historytest.Lookup)); n != 1 {
		t.Errorf("%d token requests, want 1 kept for the three pages", n)
	}
}

// TestCheck: Check fetches a token and reads /v2/users/me; refused
// credentials name the app's variables.
func TestCheck(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	if err := newAPI(s.URL, appSecret, historytest.Options{Retries: 0}).Check(t.Context()); err != nil {
		t.Errorf("Check: %v", err)
	}
	if r := s.Path("/v2/users/me"); len(r) != 1 {
		t.Errorf("read /v2/users/me %d times, want once", len(r))
	}
	err := newAPI(s.URL, "wrong", historytest.Options{Retries: 0}).Check(t.Context())
	if err == nil || !strings.Contains(err.Error(), "PLUSONE_HELPSCOUT_APP_SECRET") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("Check with a wrong secret: %v, want an error naming PLUSONE_HELPSCOUT_APP_SECRET", err)
	}
}

// TestHistoryWaitsOutHelpScoutsRetryAfter: a 429 that says when to come
// back only in X-RateLimit-Retry-After is waited out all the same.
func TestHistoryWaitsOutHelpScoutsRetryAfter(t *testing.T) {
	t.Parallel()
	var sent historytest.Stamp
	s := newFake(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind != historytest.Page || n > 1 {
			return false
		}
		w.Header().Set("X-RateLimit-Retry-After", "1")
		sent.Set()
		historytest.WriteJSON(w, http.StatusTooManyRequests, `{"message":"Too many requests"}`)
		return true
	})
	got, err := newAPI(s.URL, appSecret, historytest.Options{Retries: -1}).History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	eventtest.AssertEvents(t, plusone.SourceHelpScout, got, janeHistory())
	if gap := s.Requests(historytest.Page)[1].At.Sub(sent.Get()); gap < time.Second {
		t.Errorf("retry arrived %v after the 429; X-RateLimit-Retry-After asked for 1s", gap)
	}
}
