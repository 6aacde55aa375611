package freshdesk_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

// jane is the customer of the fixtures, as her contact describes her.
var jane = plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100",
	ExternalID: janeID, Since: eventtest.At("2024-11-02T08:00:00Z")}

func link(id string) string { return links + "/helpdesk/tickets/" + id }

// janeHistory is every event of the fixtures, newest first.
func janeHistory() []plusone.Event {
	created := func(t *plusone.Ticket, at, description string) plusone.Event {
		e := plusone.Event{ID: "history:ticket:" + t.ID, Type: plusone.EventTicketCreated, OccurredAt: eventtest.At(at), Customer: jane, Ticket: t}
		if description != "" {
			e.Message = &plusone.Message{ID: "ticket:" + t.ID + ":description", Text: description, Author: "Jane Doe", FromCustomer: true}
		}
		return e
	}
	return []plusone.Event{
		created(&plusone.Ticket{ID: "57", Subject: "Can you rotate my winter tires?", URL: link("57"), Status: "open", Priority: "medium",
			Tags: []string{"service"}, Channel: "portal"}, "2025-03-02T09:15:00Z", "Next week if you can."),
		created(&plusone.Ticket{ID: "42", Subject: "Where is my order #1001?", URL: link("42"), Status: "closed", Priority: "medium",
			Tags: []string{"shipping", "late delivery"}, Channel: "email"}, "2025-01-08T10:12:07Z",
			"Hi,\n\nmy winter tires (order #1001) haven't arrived yet. The tracking page shows nothing since Monday.\n\nJane"),
		created(&plusone.Ticket{ID: "39", Subject: "Return label", URL: link("39"), Status: "resolved", Priority: "low",
			Tags: []string{"returns", "label"}, Channel: "phone"}, "2024-12-20T14:00:00Z", "Called about a return label."),
		// No subject: the start of the description stands in, as for the rule.
		created(&plusone.Ticket{ID: "35", Subject: "Hi Jane, here is the invoice copy you asked for.", URL: link("35"), Status: "closed",
			Priority: "medium", Tags: []string{}, Channel: "outbound email"}, "2024-11-30T08:00:00Z", "Hi Jane, here is the invoice copy you asked for."),
		created(&plusone.Ticket{ID: "30", Subject: "Wrong tire size delivered", URL: link("30"), Status: "closed", Priority: "high",
			Tags: []string{"returns"}, Channel: "email"}, "2024-10-01T12:00:00Z", "Wrong size."),
		// A custom status has a name only the admin knows.
		created(&plusone.Ticket{ID: "21", Subject: "Do you ship to Canada?", URL: link("21"), Status: "", Priority: "urgent",
			Tags: []string{}, Channel: "chat"}, "2024-09-01T07:30:00Z", ""),
	}
}

func TestHistoryPagesThroughTickets(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	got := history(t, s, plusone.HistoryQuery{Email: " Jane.Doe@Example.com "})
	eventtest.AssertEvents(t, plusone.SourceFreshdesk, got, janeHistory())

	lookups := s.Requests(historytest.Lookup)
	if len(lookups) != 1 || lookups[0].Path != "/api/v2/contacts" || lookups[0].Query.Get("email") != "jane.doe@example.com" {
		t.Errorf("contact lookups = %+v, want one with email=jane.doe@example.com", lookups)
	}
	pages := s.Requests(historytest.Page)
	if len(pages) != 3 {
		t.Fatalf("got %d ticket page requests, want 3", len(pages))
	}
	for i, page := range []string{"1", "2", "3"} {
		q := pages[i].Query
		if q.Get("requester_id") != janeID || q.Get("order_by") != "created_at" || q.Get("order_type") != "desc" ||
			q.Get("per_page") != "100" || q.Get("page") != page || q.Get("updated_since") != "2000-01-01T00:00:00Z" ||
			q.Get("include") != "description" {
			t.Errorf("page %s query = %v", page, q)
		}
	}
}

func TestHistoryByContactID(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	got := history(t, s, plusone.HistoryQuery{ExternalID: janeID, Email: "someone.else@example.com"})
	eventtest.AssertEvents(t, plusone.SourceFreshdesk, got, janeHistory())
	lookups := s.Requests(historytest.Lookup)
	if len(lookups) != 1 || lookups[0].Path != "/api/v2/contacts/"+janeID {
		t.Errorf("lookups = %+v, want GET /api/v2/contacts/%s", lookups, janeID)
	}
}

// TestHistorySlowsDownBeforeTheLimit serves a first page that leaves few
// credits: the next page waits its share of the minute, as the arrival
// times show.
func TestHistorySlowsDownBeforeTheLimit(t *testing.T) {
	t.Parallel()
	var sent historytest.Stamp
	s := newFake(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
		if r.Kind != historytest.Page || n != 1 {
			return false
		}
		w.Header().Set("Link", `<`+links+`/api/v2/tickets?page=2>; rel="next"`)
		w.Header().Set("X-RateLimit-Total", "600")
		w.Header().Set("X-RateLimit-Remaining", "59")
		sent.Set()
		historytest.WriteJSON(w, http.StatusOK, string(eventtest.ReadFile(t, "history/tickets_page1.json")))
		return true
	})
	got := history(t, s, plusone.HistoryQuery{Email: "jane.doe@example.com"})
	eventtest.AssertEvents(t, plusone.SourceFreshdesk, got, janeHistory())
	// 59 credits left of 600, under a tenth: the minute is spread over
	// them, a second each.
	if gap := s.Requests(historytest.Page)[1].At.Sub(sent.Get()); gap < time.Second {
		t.Errorf("page 2 arrived %v after page 1 left few credits; want at least a second", gap)
	}
}

// TestHistorySuite runs the tests every History client passes.
func TestHistorySuite(t *testing.T) {
	t.Parallel()
	historytest.Run(t, historytest.Vendor{
		Source: plusone.SourceFreshdesk,
		Start:  newFake,
		API: func(url, key string, o historytest.Options) plusone.History {
			return freshdesk.NewAPI(url, key, option.WithLinkBase(links), option.WithRetryWait(10*time.Millisecond),
				option.WithRetries(o.Retries), option.WithTimeout(o.Timeout))
		},
		Token:       apiKey,
		Query:       plusone.HistoryQuery{Email: "jane.doe@example.com"},
		Want:        janeHistory,
		Pages:       3,
		Since:       eventtest.At("2024-12-15T00:00:00-05:00"), // page 2 ends with a ticket created before it
		SinceEvents: 3,
		SincePages:  2,
		Limit:       2,
		PageSize:    func(r historytest.Request) string { return r.Query.Get("per_page") },
		Unknown: []historytest.Unknown{
			{Name: "unknown email", Query: plusone.HistoryQuery{Email: "nobody@example.com"}, Requests: 1},
			{Name: "unknown contact id", Query: plusone.HistoryQuery{ExternalID: "999"}, Requests: 1},
			{Name: "not a contact id", Query: plusone.HistoryQuery{ExternalID: "../tickets"}},
			{Name: "not an email", Query: plusone.HistoryQuery{Email: "jane"}},
			{Name: "nobody"},
		},
		ErrorBody:   `{"code":"not_today","message":"Not today"}`,
		RateLimited: http.Header{"X-Ratelimit-Total": {"400"}, "X-Ratelimit-Remaining": {"0"}},
	})
}

// TestHistorySinceBoundsTheUpdates checks that Since, in UTC, bounds
// updated_since: without it Freshdesk would list only the last 30 days.
func TestHistorySinceBoundsTheUpdates(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	history(t, s, plusone.HistoryQuery{Email: "jane.doe@example.com", Since: eventtest.At("2024-12-15T00:00:00-05:00")})
	if u := s.Requests(historytest.Page)[0].Query.Get("updated_since"); u != "2024-12-15T05:00:00Z" {
		t.Errorf("updated_since = %q, want Since in UTC", u)
	}
}

func TestNewAPILinks(t *testing.T) {
	t.Parallel()
	s := newFake(t, nil)
	// A base with /api/v2 and without a scheme's slash; links default to
	// the base. Nil options are ignored.
	got, err := freshdesk.NewAPI(s.URL+"/api/v2/", apiKey, nil, option.WithHTTPClient(nil)).
		History(t.Context(), plusone.HistoryQuery{ExternalID: janeID, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Ticket.URL != s.URL+"/helpdesk/tickets/57" {
		t.Errorf("got %s, want one ticket linked to %s/helpdesk/tickets/57", eventtest.JSON(t, got), s.URL)
	}
}
