package zendesk_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

var jane = plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100",
	ExternalID: janeID, Since: eventtest.At("2025-01-08T05:27:58Z")}

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
		return plusone.Event{ID: "history:ticket:" + t.ID, Type: plusone.EventTicketCreated, OccurredAt: eventtest.At(when), Customer: jane, Ticket: t}
	}
	return []plusone.Event{
		created(t5170, "2025-03-02T09:15:00Z"),
		{ID: "ticket:5158:satisfaction:good", Type: plusone.EventFeedbackReceived, OccurredAt: eventtest.At("2025-01-10T09:30:00Z"),
			Customer: jane, Ticket: t5158, Feedback: &plusone.Feedback{Score: 5, Scale: plusone.ScaleCSAT, Comment: "Sam was great, thanks!"}},
		created(t5158, "2025-01-08T10:12:07Z"),
		{ID: "ticket:5150:satisfaction:bad", Type: plusone.EventFeedbackReceived, OccurredAt: eventtest.At("2024-12-22T16:45:00Z"),
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
	eventtest.AssertEvents(t, plusone.SourceZendesk, got, janeHistory())

	search := f.requests(searchPath)
	if len(search) != 1 || search[0].Query.Get("query") != "email:jane.doe@example.com" {
		t.Errorf("search requests = %+v, want one with query=email:jane.doe@example.com", search)
	}
	pages := f.requests(ticketsPath)
	if len(pages) != 3 {
		t.Fatalf("got %d ticket page requests, want 3", len(pages))
	}
	for i, after := range []string{"", cursorPage2, cursorPage3} {
		q := pages[i].Query
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
	eventtest.AssertEvents(t, plusone.SourceZendesk, got, janeHistory())
	if n := len(f.requests(searchPath)); n != 0 {
		t.Errorf("searched users %d times; the id should be used", n)
	}
	if n := len(f.requests(userPath)); n != 1 {
		t.Errorf("fetched the user %d times, want 1", n)
	}
}

// TestHistorySuite runs the tests every History client passes: the whole
// history, Since, Limit, unknown customers, Retry-After, server and network
// errors, giving up, cancellation and refused credentials.
func TestHistorySuite(t *testing.T) {
	t.Parallel()
	historytest.Run(t, historytest.Vendor{
		Source: plusone.SourceZendesk,
		Start:  startFake,
		API: func(url, token string, o historytest.Options) plusone.History {
			return zendesk.NewAPI(url, apiEmail, token, option.WithLinkBase(links), option.WithRetryWait(10*time.Millisecond),
				option.WithRetries(o.Retries), option.WithTimeout(o.Timeout))
		},
		Token: apiToken,
		Query: plusone.HistoryQuery{Email: "jane.doe@example.com"},
		Want:  janeHistory,
		Pages: 3,
		// Page 2 ends with a ticket last updated before Since.
		Since:       eventtest.At("2024-12-15T00:00:00Z"),
		SinceEvents: 5,
		SincePages:  2,
		// Two tickets, three events: the second is rated, and its rating
		// counts with it as one ticket.
		Limit:       2,
		LimitEvents: 3,
		PageSize:    func(r historytest.Request) string { return r.Query.Get("page[size]") },
		Unknown: []historytest.Unknown{
			{Name: "unknown email", Query: plusone.HistoryQuery{Email: "nobody@example.com"}, Requests: 1},
			{Name: "unknown user id", Query: plusone.HistoryQuery{ExternalID: "999"}, Requests: 1},
			{Name: "not a user id", Query: plusone.HistoryQuery{ExternalID: "../../tickets"}},
			{Name: "not an email", Query: plusone.HistoryQuery{Email: "jane"}},
			{Name: "nobody"},
		},
		ErrorBody:   `{"error":"Nope","description":"Not today"}`,
		RateLimited: http.Header{"X-Rate-Limit-Remaining": {"0"}},
	})
}
