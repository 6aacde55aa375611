package shopify_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	const (
		orderURL = "https://" + shop + "/admin/orders/5940139491234"
		token    = "2f1c0a6e9d3b4c5a8e7f6d5c4b3a2910"
	)
	since := eventtest.At("2023-03-02T13:15:00Z")
	jane := plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", Phone: "+15550100", ExternalID: "6147919642668", Since: since}
	tires := []plusone.LineItem{{Title: "Winter tire", SKU: "WT-22545-17", Quantity: 4, Price: 10599}, {Title: "Valve caps", Quantity: 1, Price: 4000}}
	guest := plusone.Order{ID: "5940139491299", Name: "#1002", URL: "https://" + shop + "/admin/orders/5940139491299", Total: 8900,
		Currency: "EUR", Status: plusone.OrderOpen, Items: []plusone.LineItem{{Title: "Tire pressure gauge", SKU: "TPG-1", Quantity: 1, Price: 8900}},
		CreatedAt: eventtest.At("2024-11-11T09:00:00Z")}
	cancelled := guest
	cancelled.Status = plusone.OrderCancelled
	cart := plusone.Cart{ID: "7c1d9e2f3a4b5c6d7e8f9a0b1c2d3e4f",
		URL:   "https://tires.example/81234/checkouts/7c1d9e2f3a4b5c6d7e8f9a0b1c2d3e4f/recover?key=abc123",
		Total: 21198, Currency: "USD", Items: []plusone.LineItem{{Title: "Winter tire", SKU: "WT-22545-17", Quantity: 2, Price: 10599}},
		UpdatedAt: eventtest.At("2024-11-26T00:05:30Z")}
	completed := cart
	completed.UpdatedAt, completed.CompletedAt = eventtest.At("2024-11-26T13:00:00Z"), eventtest.At("2024-11-26T13:00:00Z")

	tests := []struct {
		file string
		want *plusone.Event // nil = accepted with no events
	}{
		{"orders_create.json", &plusone.Event{
			Type: plusone.EventOrderCreated, OccurredAt: eventtest.At("2024-11-10T15:30:00Z"),
			Customer: plusone.CustomerRef{Email: "Jane.Doe@example.com", Name: "Jane Doe", Phone: "+15550100", ExternalID: "6147919642668", Since: since},
			Order: &plusone.Order{ID: "5940139491234", Name: "#1001", URL: orderURL, Total: 46396, Currency: "USD",
				Status: plusone.OrderOpen, Items: tires, CheckoutToken: token, CreatedAt: eventtest.At("2024-11-10T15:30:00Z")},
		}},
		{"orders_create--guest.json", &plusone.Event{
			Type: plusone.EventOrderCreated, OccurredAt: eventtest.At("2024-11-11T09:00:00Z"),
			Customer: plusone.CustomerRef{Email: "guest.buyer@example.net", Phone: "+15550199"},
			Order:    &guest,
		}},
		{"orders_create--pos.json", nil},
		{"orders_fulfilled.json", &plusone.Event{
			Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2024-11-12T13:00:00Z"), Customer: jane,
			Order: &plusone.Order{ID: "5940139491234", Name: "#1001", URL: orderURL, Total: 46396, Currency: "USD",
				Status: plusone.OrderFulfilled, Items: tires, CheckoutToken: token, CreatedAt: eventtest.At("2024-11-10T15:30:00Z")},
		}},
		{"orders_cancelled.json", &plusone.Event{
			Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2024-11-11T11:15:00Z"),
			Customer: plusone.CustomerRef{Email: "guest.buyer@example.net"},
			Order:    &cancelled,
		}},
		{"orders_paid.json", &plusone.Event{
			Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2024-11-10T15:31:00Z"),
			Customer: plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", ExternalID: "6147919642668"},
			Order: &plusone.Order{ID: "5940139491234", Name: "#1001", URL: orderURL, Total: 46396, Currency: "USD",
				Status: plusone.OrderOpen, CreatedAt: eventtest.At("2024-11-10T15:30:00Z")},
		}},
		{"refunds_create.json", &plusone.Event{
			Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2020-01-14T15:34:55Z"),
			Order: &plusone.Order{ID: "450789469", URL: "https://" + shop + "/admin/orders/450789469", Refunded: 4194, RefundID: "929361464", Currency: "USD"},
		}},
		{"refunds_create--line_items_only.json", &plusone.Event{
			Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2024-11-21T14:00:00Z"),
			Order: &plusone.Order{ID: "5940139491234", URL: orderURL, Refunded: 14599, RefundID: "929361470"},
		}},
		{"checkouts_create.json", &plusone.Event{
			Type: plusone.EventCheckoutUpdated, OccurredAt: eventtest.At("2024-11-26T00:05:30Z"),
			Customer: plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", ExternalID: "6147919642668", Since: since},
			Cart:     &cart,
		}},
		{"checkouts_update--completed.json", &plusone.Event{
			Type: plusone.EventCheckoutUpdated, OccurredAt: eventtest.At("2024-11-26T13:00:00Z"),
			Customer: plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", ExternalID: "6147919642668"},
			Cart:     &completed,
		}},
		{"checkouts_create--anonymous.json", nil},
		{"customers_create.json", &plusone.Event{
			Type: plusone.EventCustomerUpdated, OccurredAt: eventtest.At("2024-11-27T15:00:00Z"),
			Customer: plusone.CustomerRef{Email: "Bob.Roe@Example.org", Name: "Bob Roe", ExternalID: "6147919642670", Since: eventtest.At("2024-11-27T15:00:00Z")},
		}},
		{"customers_update.json", &plusone.Event{
			Type: plusone.EventCustomerUpdated, OccurredAt: eventtest.At("2024-11-28T14:30:00Z"),
			Customer: plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe-Smith", Phone: "+15550100", ExternalID: "6147919642668", Since: since},
		}},
		{"products_update.json", nil},
		// The compliance topics: the shop from the body, the request's id
		// Shopify's own when it gives one, the delivery's otherwise.
		{"customers_data_request.json", &plusone.Event{
			Type:       plusone.EventDataRequest,
			Customer:   plusone.CustomerRef{Email: "john@example.com", Phone: "555-625-1199", ExternalID: "191167"},
			Compliance: &plusone.Compliance{Shop: "snowdevil.myshopify.com", RequestID: "9999"},
		}},
		{"customers_redact.json", &plusone.Event{
			Type:       plusone.EventCustomerRedact,
			Customer:   plusone.CustomerRef{Email: "john@example.com", Phone: "555-625-1199", ExternalID: "191167"},
			Compliance: &plusone.Compliance{Shop: "snowdevil.myshopify.com", RequestID: "evt-customers_redact.json"},
		}},
		{"customers_redact--email_only.json", &plusone.Event{
			Type:       plusone.EventCustomerRedact,
			Customer:   plusone.CustomerRef{Email: "john@example.com"},
			Compliance: &plusone.Compliance{Shop: "snowdevil.myshopify.com", RequestID: "evt-customers_redact--email_only.json"},
		}},
		{"shop_redact.json", &plusone.Event{
			Type:       plusone.EventShopRedact,
			Compliance: &plusone.Compliance{Shop: "snowdevil.myshopify.com", RequestID: "evt-shop_redact.json"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			key := "evt-" + tt.file
			d, err := deliver(t, topicOf(tt.file), key, eventtest.ReadFile(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d.DedupeKey != key {
				t.Errorf("DedupeKey = %q, want %q", d.DedupeKey, key)
			}
			var want []plusone.Event
			if tt.want != nil {
				tt.want.ID = key
				want = []plusone.Event{*tt.want}
			}
			eventtest.AssertEvents(t, plusone.SourceShopify, d.Events, want)
		})
	}
}

// TestParseOrderRefunds: an order delivery reports the order with nothing
// refunded, then each refund it lists as refunds/create reports it (amount
// and refund id), so that the pipeline counts every refund once by its id,
// whichever delivery comes first.
func TestParseOrderRefunds(t *testing.T) {
	t.Parallel()
	const orderURL = "https://" + shop + "/admin/orders/5940139491234"
	jane := plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", ExternalID: "6147919642668", Since: eventtest.At("2023-03-02T13:15:00Z")}
	tires := []plusone.LineItem{{Title: "Winter tire", SKU: "WT-22545-17", Quantity: 4, Price: 10599}, {Title: "Valve caps", Quantity: 1, Price: 4000}}
	refund := func(id, at string, amount plusone.Money) plusone.Event {
		return plusone.Event{ID: "evt-1:refund:" + id, Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At(at), Customer: jane,
			Order: &plusone.Order{ID: "5940139491234", URL: orderURL, Refunded: amount, RefundID: id, Currency: "USD"}}
	}
	d, err := deliver(t, "orders/updated", "evt-1", eventtest.ReadFile(t, "orders_updated--refunded.json"))
	if err != nil {
		t.Fatal(err)
	}
	eventtest.AssertEvents(t, plusone.SourceShopify, d.Events, []plusone.Event{
		{ID: "evt-1", Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2024-11-20T19:00:00Z"), Customer: jane,
			Order: &plusone.Order{ID: "5940139491234", Name: "#1001", URL: orderURL, Total: 46396, Currency: "USD",
				Status: plusone.OrderFulfilled, Items: tires, CheckoutToken: "2f1c0a6e9d3b4c5a8e7f6d5c4b3a2910", CreatedAt: eventtest.At("2024-11-10T15:30:00Z")}},
		// Its successful refund transaction; the failed one is left out.
		refund("929361464", "2024-11-18T15:00:00Z", 4000),
		refund("929361465", "2024-11-20T19:00:00Z", 1500),
	})

	// A refund's events are those of its refunds/create delivery but for
	// the event id and the customer, whom refunds/create does not name.
	rc, err := deliver(t, "refunds/create", "evt-2", []byte(`{"id":929361464,"order_id":5940139491234,
		"processed_at":"2024-11-18T10:00:00-05:00","transactions":[{"kind":"refund","status":"success","amount":"40.00","currency":"USD"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, want := *rc.Events[0].Order, *d.Events[1].Order
	if eventtest.JSON(t, got) != eventtest.JSON(t, want) || !rc.Events[0].OccurredAt.Equal(d.Events[1].OccurredAt) {
		t.Errorf("refunds/create gives %s at %v, the order delivery %s at %v", eventtest.JSON(t, got), rc.Events[0].OccurredAt,
			eventtest.JSON(t, want), d.Events[1].OccurredAt)
	}

	// Refunds of nothing give no event; one without an id (a hand-made
	// payload), without a time or in another currency keeps what it says.
	d, err = deliver(t, "orders/updated", "evt-3", []byte(`{"id":7,"email":"a@example.com","currency":"EUR","updated_at":"2025-01-02T00:00:00Z","refunds":[
		{"id":1,"transactions":[{"kind":"refund","status":"failure","amount":"5.00"}]},
		{"id":2,"refund_line_items":[]},
		{"refund_line_items":[{"subtotal":"3.00"}]},
		{"id":4,"created_at":"2025-01-01T00:00:00Z","transactions":[{"kind":"refund","amount":"2.50","currency":"USD"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a, url7 := plusone.CustomerRef{Email: "a@example.com"}, "https://"+shop+"/admin/orders/7"
	eventtest.AssertEvents(t, plusone.SourceShopify, d.Events, []plusone.Event{
		{ID: "evt-3", Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2025-01-02T00:00:00Z"), Customer: a,
			Order: &plusone.Order{ID: "7", URL: url7, Currency: "EUR", Status: plusone.OrderOpen}},
		{ID: "evt-3:refunds[2]", Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2025-01-02T00:00:00Z"), Customer: a,
			Order: &plusone.Order{ID: "7", URL: url7, Refunded: 300, Currency: "EUR"}},
		{ID: "evt-3:refund:4", Type: plusone.EventOrderUpdated, OccurredAt: eventtest.At("2025-01-01T00:00:00Z"), Customer: a,
			Order: &plusone.Order{ID: "7", URL: url7, Refunded: 250, RefundID: "4", Currency: "USD"}},
	})
}

func TestParseHeaders(t *testing.T) {
	t.Parallel()
	body := eventtest.ReadFile(t, "customers_update.json")
	tests := []struct {
		name    string
		headers map[string]string
		wantKey string
		wantErr string
	}{
		{"event id wins", map[string]string{shopify.HeaderTopic: "customers/update", shopify.HeaderEventID: "e1", shopify.HeaderWebhookID: "w1"}, "e1", ""},
		{"webhook id as fallback", map[string]string{shopify.HeaderTopic: "customers/update", shopify.HeaderWebhookID: "w1"}, "w1", ""},
		{"unprefixed names", map[string]string{"Shopify-Topic": "customers/update", "Shopify-Event-Id": "e2"}, "e2", ""},
		{"no topic", map[string]string{shopify.HeaderEventID: "e1"}, "", "missing header X-Shopify-Topic"},
		{"no ids", map[string]string{shopify.HeaderTopic: "customers/update"}, "", "missing headers X-Shopify-Event-Id and X-Shopify-Webhook-Id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			d, err := shopify.New(secret).Parse(h, body)
			if tt.wantErr != "" {
				eventtest.AssertError(t, err, plusone.EINVALID, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.DedupeKey != tt.wantKey {
				t.Errorf("DedupeKey = %q, want %q", d.DedupeKey, tt.wantKey)
			}
		})
	}
}

// TestParseShopDomain keeps an unsigned header from making arbitrary links.
func TestParseShopDomain(t *testing.T) {
	t.Parallel()
	for domain, want := range map[string]string{
		"Tires-Co.myshopify.com":              "https://tires-co.myshopify.com/admin/orders/5940139491234",
		"evil.example/phish?x=":               "",
		"":                                    "",
		"localhost":                           "",
		"tires-co.myshopify.com@evil.example": "",
	} {
		h := http.Header{}
		h.Set(shopify.HeaderTopic, "orders/paid")
		h.Set(shopify.HeaderEventID, "e1")
		h.Set(shopify.HeaderShopDomain, domain)
		d, err := shopify.New(secret).Parse(h, eventtest.ReadFile(t, "orders_paid.json"))
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Events[0].Order.URL; got != want {
			t.Errorf("domain %q: URL = %q, want %q", domain, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, topic, body, want string }{
		{"malformed", "orders/create", `{"id": 1, "email": "a@b.c",`, "invalid JSON: unexpected end of JSON input at offset 27"},
		{"not an object", "orders/create", `[]`, "body: expected an object, got array"},
		{"order id missing", "orders/create", `{"email": "a@b.c"}`, `field "id": required for an order`},
		{"order id is an object", "orders/updated", `{"id": {"a": 1}}`, `field "id": expected a string, got object`},
		{"total", "orders/create", `{"id": 1, "email": "a@b.c", "total_price": "12,00"}`, `field "total_price": invalid amount "12,00"`},
		{"item price", "orders/create", `{"id": 1, "email": "a@b.c", "line_items": [{"title": "x", "price": "free"}]}`, `field "line_items[0].price": invalid amount "free"`},
		{"item quantity", "orders/create", `{"id": 1, "email": "a@b.c", "line_items": [{"quantity": "two"}]}`, `field "line_items.quantity": expected an integer, got string`},
		{"created_at", "orders/create", `{"id": 1, "email": "a@b.c", "created_at": "10/11/2024"}`, `field "created_at": "10/11/2024" is not an RFC 3339 time`},
		{"customer created_at", "orders/create", `{"id": 1, "customer": {"id": 2, "created_at": "soon"}}`, `field "customer.created_at": "soon" is not an RFC 3339 time`},
		{"refunds", "orders/updated", `{"id": 1, "email": "a@b.c", "refunds": [{"transactions": [{"kind": "refund", "amount": "x"}]}]}`, `field "refunds[0].transactions[0].amount": invalid amount "x"`},
		{"refund order", "refunds/create", `{"id": 9}`, `field "order_id": required for a refund`},
		{"refund amount", "refunds/create", `{"order_id": 9, "transactions": [{"kind": "refund", "status": "success", "amount": true}]}`, `field "transactions[0].amount": invalid amount "true"`},
		{"refund subtotal", "refunds/create", `{"order_id": 9, "refund_line_items": [{"subtotal": "?"}]}`, `field "refund_line_items[0].subtotal": invalid amount "?"`},
		{"checkout token", "checkouts/create", `{"email": "a@b.c"}`, `field "token": required for a checkout`},
		{"checkout completed_at", "checkouts/update", `{"token": "t", "email": "a@b.c", "completed_at": "yes"}`, `field "completed_at": "yes" is not an RFC 3339 time`},
		{"customer id", "customers/create", `{"email": "a@b.c"}`, `field "id": required for a customer`},
		{"customer email type", "customers/update", `{"id": 1, "email": ["a@b.c"]}`, `field "email": expected a string, got array`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			h.Set(shopify.HeaderTopic, tt.topic)
			h.Set(shopify.HeaderEventID, "e1")
			_, err := shopify.New(secret).Parse(h, []byte(tt.body))
			eventtest.AssertError(t, err, plusone.EINVALID, tt.want)
		})
	}
}

// TestParseUnknownTopicIgnoresBody: Shopify must get a 2xx for topics
// plusone does not use, whatever they carry.
func TestParseUnknownTopicIgnoresBody(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set(shopify.HeaderTopic, "app/uninstalled")
	h.Set(shopify.HeaderWebhookID, "w1")
	d, err := shopify.New(secret).Parse(h, []byte(`not json`))
	if err != nil || d.DedupeKey != "w1" || len(d.Events) != 0 {
		t.Errorf("got %+v, %v; want an empty delivery", d, err)
	}
}

// TestParseComplianceInvalid: a compliance webhook that names nobody is
// refused with the field at fault.
func TestParseComplianceInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct{ topic, body, want string }{
		{"customers/redact", `{"shop_id":1,"shop_domain":"a.myshopify.com"}`, `field "customer": required`},
		{"customers/redact", `{"shop_id":1,"customer":{"email":"not an email"}}`, `field "customer": needs an "id" or an "email"`},
		{"customers/data_request", `{"shop_id":1,"customer":{}}`, `field "customer": needs an "id" or an "email"`},
		{"shop/redact", `{}`, `field "shop_id": required`},
	}
	for _, tt := range tests {
		_, err := deliverTo(t, tt.topic, tt.body)
		if plusone.ErrorCode(err) != plusone.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %s: %v, want EINVALID with %q", tt.topic, tt.body, err, tt.want)
		}
	}
}

// deliverTo is deliver without the shop's header, for a body alone.
func deliverTo(t *testing.T, topic, body string) (plusone.Delivery, error) {
	t.Helper()
	src := shopify.New(secret)
	h := http.Header{}
	h.Set(shopify.HeaderTopic, topic)
	h.Set(shopify.HeaderWebhookID, "w-1")
	shopify.Sign(h, secret, []byte(body), now)
	return src.Parse(h, []byte(body))
}
