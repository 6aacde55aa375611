package intercom_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

// jane is the customer of the fixtures, as the conversations name her and
// her contact completes her.
var jane = plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100",
	ExternalID: janeID, Since: unix(1730534400)}

func link(id string) string {
	return "https://app.intercom.com/a/inbox/" + appID + "/inbox/shared/all/conversation/" + id
}

// janeHistory is every event of the fixtures, newest first.
func janeHistory() []plusone.Event {
	a := &plusone.Ticket{ID: "215473853299900", Subject: "Tire rotation", URL: link("215473853299900"), Status: "open",
		Priority: "normal", Tags: []string{"service"}, Channel: "chat"}
	b := &plusone.Ticket{ID: "215473853299345", Subject: "Hi, my winter tires (order #1001) haven't arrived yet and the tracking page has…",
		URL: link("215473853299345"), Status: "closed", Priority: "normal", Tags: []string{"shipping"}, Channel: "chat"}
	c := &plusone.Ticket{ID: "215473853299200", Subject: "Return label", URL: link("215473853299200"), Status: "closed",
		Priority: "high", Tags: []string{"returns"}, Channel: "email"}
	d := &plusone.Ticket{ID: "215473853299100", Subject: "Invoice copy", URL: link("215473853299100"), Status: "closed",
		Priority: "normal", Tags: []string{"billing"}, Channel: "chat"}
	e := &plusone.Ticket{ID: "215473853299050", Subject: "Wrong tire size delivered", URL: link("215473853299050"), Status: "closed",
		Priority: "high", Tags: []string{"returns"}, Channel: "email"}
	f := &plusone.Ticket{ID: "215473853299010", Subject: "Do you ship to Canada?", URL: link("215473853299010"), Status: "snoozed",
		Priority: "normal", Tags: []string{}, Channel: "chat"}
	created := func(t *plusone.Ticket, at int64, text, author string, fromCustomer bool) plusone.Event {
		return plusone.Event{ID: "history:conversation:" + t.ID, Type: plusone.EventTicketCreated, OccurredAt: unix(at), Customer: jane, Ticket: t,
			Message: &plusone.Message{ID: "conversation:" + t.ID + ":source", Text: text, Author: author, FromCustomer: fromCustomer}}
	}
	rated := func(t *plusone.Ticket, at int64, score int, remark string) plusone.Event {
		return plusone.Event{ID: "conversation:" + t.ID + ":rating:" + strconv.Itoa(score), Type: plusone.EventFeedbackReceived,
			OccurredAt: unix(at), Customer: jane, Ticket: t, Feedback: &plusone.Feedback{Score: score, Scale: plusone.ScaleCSAT, Comment: remark}}
	}
	return []plusone.Event{
		created(a, 1740906900, "Can you rotate my winter tires next week?", "Jane Doe", true),
		rated(b, 1736441400, 5, "Sam was great, thanks!"),
		created(b, 1736331127, "Hi, my winter tires (order #1001) haven't arrived yet and the tracking page has shown nothing since Monday. Can you check?", "Jane Doe", true),
		rated(c, 1734885900, 2, "Took too long"),
		created(c, 1734703200, "I need a return label for the wrong rims.", "Jane Doe", true),
		// Started by an agent: her ticket all the same, the message not hers.
		created(d, 1732953600, "Hi Jane, your invoice copy is attached.", "Sam Support", false),
		// Asked for a rating she never gave: no feedback.
		created(e, 1727784000, "Wrong tire size delivered.", "Jane Doe", true),
		created(f, 1725175800, "Do you ship to Canada?", "Jane Doe", true),
	}
}

func TestHistoryPagesThroughConversations(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	got := history(t, s, plusone.HistoryQuery{Email: " Jane.Doe@Example.com "})
	eventtest.AssertEvents(t, plusone.SourceIntercom, got, janeHistory())

	search := s.Requests(historytest.Lookup)
	if len(search) != 1 {
		t.Fatalf("got %d contact lookups, want 1", len(search))
	}
	if q := readSearch(search[0].Body).Query; search[0].Path != "/contacts/search" || q.Field != "email" || q.Operator != "=" || string(q.Value) != `"jane.doe@example.com"` {
		t.Errorf("contact search %s %s, want one by email = jane.doe@example.com", search[0].Path, search[0].Body)
	}
	pages := s.Requests(historytest.Page)
	if len(pages) != 3 {
		t.Fatalf("got %d conversation searches, want 3", len(pages))
	}
	for i, after := range []string{"", cursorPage2, cursorPage3} {
		b := readSearch(pages[i].Body)
		contacts, op, since := conversationQuery(t, pages[i])
		if string(contacts) != `"`+janeID+`"` || op != "=" || since != 0 {
			t.Errorf("page %d query = %s, want contact_ids = %s and no time bound", i+1, pages[i].Body, janeID)
		}
		if b.Pagination.PerPage != 100 || b.Pagination.StartingAfter != after || b.Sort.Field != "created_at" || b.Sort.Order != "descending" {
			t.Errorf("page %d = %s, want per_page 100, starting_after %q, sorted by created_at descending", i+1, pages[i].Body, after)
		}
	}
	if n := len(s.Requests("me")); n != 1 {
		t.Errorf("asked GET /me %d times, want once", n)
	}
}

func TestHistoryByContactID(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	api := api(s, option.WithAppID(appID))
	for range 2 {
		got, err := api.History(t.Context(), plusone.HistoryQuery{ExternalID: janeID, Email: "someone.else@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		eventtest.AssertEvents(t, plusone.SourceIntercom, got, janeHistory())
	}
	lookups := s.Requests(historytest.Lookup)
	if len(lookups) != 2 || lookups[0].Method != http.MethodGet || lookups[0].Path != "/contacts/"+janeID {
		t.Errorf("lookups = %+v, want GET /contacts/%s twice", lookups, janeID)
	}
	if n := len(s.Requests("me")); n != 0 {
		t.Errorf("asked GET /me %d times; WithAppID names the app", n)
	}
}

func TestHistoryAsksForTheAppOnce(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	api := api(s)
	for range 3 {
		if _, err := api.History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com", Limit: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.Requests("me")); n != 1 {
		t.Errorf("asked GET /me %d times, want once", n)
	}
}

func TestHistoryOfContactsSharingAnEmail(t *testing.T) {
	t.Parallel()
	const leadID = "6762f15b1bb69f9f2193eeee"
	s := newFake(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Path != "/contacts/search" {
			return false
		}
		historytest.WriteJSON(w, http.StatusOK, `{"type":"list","data":[
			{"type":"contact","id":"`+janeID+`","role":"user","email":"jane.doe@example.com","name":"Jane Doe"},
			{"type":"contact","id":"`+leadID+`","role":"lead","email":"Jane.Doe@example.com","name":"Jane"},
			{"type":"contact","id":"6762f15b1bb69f9f2193ffff","role":"lead","email":"jane.doe@example.org"}],"total_count":3}`)
		return true
	})
	history(t, s, plusone.HistoryQuery{Email: "jane.doe@example.com", Limit: 1})
	contacts, op, _ := conversationQuery(t, s.Requests(historytest.Page)[0])
	if op != "IN" || string(contacts) != `["`+janeID+`","`+leadID+`"]` {
		t.Errorf("contact condition = %s %s, want IN both contacts with her email", op, contacts)
	}
}

// shiftedClock runs at the pace of the real clock from a whole second, so
// that rate-limit reset times, in whole seconds, can be exact.
type shiftedClock struct {
	base, start time.Time
}

func newShiftedClock() shiftedClock {
	return shiftedClock{base: time.Unix(1736331127, 0), start: time.Now()}
}

// Now is the clock's time.
func (c shiftedClock) Now() time.Time { return c.at(time.Now()) }

// at is the clock's time at the real time t.
func (c shiftedClock) at(t time.Time) time.Time { return c.base.Add(t.Sub(c.start)) }

// TestHistorySlowsDownBeforeTheLimit serves a first page that leaves no
// request in the window and checks, from the arrival times, that the next
// page did not arrive before the window reset.
func TestHistorySlowsDownBeforeTheLimit(t *testing.T) {
	t.Parallel()
	clock := newShiftedClock()
	reset := clock.base.Add(time.Second)
	s := newFake(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind != historytest.Page || n != 1 {
			return false
		}
		w.Header().Set("X-RateLimit-Limit", "10000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		historytest.WriteJSON(w, http.StatusOK, string(eventtest.ReadFile(t, "history/conversations_page1.json")))
		return true
	})
	got, err := api(s, option.WithClock(clock.Now)).History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	eventtest.AssertEvents(t, plusone.SourceIntercom, got, janeHistory())
	if at := clock.at(s.Requests(historytest.Page)[1].At); at.Before(reset) {
		t.Errorf("page 2 arrived %v before the window reset", reset.Sub(at))
	}
}

// TestHistoryWaitsForTheWindowAfter429 answers 429 without Retry-After:
// the retry does not arrive before X-RateLimit-Reset.
func TestHistoryWaitsForTheWindowAfter429(t *testing.T) {
	t.Parallel()
	clock := newShiftedClock()
	reset := clock.base.Add(time.Second)
	s := newFake(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind != historytest.Lookup || n != 1 {
			return false
		}
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
		historytest.WriteJSON(w, http.StatusTooManyRequests, `{"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit"}]}`)
		return true
	})
	start := time.Now()
	if _, err := api(s, option.WithClock(clock.Now)).History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"}); err != nil {
		t.Fatal(err)
	}
	lookups := s.Requests(historytest.Lookup)
	if len(lookups) != 2 {
		t.Fatalf("got %d lookups, want 2", len(lookups))
	}
	if at := clock.at(lookups[1].At); at.Before(reset) {
		t.Errorf("retry arrived %v before the window reset", reset.Sub(at))
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v; only one wait of about a second was due", d)
	}
}

// TestHistorySuite runs the tests every History client passes.
func TestHistorySuite(t *testing.T) {
	t.Parallel()
	historytest.Run(t, historytest.Vendor{
		Source: plusone.SourceIntercom,
		Start:  newFake,
		API: func(url, token string, o historytest.Options) plusone.History {
			return intercom.NewAPI(url, token, option.WithRetryWait(10*time.Millisecond), option.WithRetries(o.Retries), option.WithTimeout(o.Timeout))
		},
		Token:       accessToken,
		Query:       plusone.HistoryQuery{Email: "jane.doe@example.com"},
		Want:        janeHistory,
		Pages:       3,
		Since:       eventtest.At("2024-12-15T00:00:00Z"), // page 2 ends with a conversation created before it
		SinceEvents: 5,
		SincePages:  2,
		// Two conversations, three events: the second is rated, and its
		// rating counts with it as one conversation.
		Limit:       2,
		LimitEvents: 3,
		PageSize:    func(r historytest.Request) string { return strconv.Itoa(readSearch(r.Body).Pagination.PerPage) },
		Unknown: []historytest.Unknown{
			{Name: "unknown email", Query: plusone.HistoryQuery{Email: "nobody@example.com"}, Requests: 1},
			{Name: "unknown contact id", Query: plusone.HistoryQuery{ExternalID: "5f0000000000000000000000"}, Requests: 1},
			{Name: "not a contact id", Query: plusone.HistoryQuery{ExternalID: "../conversations/1"}},
			{Name: "not an email", Query: plusone.HistoryQuery{Email: "jane"}},
			{Name: "nobody"},
		},
		ErrorBody:   `{"type":"error.list","request_id":"r1","errors":[{"code":"not_today","message":"Not today"}]}`,
		RateLimited: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1736331187"}},
	})
}

// TestHistorySinceIsWidened checks the created_at bound of a search with
// Since: Intercom matches times by day in the workspace's zone, so the
// bound is two days early, and the client drops what is older than Since.
func TestHistorySinceIsWidened(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	since := eventtest.At("2024-12-15T00:00:00Z")
	history(t, s, plusone.HistoryQuery{Email: "jane.doe@example.com", Since: since})
	if _, _, bound := conversationQuery(t, s.Requests(historytest.Page)[0]); bound != since.Add(-48*time.Hour).Unix() {
		t.Errorf("created_at > %d, want %d", bound, since.Add(-48*time.Hour).Unix())
	}
}

// roundTripper answers every request itself.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewAPIDefaults(t *testing.T) {
	t.Parallel()
	var seen *http.Request
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		seen = r
		return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})}
	// Nil options and a bad app id are ignored; the base defaults to
	// Intercom's US region.
	a := intercom.NewAPI("", accessToken, nil, option.WithAppID("../x"), option.WithHTTPClient(client))
	_, err := a.History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	eventtest.AssertError(t, err, plusone.EUNAUTHORIZED, "PLUSONE_INTERCOM_ACCESS_TOKEN")
	if seen == nil {
		t.Fatal("no request was sent")
	}
	if got := seen.URL.String(); got != intercom.DefaultBaseURL+"/contacts/search" {
		t.Errorf("request to %s, want %s/contacts/search", got, intercom.DefaultBaseURL)
	}
	if a.Source() != plusone.SourceIntercom || seen.Header.Get("Intercom-Version") != intercom.APIVersion {
		t.Errorf("Source %q, Intercom-Version %q", a.Source(), seen.Header.Get("Intercom-Version"))
	}
}
