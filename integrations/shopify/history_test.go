package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

var janeRef = plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", Phone: "+15550100",
	ExternalID: "6147919642668", Since: at("2023-03-02T13:15:00Z")}

// janeOrders is every event of the fixtures, newest first.
func janeOrders() []plusone.Event {
	order := func(id, name, created string, total, refunded plusone.Money, status string, items []plusone.LineItem) plusone.Event {
		return plusone.Event{ID: "history:order:" + id, Type: plusone.EventOrderCreated, OccurredAt: at(created), Customer: janeRef,
			Order: &plusone.Order{ID: id, Name: name, URL: "https://" + shop + "/admin/orders/" + id, Total: total, Refunded: refunded,
				Currency: "USD", Status: status, Items: items, CreatedAt: at(created)}}
	}
	tires := []plusone.LineItem{{Title: "Winter tire", SKU: "WT-22545-17", Quantity: 4, Price: 10599}, {Title: "Valve caps", Quantity: 1, Price: 4000}}
	return []plusone.Event{
		order("5940139491400", "#1004", "2025-01-15T18:20:00Z", 21998, 0, plusone.OrderOpen,
			[]plusone.LineItem{{Title: "Tire pressure sensor", SKU: "TPMS-1", Quantity: 2, Price: 10999}}),
		order("5940139491350", "#1003", "2024-12-20T12:00:00Z", 5999, 0, plusone.OrderFulfilled,
			[]plusone.LineItem{{Title: "Tire shine", SKU: "TS-1", Quantity: 1, Price: 5999}}),
		order("5940139491234", "#1001", "2024-11-10T15:30:00Z", 46396, 5500, plusone.OrderFulfilled, tires),
		order("5940139491100", "#1000", "2024-10-05T09:00:00Z", 8900, 0, plusone.OrderCancelled,
			[]plusone.LineItem{{Title: "Tire pressure gauge", SKU: "TPG-1", Quantity: 1, Price: 8900}}),
		order("5940139490999", "#999", "2024-08-01T08:00:00Z", 12000, 0, plusone.OrderFulfilled,
			[]plusone.LineItem{{Title: "Wheel lock set", SKU: "WLS-4", Quantity: 1, Price: 12000}}),
		order("5940139490998", "#998", "2024-06-01T16:45:00Z", 4550, 0, plusone.OrderFulfilled, nil),
	}
}

func TestHistoryPagesThroughOrders(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: " Jane.Doe@Example.com "})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeOrders())

	search := f.queries("search")
	if len(search) != 1 || search[0].variables["query"] != "email:jane.doe@example.com" {
		t.Errorf("searches = %+v, want one for email:jane.doe@example.com", search)
	}
	pages := f.queries("orders")
	if len(pages) != 3 {
		t.Fatalf("got %d order queries, want 3", len(pages))
	}
	for i, after := range []any{nil, cursorPage2, cursorPage3} {
		v := pages[i].variables
		if v["id"] != janeGID || v["first"] != float64(20) || v["after"] != after {
			t.Errorf("page %d variables = %v, want id %s, first 20, after %v", i+1, v, janeGID, after)
		}
	}
}

func TestHistoryByCustomerID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"6147919642668", janeGID} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(t, nil)
			got, err := f.api().History(t.Context(), plusone.HistoryQuery{ExternalID: id, Email: "someone.else@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			assertEvents(t, got, janeOrders())
			if n := len(f.queries("search")); n != 0 {
				t.Errorf("searched %d times; the id should be used", n)
			}
		})
	}
}

func TestHistoryOfUnknownCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		q       plusone.HistoryQuery
		queries int
	}{
		{"unknown email", plusone.HistoryQuery{Email: "nobody@example.com"}, 1},
		{"unknown customer id", plusone.HistoryQuery{ExternalID: "42"}, 1},
		{"not a customer id", plusone.HistoryQuery{ExternalID: "gid://shopify/Order/42"}, 0},
		{"unsearchable email", plusone.HistoryQuery{Email: `jane"doe@example.com`}, 0},
		{"nobody", plusone.HistoryQuery{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeShop(t, nil)
			got, err := f.api().History(t.Context(), tt.q)
			if err != nil || got != nil {
				t.Errorf("History = %v, %v; want no events and no error", got, err)
			}
			if n := f.count(); n != tt.queries {
				t.Errorf("made %d queries, want %d", n, tt.queries)
			}
		})
	}
}

func TestHistorySince(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com", Since: at("2024-11-01T00:00:00Z")})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeOrders()[:3])
	// Order #1000 on page 2 is older than Since: page 3 is never asked for.
	if n := len(f.queries("orders")); n != 2 {
		t.Errorf("got %d order queries, want 2", n)
	}
}

func TestHistoryLimit(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeOrders()[:2])
	pages := f.queries("orders")
	if len(pages) != 1 {
		t.Fatalf("got %d order queries, want 1: the first page holds enough", len(pages))
	}
	if first := pages[0].variables["first"]; first != float64(2) {
		t.Errorf("first = %v, want 2", first)
	}
}

func TestHistoryWaitsOutThrottling(t *testing.T) {
	t.Parallel()
	var sent stamp
	f := newFakeShop(t, func(w http.ResponseWriter, c gqlCall, n int) bool {
		if c.kind != "orders" || n > 1 {
			return false
		}
		sent.set()
		writeJSON(w, http.StatusOK, fixture(t, "throttled.json"))
		return true
	})
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeOrders())
	pages := f.queries("orders")
	if len(pages) != 4 {
		t.Fatalf("got %d order queries, want 4 (page 1 twice)", len(pages))
	}
	// 742 points requested, 722 available, 100 restored a second: 200ms.
	if gap := pages[1].at.Sub(sent.get()); gap < 200*time.Millisecond {
		t.Errorf("retry arrived %v after the throttled answer; the bucket needed 200ms", gap)
	}
}

func TestHistoryWaitsOutRetryAfter(t *testing.T) {
	t.Parallel()
	var sent stamp
	f := newFakeShop(t, func(w http.ResponseWriter, c gqlCall, n int) bool {
		if c.kind != "search" || n > 1 {
			return false
		}
		w.Header().Set("Retry-After", "1")
		sent.set()
		writeJSON(w, http.StatusTooManyRequests, `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`)
		return true
	})
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeOrders())
	search := f.queries("search")
	if len(search) != 2 {
		t.Fatalf("got %d searches, want 2", len(search))
	}
	// Not one nanosecond earlier than a second after the 429 left.
	if gap := search[1].at.Sub(sent.get()); gap < time.Second {
		t.Errorf("retry arrived %v after the 429 was sent; Retry-After asked for 1s", gap)
	}
}

func TestHistoryRetriesServerErrors(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, func(w http.ResponseWriter, c gqlCall, n int) bool {
		if c.kind == "orders" && n == 1 {
			writeJSON(w, http.StatusBadGateway, `<html>Bad gateway</html>`)
			return true
		}
		return false
	})
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeOrders())
	if n := len(f.queries("orders")); n != 4 {
		t.Errorf("got %d order queries, want 4 (page 1 twice)", n)
	}
}

func TestHistoryRetriesNetworkErrors(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, func(w http.ResponseWriter, c gqlCall, n int) bool {
		switch {
		case c.kind == "search" && n == 1:
			hangUp(t, w)
		case c.kind == "orders" && n == 1:
			time.Sleep(300 * time.Millisecond) // longer than the timeout below
			writeJSON(w, http.StatusOK, `{}`)
		default:
			return false
		}
		return true
	})
	got, err := f.api(shopify.WithTimeout(100*time.Millisecond)).History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	assertEvents(t, got, janeOrders())
	if s, p := len(f.queries("search")), len(f.queries("orders")); s != 2 || p != 4 {
		t.Errorf("got %d searches and %d order queries, want 2 and 4", s, p)
	}
}

func TestHistoryGivesUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		header   string
		body     string
		code     string
		attempts int
	}{
		{"server errors", http.StatusServiceUnavailable, "", `{}`, plusone.EUNAVAILABLE, 3},
		{"retry after too long", http.StatusTooManyRequests, "3600", `{}`, plusone.EUNAVAILABLE, 1},
		{"always throttled", http.StatusOK, "", "throttled.json", plusone.EUNAVAILABLE, 3},
		{"missing scope", http.StatusOK, "", "access_denied.json", plusone.EUNAUTHORIZED, 1},
		{"other GraphQL error", http.StatusOK, "", `{"errors":[{"message":"Field 'x' doesn't exist on type 'Customer'"}]}`, plusone.EINTERNAL, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := tt.body
			if strings.HasSuffix(body, ".json") {
				body = fixture(t, body)
			}
			f := newFakeShop(t, func(w http.ResponseWriter, c gqlCall, n int) bool {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				writeJSON(w, tt.status, body)
				return true
			})
			start := time.Now()
			_, err := f.api(shopify.WithRetries(2)).History(t.Context(), plusone.HistoryQuery{ExternalID: "6147919642668"})
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
		respond func(w http.ResponseWriter)
	}{
		{"while waiting for an answer", nil},
		{"while waiting out Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "30")
			writeJSON(w, http.StatusTooManyRequests, `{}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			f := newFakeShop(t, func(w http.ResponseWriter, c gqlCall, n int) bool {
				if tt.respond == nil {
					<-release // until the test ends
					return true
				}
				tt.respond(w)
				return true
			})
			t.Cleanup(func() { close(release) })
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

func TestHistoryRefusedToken(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, nil)
	const wrong = "shpat_wrong_token_should_never_show"
	_, err := f.apiWithToken(wrong).History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if code := plusone.ErrorCode(err); code != plusone.EUNAUTHORIZED {
		t.Errorf("code = %q (%v), want %q", code, err, plusone.EUNAUTHORIZED)
	}
	if err != nil && (strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), accessToken)) {
		t.Errorf("error shows the token: %v", err)
	}
	if n := f.count(); n != 1 {
		t.Errorf("made %d attempts; a 401 is not retried", n)
	}
}

func TestOrderLinksDefaultToTheShopHost(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, nil)
	// Nil options and a bad version are ignored.
	api := shopify.NewAPI(f.srv.URL+"/", accessToken, nil, shopify.WithHTTPClient(nil), shopify.WithAPIVersion("2025-13"))
	got, err := api.History(t.Context(), plusone.HistoryQuery{ExternalID: "6147919642668", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://" + strings.TrimPrefix(f.srv.URL, "http://") + "/admin/orders/5940139491400"
	if len(got) != 1 || got[0].Order.URL != want {
		t.Errorf("got %s, want one order linked to %s", toJSON(t, got), want)
	}
}
