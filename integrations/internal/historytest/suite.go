package historytest

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// The kinds of request the suite tells apart. A vendor's kind function
// sorts its requests into these (and any others it likes).
const (
	Lookup = "lookup" // finds the customer
	Page   = "page"   // one page of her history
)

// Vendor describes a History client and its fake API to Run.
type Vendor struct {
	// Source is the client's source, which every event carries.
	Source plusone.Source
	// Start starts the vendor's fake API with intercept (nil for none).
	Start func(t *testing.T, intercept Intercept) *Server
	// API returns a client of the API at url that authenticates with
	// token and backs off briefly, with the options given.
	API func(url, token string, o Options) plusone.History
	// Token is the one the fake accepts.
	Token string
	// Query finds the fake's customer; Want returns her whole history,
	// newest first, read in Pages page requests.
	Query plusone.HistoryQuery
	Want  func() []plusone.Event
	Pages int
	// Since bounds a query whose history is Want()[:SinceEvents], read in
	// SincePages page requests.
	Since       time.Time
	SinceEvents int
	SincePages  int
	// Limit bounds a query to that many objects (tickets, conversations,
	// orders), not events: its history is Want()[:LimitEvents], the events
	// of the Limit newest objects, read in one page request whose page size
	// PageSize reads. LimitEvents is Limit when it is 0 (one event per
	// object).
	Limit       int
	LimitEvents int
	PageSize    func(r Request) string
	// Unknown are queries of customers the vendor does not know.
	Unknown []Unknown
	// ErrorBody is what the fake's error answers carry.
	ErrorBody string
	// RateLimited are headers a 429 carries besides Retry-After, such as
	// a rate-limit header that says no request is left: the wait is
	// Retry-After's all the same.
	RateLimited http.Header
}

// Options are the client options the suite varies.
type Options struct {
	Retries int           // -1: the default
	Timeout time.Duration // 0: the default
}

// Unknown is a query of a customer the vendor does not know, which costs
// Requests requests.
type Unknown struct {
	Name     string
	Query    plusone.HistoryQuery
	Requests int
}

// Run runs the tests every History client must pass: it reads her whole
// history and stops at Since and at Limit (objects, not events) without
// asking for more pages;
// it knows no unknown customer; it waits out Retry-After to the full
// second, retries server and network errors, gives up when it should with
// the right error code, stops soon after its context is cancelled, and
// never shows a credential in an error.
func Run(t *testing.T, v Vendor) {
	tests := []struct {
		name string
		run  func(*testing.T, Vendor)
	}{
		{"pages through her history", pagesThrough},
		{"since", since},
		{"limit", limit},
		{"unknown customer", unknown},
		{"waits out Retry-After", waitsOutRetryAfter},
		{"retries server errors", retriesServerErrors},
		{"retries network errors", retriesNetworkErrors},
		{"gives up", givesUp},
		{"stops when cancelled", stopsWhenCancelled},
		{"refused credentials", refusedCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, v)
		})
	}
}

// history runs q against s and checks that the events are want.
func (v Vendor) history(t *testing.T, s *Server, q plusone.HistoryQuery, o Options, want []plusone.Event) {
	t.Helper()
	got, err := v.API(s.URL, v.Token, o).History(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	eventtest.AssertEvents(t, v.Source, got, want)
}

// defaults leaves every option at its default.
func defaults() Options { return Options{Retries: -1} }

func pagesThrough(t *testing.T, v Vendor) {
	s := v.Start(t, nil)
	v.history(t, s, v.Query, defaults(), v.Want())
	if n := len(s.Requests(Page)); n != v.Pages {
		t.Errorf("got %d page requests, want %d", n, v.Pages)
	}
}

func since(t *testing.T, v Vendor) {
	s := v.Start(t, nil)
	q := v.Query
	q.Since = v.Since
	v.history(t, s, q, defaults(), v.Want()[:v.SinceEvents])
	// The last page read reaches back before Since: no further page is
	// asked for.
	if n := len(s.Requests(Page)); n != v.SincePages {
		t.Errorf("got %d page requests, want %d", n, v.SincePages)
	}
}

func limit(t *testing.T, v Vendor) {
	s := v.Start(t, nil)
	q := v.Query
	q.Limit = v.Limit
	n := v.LimitEvents
	if n == 0 {
		n = v.Limit
	}
	want := v.Want()[:n]
	if objects := Objects(want); objects != v.Limit {
		t.Fatalf("the suite's Want()[:%d] holds %d objects, not Limit (%d)", n, objects, v.Limit)
	}
	v.history(t, s, q, defaults(), want)
	pages := s.Requests(Page)
	if len(pages) != 1 {
		t.Fatalf("got %d page requests, want 1: the first page holds enough", len(pages))
	}
	if size := v.PageSize(pages[0]); size != strconv.Itoa(v.Limit) {
		t.Errorf("page size = %s, want %d", size, v.Limit)
	}
}

func unknown(t *testing.T, v Vendor) {
	for _, tt := range v.Unknown {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			s := v.Start(t, nil)
			got, err := v.API(s.URL, v.Token, defaults()).History(t.Context(), tt.Query)
			if err != nil || got != nil {
				t.Errorf("History = %v, %v; want no events and no error", got, err)
			}
			if n := s.Count(); n != tt.Requests {
				t.Errorf("made %d requests, want %d", n, tt.Requests)
			}
		})
	}
}

func waitsOutRetryAfter(t *testing.T, v Vendor) {
	var sent Stamp
	s := v.Start(t, func(w http.ResponseWriter, r Request, n int) bool {
		if r.Kind != Lookup || n > 1 {
			return false
		}
		for k, vals := range v.RateLimited {
			w.Header()[k] = vals
		}
		w.Header().Set("Retry-After", "1")
		sent.Set()
		WriteJSON(w, http.StatusTooManyRequests, v.ErrorBody)
		return true
	})
	v.history(t, s, v.Query, defaults(), v.Want())
	lookups := s.Requests(Lookup)
	if len(lookups) != 2 {
		t.Fatalf("got %d lookups, want 2", len(lookups))
	}
	// The retry must not arrive before Retry-After allowed it: not one
	// nanosecond earlier than a second after the 429 left the server.
	if gap := lookups[1].At.Sub(sent.Get()); gap < time.Second {
		t.Errorf("retry arrived %v after the 429 was sent; Retry-After asked for 1s", gap)
	}
}

func retriesServerErrors(t *testing.T, v Vendor) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"500", http.StatusInternalServerError, v.ErrorBody},
		{"502 from a proxy", http.StatusBadGateway, `<html>Bad gateway</html>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := v.Start(t, func(w http.ResponseWriter, r Request, n int) bool {
				if r.Kind == Page && n == 1 {
					WriteJSON(w, tt.status, tt.body)
					return true
				}
				return false
			})
			v.history(t, s, v.Query, defaults(), v.Want())
			if n := len(s.Requests(Page)); n != v.Pages+1 {
				t.Errorf("got %d page requests, want %d (page 1 twice)", n, v.Pages+1)
			}
		})
	}
}

func retriesNetworkErrors(t *testing.T, v Vendor) {
	s := v.Start(t, func(w http.ResponseWriter, r Request, n int) bool {
		switch {
		case r.Kind == Lookup && n == 1:
			HangUp(t, w)
		case r.Kind == Page && n == 1:
			time.Sleep(300 * time.Millisecond) // longer than the timeout below
			WriteJSON(w, http.StatusOK, `{}`)
		default:
			return false
		}
		return true
	})
	v.history(t, s, v.Query, Options{Retries: -1, Timeout: 100 * time.Millisecond}, v.Want())
	if l, p := len(s.Requests(Lookup)), len(s.Requests(Page)); l != 2 || p != v.Pages+1 {
		t.Errorf("got %d lookups and %d page requests, want 2 and %d", l, p, v.Pages+1)
	}
}

func givesUp(t *testing.T, v Vendor) {
	tests := []struct {
		name     string
		status   int
		header   string
		code     string
		attempts int
	}{
		{"server errors", http.StatusServiceUnavailable, "", plusone.EUNAVAILABLE, 3},
		{"rate limited", http.StatusTooManyRequests, "", plusone.EUNAVAILABLE, 3},
		{"retry after too long", http.StatusTooManyRequests, "3600", plusone.EUNAVAILABLE, 1},
		{"bad request", http.StatusBadRequest, "", plusone.EINTERNAL, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := v.Start(t, func(w http.ResponseWriter, r Request, n int) bool {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				WriteJSON(w, tt.status, v.ErrorBody)
				return true
			})
			start := time.Now()
			_, err := v.API(s.URL, v.Token, Options{Retries: 2}).History(t.Context(), v.Query)
			if code := plusone.ErrorCode(err); code != tt.code {
				t.Errorf("error %v has code %q, want %q", err, code, tt.code)
			}
			if n := s.Count(); n != tt.attempts {
				t.Errorf("made %d attempts, want %d", n, tt.attempts)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to give up", d)
			}
		})
	}
}

func stopsWhenCancelled(t *testing.T, v Vendor) {
	tests := []struct {
		name    string
		respond func(w http.ResponseWriter, release <-chan struct{})
	}{
		{"while waiting for an answer", func(w http.ResponseWriter, release <-chan struct{}) { <-release }},
		{"while waiting out Retry-After", func(w http.ResponseWriter, _ <-chan struct{}) {
			w.Header().Set("Retry-After", "30")
			WriteJSON(w, http.StatusTooManyRequests, `{}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			s := v.Start(t, func(w http.ResponseWriter, r Request, n int) bool {
				tt.respond(w, release)
				return true
			})
			t.Cleanup(func() { close(release) }) // before the server closes
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := v.API(s.URL, v.Token, defaults()).History(ctx, v.Query)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("returned %v after the start, long after the cancellation", d)
			}
		})
	}
}

func refusedCredentials(t *testing.T, v Vendor) {
	s := v.Start(t, nil)
	const wrong = "wrong-credential-that-should-never-show"
	_, err := v.API(s.URL, wrong, defaults()).History(t.Context(), v.Query)
	if code := plusone.ErrorCode(err); code != plusone.EUNAUTHORIZED {
		t.Errorf("code = %q (%v), want %q", code, err, plusone.EUNAUTHORIZED)
	}
	if err != nil && (strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), v.Token)) {
		t.Errorf("error shows a credential: %v", err)
	}
	if n := s.Count(); n != 1 {
		t.Errorf("made %d attempts; refused credentials are not retried", n)
	}
}

// Objects counts the objects events are about: tickets and conversations
// (a rating is about its ticket), orders and carts. Limit counts these.
func Objects(events []plusone.Event) int {
	seen := map[string]bool{}
	for _, e := range events {
		switch {
		case e.Ticket != nil:
			seen["ticket:"+e.Ticket.ID] = true
		case e.Feedback != nil && e.Feedback.TicketID != "":
			seen["ticket:"+e.Feedback.TicketID] = true
		case e.Order != nil:
			seen["order:"+e.Order.ID] = true
		case e.Cart != nil:
			seen["cart:"+e.Cart.ID] = true
		default:
			seen["event:"+e.ID] = true
		}
	}
	return len(seen)
}
