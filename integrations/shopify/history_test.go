package shopify_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

var janeRef = plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", Phone: "+15550100",
	ExternalID: "6147919642668", Since: eventtest.At("2023-03-02T13:15:00Z")}

// janeOrders is every event of the fixtures: her orders newest first, each
// followed by its refunds.
func janeOrders() []plusone.Event {
	link := func(id string) string { return "https://" + shop + "/admin/orders/" + id }
	order := func(id, name, created string, total plusone.Money, status string, items []plusone.LineItem) plusone.Event {
		return plusone.Event{ID: "history:order:" + id, Type: plusone.EventOrderCreated, OccurredAt: eventtest.At(created), Customer: janeRef,
			Order: &plusone.Order{ID: id, Name: name, URL: link(id), Total: total,
				Currency: "USD", Status: status, Items: items, CreatedAt: eventtest.At(created)}}
	}
	refund := func(orderID, refundID, at string, amount plusone.Money) plusone.Event {
		return plusone.Event{ID: "history:refund:" + refundID, Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At(at), Customer: janeRef,
			Order: &plusone.Order{ID: orderID, URL: link(orderID), Refunded: amount, RefundID: refundID, Currency: "USD"}}
	}
	tires := []plusone.LineItem{{Title: "Winter tire", SKU: "WT-22545-17", Quantity: 4, Price: 10599}, {Title: "Valve caps", Quantity: 1, Price: 4000}}
	return []plusone.Event{
		order("5940139491400", "#1004", "2025-01-15T18:20:00Z", 21998, plusone.OrderOpen,
			[]plusone.LineItem{{Title: "Tire pressure sensor", SKU: "TPMS-1", Quantity: 2, Price: 10999}}),
		order("5940139491350", "#1003", "2024-12-20T12:00:00Z", 5999, plusone.OrderFulfilled,
			[]plusone.LineItem{{Title: "Tire shine", SKU: "TS-1", Quantity: 1, Price: 5999}}),
		order("5940139491234", "#1001", "2024-11-10T15:30:00Z", 46396, plusone.OrderFulfilled, tires),
		// The refunds of orders_updated--refunded.json, as refunds/create
		// reports them.
		refund("5940139491234", "929361464", "2024-11-18T15:00:00Z", 4000),
		refund("5940139491234", "929361465", "2024-11-20T19:00:00Z", 1500),
		order("5940139491100", "#1000", "2024-10-05T09:00:00Z", 8900, plusone.OrderCancelled,
			[]plusone.LineItem{{Title: "Tire pressure gauge", SKU: "TPG-1", Quantity: 1, Price: 8900}}),
		order("5940139490999", "#999", "2024-08-01T08:00:00Z", 12000, plusone.OrderFulfilled,
			[]plusone.LineItem{{Title: "Wheel lock set", SKU: "WLS-4", Quantity: 1, Price: 12000}}),
		order("5940139490998", "#998", "2024-06-01T16:45:00Z", 4550, plusone.OrderFulfilled, nil),
	}
}

func TestHistoryPagesThroughOrders(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, nil)
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: " Jane.Doe@Example.com "})
	if err != nil {
		t.Fatal(err)
	}
	eventtest.AssertEvents(t, plusone.SourceShopify, got, janeOrders())

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
			eventtest.AssertEvents(t, plusone.SourceShopify, got, janeOrders())
			if n := len(f.queries("search")); n != 0 {
				t.Errorf("searched %d times; the id should be used", n)
			}
		})
	}
}

func TestHistoryWaitsOutThrottling(t *testing.T) {
	t.Parallel()
	var sent historytest.Stamp
	f := newFakeShop(t, func(w http.ResponseWriter, c gqlCall, n int) bool {
		if c.kind != "orders" || n > 1 {
			return false
		}
		sent.Set()
		historytest.WriteJSON(w, http.StatusOK, fixture(t, "throttled.json"))
		return true
	})
	got, err := f.api().History(t.Context(), plusone.HistoryQuery{Email: "jane.doe@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	eventtest.AssertEvents(t, plusone.SourceShopify, got, janeOrders())
	pages := f.queries("orders")
	if len(pages) != 4 {
		t.Fatalf("got %d order queries, want 4 (page 1 twice)", len(pages))
	}
	// 742 points requested, 722 available, 100 restored a second: 200ms.
	if gap := pages[1].at.Sub(sent.Get()); gap < 200*time.Millisecond {
		t.Errorf("retry arrived %v after the throttled answer; the bucket needed 200ms", gap)
	}
}

// TestHistoryGivesUpOnGraphQLErrors adds GraphQL's own errors to the
// suite's: a query throttled every time, a missing scope, another error.
func TestHistoryGivesUpOnGraphQLErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		header   string
		body     string
		code     string
		attempts int
	}{
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
				historytest.WriteJSON(w, tt.status, body)
				return true
			})
			start := time.Now()
			_, err := f.api(option.WithRetries(2)).History(t.Context(), plusone.HistoryQuery{ExternalID: "6147919642668"})
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

func TestOrderLinksDefaultToTheShopHost(t *testing.T) {
	t.Parallel()
	f := newFakeShop(t, nil)
	// Nil options and a bad version are ignored.
	api := shopify.NewAPI(f.URL+"/", accessToken, nil, option.WithHTTPClient(nil), option.WithAPIVersion("2025-13"))
	got, err := api.History(t.Context(), plusone.HistoryQuery{ExternalID: "6147919642668", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://" + strings.TrimPrefix(f.URL, "http://") + "/admin/orders/5940139491400"
	if len(got) != 1 || got[0].Order.URL != want {
		t.Errorf("got %s, want one order linked to %s", eventtest.JSON(t, got), want)
	}
}

// TestHistorySuite runs the tests every History client passes: the whole
// history, Since, Limit, unknown customers, Retry-After, server and network
// errors, giving up, cancellation and refused credentials.
func TestHistorySuite(t *testing.T) {
	t.Parallel()
	historytest.Run(t, historytest.Vendor{
		Source: plusone.SourceShopify,
		Start:  startFake,
		API: func(url, token string, o historytest.Options) plusone.History {
			return shopify.NewAPI(url, token, option.WithLinkBase(shop), option.WithRetryWait(10*time.Millisecond),
				option.WithRetries(o.Retries), option.WithTimeout(o.Timeout))
		},
		Token: accessToken,
		Query: plusone.HistoryQuery{Email: "jane.doe@example.com"},
		Want:  janeOrders,
		Pages: 3,
		// Order #1000 on page 2 is older than Since.
		Since:       eventtest.At("2024-11-01T00:00:00Z"),
		SinceEvents: 5, // three orders, #1001 with its two refunds
		SincePages:  2,
		Limit:       2,
		PageSize: func(r historytest.Request) string {
			var body struct {
				Variables struct {
					First json.Number `json:"first"`
				} `json:"variables"`
			}
			_ = json.Unmarshal(r.Body, &body)
			return body.Variables.First.String()
		},
		Unknown: []historytest.Unknown{
			{Name: "unknown email", Query: plusone.HistoryQuery{Email: "nobody@example.com"}, Requests: 1},
			{Name: "unknown customer id", Query: plusone.HistoryQuery{ExternalID: "42"}, Requests: 1},
			{Name: "not a customer id", Query: plusone.HistoryQuery{ExternalID: "gid://shopify/Order/42"}},
			{Name: "unsearchable email", Query: plusone.HistoryQuery{Email: `jane"doe@example.com`}},
			{Name: "nobody"},
		},
		ErrorBody: `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`,
	})
}
