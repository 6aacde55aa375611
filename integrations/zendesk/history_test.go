package zendesk_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

var jane = plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100",
	ExternalID: janeID, Since: at("2025-01-08T05:27:58Z")}

func link(id string) string { return links + "/agent/tickets/" + id }

// janeHistory is every event of the fixtures, newest first.
func janeHistory() []plusone.Event {
	t5170 := &plusone.Ticket{ID: "5170", Subject: "Can you rotate my winter tires?", URL: link("5170"), Status: "open",
		Priority: "normal", Tags: []string{"service"}, Channel: "web"}
	t5158 := &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: link("5158"), Status: "solved",
		Priority: "high", Tags: []string{"shipping", "order_status", "vip"}, Channel: "email"}
	t5150 := &plusone.Ticket{ID: "5150", Subject: "Return label", URL: link("5150"), Status: "closed",
		Tags: []string{"returns", "label"}, Channel: "chat"}
	t5140 := &plusone.Ticket{ID: "5140", Subject: "Invoice copy", URL: link("5140"), Status: "closed",
		Priority: "low", Tags: []string{"billing"}, Channel: "email"}
	t5120 := &plusone.Ticket{ID: "5120", Subject: "Wrong tire size delivered", URL: link("5120"), Status: "closed",
		Priority: "high", Tags: []string{"returns"}, Channel: "email"}
	t5101 := &plusone.Ticket{ID: "5101", Subject: "Do you ship to Canada?", URL: link("5101"), Status: "closed",
		Tags: []string{}, Channel: "web"}
	created := func(t *plusone.Ticket, when string) plusone.Event {
		return plusone.Event{ID: "history:ticket:" + t.ID, Type: plusone.EventTicketCreated, OccurredAt: at(when), Customer: jane, Ticket: t}
	}
	return []plusone.Event{
		created(t5170, "2025-03-02T09:15:00Z"),
		{ID: "ticket:5158:satisfaction:good", Type: plusone.EventFeedbackReceived, OccurredAt: at("2025-01-10T09:30:00Z"),
			Customer: jane, Ticket: t5158, Feedback: &plusone.Feedback{Score: 5, Scale: plusone.ScaleCSAT, Comment: "Sam was great, thanks!"}},
		created(t5158, "2025-01-08T10:12:07Z"),
		{ID: "ticket:5150:satisfaction:bad", Type: plusone.EventFeedbackReceived, OccurredAt: at("2024-12-22T16:45:00Z"),
			Customer: jane, Ticket: t5150, Feedback: &plusone.Feedback{Score: 1, Scale: plusone.ScaleCSAT, Comment: "Took too long"}},
		created(t5150, "2024-12-20T14:00:00Z"),
		created(t5140, "2024-11-30T08:00:00Z"),
		created(t5120, "2024-10-01T12:00:00Z"),
		created(t5101, "2024-09-01T07:30:00Z"),
	}
}

func TestHistoryPagesThroughRequestedTickets(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: " Jane.Doe@Example.com "})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeHistory())

	search := f.requests(searchPath)
	if len(search) != 1 || search[0].query.Get("query") != "email:jane.doe@example.com" {
		t.Errorf("search requests = %+v, want one with query=email:jane.doe@example.com", search)
	}
	pages := f.requests(ticketsPath)
	if len(pages) != 3 {
		t.Fatalf("got %d ticket page requests, want 3", len(pages))
	}
	for i, after := range []string{"", cursorPage2, cursorPage3} {
		q := pages[i].query
		if q.Get("page[size]") != "100" || q.Get("sort") != "-updated_at" || q.Get("page[after]") != after {
			t.Errorf("page %d query = %v, want page[size]=100, sort=-updated_at, page[after]=%q", i+1, q, after)
		}
	}
}

func TestHistoryByZendeskUserID(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{ExternalID: janeID, Email: "someone.else@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeHistory())
	if n := len(f.requests(searchPath)); n != 0 {
		t.Errorf("searched users %d times; the id should be used", n)
	}
	if n := len(f.requests(userPath)); n != 1 {
		t.Errorf("fetched the user %d times, want 1", n)
	}
}

func TestHistoryOfUnknownCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		q        plusone.HistoryQuery
		requests int
	}{
		{"unknown email", plusone.HistoryQuery{Email: "nobody@example.com"}, 1},
		{"unknown user id", plusone.HistoryQuery{ExternalID: "999"}, 1},
		{"not a user id", plusone.HistoryQuery{ExternalID: "../../tickets"}, 0},
		{"not an email", plusone.HistoryQuery{Email: "jane"}, 0},
		{"nobody", plusone.HistoryQuery{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeZendesk(t, nil)
			got, err := f.api().History(t.Context(), tt.q)
			if err != nil || got != nil {
				t.Errorf("History = %v, %v; want no events and no error", got, err)
			}
			if n := f.count(); n != tt.requests {
				t.Errorf("made %d requests, want %d", n, tt.requests)
			}
		})
	}
}

func TestHistorySince(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com", Since: at("2024-12-15T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeHistory()[:5])
	// Page 2 ends with a ticket last updated before Since: page 3 is never asked for.
	if n := len(f.requests(ticketsPath)); n != 2 {
		t.Errorf("got %d ticket page requests, want 2", n)
	}
}

func TestHistoryLimit(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeHistory()[:3])
	pages := f.requests(ticketsPath)
	if len(pages) != 1 {
		t.Fatalf("got %d ticket page requests, want 1: the first page holds enough", len(pages))
	}
	if s := pages[0].query.Get("page[size]"); s != "3" {
		t.Errorf("page[size] = %s, want 3", s)
	}
}

func TestHistoryWaitsOutRetryAfter(t *testing.T) {
	t.Parallel()
	var sent stamp
	f := newFakeZendesk(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		if !isPath(r, searchPath) || n > 1 {
			return false
		}
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		sent.set()
		writeJSON(w, http.StatusTooManyRequests, `{"error":"APIRateLimitExceeded"}`)
		return true
	})
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeHistory())
	search := f.requests(searchPath)
	if len(search) != 2 {
		t.Fatalf("got %d search requests, want 2", len(search))
	}
	// The retry must not arrive before Retry-After allowed it: not one
	// nanosecond earlier than a second after the 429 left the server.
	if gap := search[1].at.Sub(sent.get()); gap < time.Second {
		t.Errorf("retry arrived %v after the 429 was sent; Retry-After asked for 1s", gap)
	}
}

func TestHistoryRetriesServerErrors(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		if isPath(r, ticketsPath) && n == 1 {
			writeJSON(w, http.StatusInternalServerError, `{"error":"InternalError"}`)
			return true
		}
		return false
	})
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeHistory())
	if n := len(f.requests(ticketsPath)); n != 4 {
		t.Errorf("got %d ticket page requests, want 4 (page 1 twice)", n)
	}
}

func TestHistoryRetriesNetworkErrors(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
		switch {
		case isPath(r, searchPath) && n == 1:
			hangUp(t, w)
		case isPath(r, ticketsPath) && n == 1:
			time.Sleep(300 * time.Millisecond) // longer than the timeout below
			writeJSON(w, http.StatusOK, `{"tickets":[]}`)
		default:
			return false
		}
		return true
	})
	got, err := f.api(zendesk.WithTimeout(100*time.Millisecond)).History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeHistory())
	if s, p := len(f.requests(searchPath)), len(f.requests(ticketsPath)); s != 2 || p != 4 {
		t.Errorf("got %d searches and %d ticket page requests, want 2 and 4", s, p)
	}
}

func TestHistoryGivesUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		header   string
		code     string
		attempts int
	}{
		{"server errors", http.StatusServiceUnavailable, "", plusone.EUNAVAILABLE, 3},
		{"retry after too long", http.StatusTooManyRequests, "3600", plusone.EUNAVAILABLE, 1},
		{"bad request", http.StatusBadRequest, "", plusone.EINTERNAL, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeZendesk(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				writeJSON(w, tt.status, `{"error":"Nope","description":"Not today"}`)
				return true
			})
			start := time.Now()
			_, err := f.api(zendesk.WithRetries(2)).History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
			if code := plusone.ErrorCode(err); code != tt.code {
				t.Errorf("error %v has code %q, want %q", err, code, tt.code)
			}
			if n := f.count(); n != tt.attempts {
				t.Errorf("made %d attempts, want %d", n, tt.attempts)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to give up", d)
			}
		})
	}
}

func TestHistoryStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		respond func(w http.ResponseWriter, r *http.Request)
	}{
		{"while waiting for an answer", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}},
		{"while waiting out Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "30")
			writeJSON(w, http.StatusTooManyRequests, `{}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeZendesk(t, func(w http.ResponseWriter, r *http.Request, n int) bool {
				tt.respond(w, r)
				return true
			})
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := f.api().History(ctx, plusone.HistoryQuery{Email: "jane.doe@example.com"})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("returned %v after the start, long after the cancellation", d)
			}
		})
	}
}

func TestHistoryRefusedCredentials(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	const wrong = "zd-wrong-token-should-never-show"
	api := zendeskAPI(f, wrong)
	_, err := api.History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if code := plusone.ErrorCode(err); code != plusone.EUNAUTHORIZED {
		t.Errorf("code = %q (%v), want %q", code, err, plusone.EUNAUTHORIZED)
	}
	if err != nil && (strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), apiToken)) {
		t.Errorf("error shows the token: %v", err)
	}
	if n := f.count(); n != 1 {
		t.Errorf("made %d attempts; a 401 is not retried", n)
	}
}
