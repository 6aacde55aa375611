package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// vendorAPI is a fake vendor API that records when each request arrived.
type vendorAPI struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []vendorCall
}

type vendorCall struct {
	at     time.Time
	path   string
	query  string
	status int
}

func newVendorAPI(t *testing.T, serve func(w http.ResponseWriter, r *http.Request, n int) int) *vendorAPI {
	v := &vendorAPI{}
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		v.mu.Lock()
		n := len(v.calls)
		v.mu.Unlock()
		status := serve(w, r, n)
		v.mu.Lock()
		v.calls = append(v.calls, vendorCall{at: time.Now(), path: r.URL.Path, query: r.URL.RawQuery + string(body), status: status})
		v.mu.Unlock()
	}))
	t.Cleanup(v.srv.Close)
	return v
}

func (v *vendorAPI) log() []vendorCall {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]vendorCall(nil), v.calls...)
}

func writeJSONStatus(w http.ResponseWriter, status int, body string) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
	return status
}

// zendeskTickets renders a page of requested tickets.
func zendeskTickets(ids []int, next string) string {
	var ts []string
	for _, id := range ids {
		day := 10 + id%10
		ts = append(ts, fmt.Sprintf(`{"id":%d,"subject":"Past ticket %d","status":"solved","priority":"normal","tags":["history"],
			"created_at":"2026-06-%02dT10:00:00Z","updated_at":"2026-06-%02dT12:00:00Z","requester_id":777,"via":{"channel":"email"},
			"satisfaction_rating":{"score":"good"}}`, id, id, day, day))
	}
	more := next != ""
	return fmt.Sprintf(`{"tickets":[%s],"meta":{"has_more":%t,"after_cursor":%q},"links":{"next":""}}`, strings.Join(ts, ","), more, next)
}

// Back-fill through the real program: the first card does not wait for the
// vendors, which answer 429 with Retry-After and paginate; the history
// arrives within the limits, and nothing is recorded twice.
func TestBackfillFromVendorAPIs(t *testing.T) {
	t.Parallel()
	zd := newVendorAPI(t, func(w http.ResponseWriter, r *http.Request, n int) int {
		switch {
		case n == 0:
			// Long enough that a card that waited for it cannot be mistaken
			// for one slowed by a busy machine.
			w.Header().Set("Retry-After", "3")
			return writeJSONStatus(w, 429, `{"error":"TooManyRequests"}`)
		case r.URL.Path == "/api/v2/users/search.json":
			return writeJSONStatus(w, 200, `{"users":[{"id":777,"name":"Jane Doe","email":"jane@example.com","role":"end-user"}],"next_page":null,"count":1}`)
		case r.URL.Path == "/api/v2/users/777.json":
			return writeJSONStatus(w, 200, `{"user":{"id":777,"name":"Jane Doe","email":"jane@example.com","role":"end-user"}}`)
		case r.URL.Path == "/api/v2/users/777/tickets/requested.json":
			switch r.URL.Query().Get("page[after]") {
			case "":
				return writeJSONStatus(w, 200, zendeskTickets([]int{5158, 4001}, "c2"))
			case "c2":
				return writeJSONStatus(w, 200, zendeskTickets([]int{4002, 4003}, "c3"))
			case "c3":
				return writeJSONStatus(w, 200, zendeskTickets([]int{4004, 4005}, ""))
			}
		}
		return writeJSONStatus(w, 404, `{"error":"RecordNotFound"}`)
	})
	shop := newVendorAPI(t, func(w http.ResponseWriter, r *http.Request, n int) int {
		var body struct {
			Query string `json:"query"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		cost := `"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":5,"throttleStatus":{"maximumAvailable":2000,"currentlyAvailable":1990,"restoreRate":100}}}`
		switch {
		case strings.Contains(body.Query, "customers("):
			return writeJSONStatus(w, 200, `{"data":{"customers":{"nodes":[{"id":"gid://shopify/Customer/61","email":"jane@example.com"}]}},`+cost+`}`)
		case strings.Contains(body.Query, "customer(id:"):
			order := func(id int, day int) string {
				return fmt.Sprintf(`{"id":"gid://shopify/Order/%d","name":"#%d","createdAt":"2026-07-%02dT10:00:00Z","cancelledAt":null,
					"displayFinancialStatus":"PAID","displayFulfillmentStatus":"FULFILLED",
					"totalPriceSet":{"shopMoney":{"amount":"100.00","currencyCode":"USD"}},
					"totalRefundedSet":{"shopMoney":{"amount":"0.0","currencyCode":"USD"}},
					"lineItems":{"nodes":[{"title":"Tire","quantity":1,"sku":"T","originalUnitPriceSet":{"shopMoney":{"amount":"100.00","currencyCode":"USD"}}}]}}`, id, id, day)
			}
			return writeJSONStatus(w, 200, `{"data":{"customer":{"id":"gid://shopify/Customer/61","email":"jane@example.com","firstName":"Jane","lastName":"Doe",
				"phone":null,"createdAt":"2025-01-01T00:00:00Z","orders":{"pageInfo":{"hasNextPage":false,"endCursor":null},
				"nodes":[`+order(5001, 2)+`,`+order(5003, 20)+`]}}},`+cost+`}`)
		}
		return writeJSONStatus(w, 400, `{"errors":[{"message":"unexpected query"}]}`)
	})

	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	env["PLUSONE_ZENDESK_URL"] = zd.srv.URL
	env["PLUSONE_ZENDESK_EMAIL"] = "agent@example.com"
	env["PLUSONE_ZENDESK_API_TOKEN"] = "zd-token"
	env["PLUSONE_SHOPIFY_URL"] = shop.srv.URL
	env["PLUSONE_SHOPIFY_ACCESS_TOKEN"] = "shpat-token"
	env["PLUSONE_HISTORY_LIMIT"] = "4"
	app := startApp(t, env)

	// Jane is new: her ticket's card must not wait for the history.
	sent := time.Now()
	app.send(genericEvent(`{"id":"first","type":"ticket.created","occurred_at":"2026-11-20T09:00:00Z",
		"customer":{"email":"jane@example.com","name":"Jane Doe"},"ticket":{"id":"T-1","subject":"Where is my order?"}}`))
	eventually(t, 30*time.Second, "the first card", func() bool { return len(slack.posts()["generic:T-1"]) == 1 })
	firstCard := slack.posts()["generic:T-1"][0].At
	if firstCard.Sub(sent) >= 3*time.Second {
		t.Errorf("first card took %v: it waited for the vendors' Retry-After", firstCard.Sub(sent))
	}
	// The history arrives and the card shows it.
	eventually(t, 20*time.Second, "the card to show the back-filled history", func() bool {
		m, _ := slack.message("generic:T-1")
		return strings.Contains(m.Blocks, "Past ticket") && strings.Contains(m.Blocks, "#5003")
	})
	store := inspectStore(t, app.dbPath)
	settled(t, store)

	// Retry-After honoured: nothing reached Zendesk within 3 s of the 429.
	calls := zd.log()
	if calls[0].status != 429 {
		t.Fatalf("first Zendesk call answered %d", calls[0].status)
	}
	for _, c := range calls[1:] {
		if c.at.Before(calls[0].at.Add(3 * time.Second)) {
			t.Errorf("%s arrived %v after the 429 with Retry-After: 3", c.path, c.at.Sub(calls[0].at))
		}
	}
	// The limit of 4 items: the third page is never asked for.
	for _, c := range calls {
		if strings.Contains(c.query, "c3") {
			t.Errorf("asked for a page beyond the limit: %s?%s", c.path, c.query)
		}
	}
	// Webhooks of objects the history brought are recorded once.
	app.send(zendeskTrigger("inv-late", `{"plusone":"zendesk-trigger/1","event":"updated",
		"ticket":{"id":"5158","subject":"Past ticket 5158","status":"Solved","created_at":"2026-06-18T10:00:00Z","updated_at":"2026-11-21T10:00:00Z"},
		"requester":{"id":"777","email":"jane@example.com","name":"Jane Doe"},"satisfaction":{"score":"good","comment":""}}`))
	app.send(shopifyEvent("orders/create", "late-5001", `{"id":5001,"name":"#5001","email":"jane@example.com","created_at":"2026-07-02T10:00:00Z",
		"currency":"USD","total_price":"100.00","fulfillment_status":"fulfilled","customer":{"id":61,"email":"jane@example.com"},
		"line_items":[{"title":"Tire","quantity":1,"price":"100.00"}]}`))
	settled(t, store)
	ctx := context.Background()
	must(t, store.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "email", Value: "jane@example.com"})
		if err != nil {
			return err
		}
		tl, err := tx.Timeline(ctx, c.ID, 100)
		if err != nil {
			return err
		}
		seen := map[string]int{}
		for _, tp := range tl {
			seen[string(tp.Source)+" "+tp.DedupeKey]++
		}
		for key, n := range seen {
			if n > 1 {
				t.Errorf("%s recorded %d times", key, n)
			}
		}
		for _, want := range []string{"zendesk ticket:5158:opened", "zendesk ticket:4001:opened", "zendesk ticket:4003:opened",
			"shopify order:5001:created", "shopify order:5003:created", "zendesk feedback:ticket:5158:satisfaction:good"} {
			if seen[want] != 1 {
				t.Errorf("timeline lacks %q: %v", want, keysOf(seen))
			}
		}
		if seen["zendesk ticket:4004:opened"] != 0 {
			t.Error("an item beyond the limit was back-filled")
		}
		if c.Profile.Orders != 2 {
			t.Errorf("orders = %d, want 2 (5001 once, 5003)", c.Profile.Orders)
		}
		// Back-filled past tickets get no cards.
		cards, err := tx.CardsOfCustomer(ctx, c.ID, 10)
		if err != nil || len(cards) != 1 {
			t.Errorf("cards = %+v (%v), want only T-1's", cards, err)
		}
		return nil
	}))
	// Never back-filled twice: one search per vendor, even after more events.
	searches := 0
	for _, c := range zd.log() {
		if c.path == "/api/v2/users/search.json" && c.status == 200 {
			searches++
		}
	}
	if searches != 1 {
		t.Errorf("Zendesk user searched %d times", searches)
	}
	m := app.metrics()
	for _, want := range []string{`plusone_backfills_total{outcome="done",source="zendesk"} 1`, `plusone_backfills_total{outcome="done",source="shopify"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s:\n%s", want, grep(m, "plusone_backfill"))
		}
	}
}
