package generic_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

const secret = "test-secret"

var now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// deliver signs body, verifies and parses it as the intake does.
func deliver(t *testing.T, body []byte) (plusone.Delivery, error) {
	t.Helper()
	src := generic.New(secret)
	h := http.Header{}
	generic.Sign(h, secret, body, now)
	if err := src.Verify(h, body, now); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return src.Parse(h, body)
}

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	jane := plusone.CustomerRef{Email: "jane@example.com"}
	tests := []struct {
		file string
		want plusone.Event
	}{
		{"ticket_created.json", plusone.Event{
			ID: "evt_0001", Type: plusone.EventTicketCreated, OccurredAt: eventtest.At("2026-11-20T15:04:05Z"),
			Customer: plusone.CustomerRef{Email: "Jane@Example.com", Name: "Jane Doe", ExternalID: "crm-42",
				Preferences: map[string]string{"contact": "email, mornings"}},
			Ticket: &plusone.Ticket{ID: "T-1001", Subject: "Where is my order?", URL: "https://help.example.com/T-1001",
				Status: "open", Tags: []string{"shipping"}},
			Message: &plusone.Message{Text: "My tires have not arrived.", FromCustomer: true},
		}},
		{"ticket_updated.json", plusone.Event{
			ID: "evt_0002", Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2026-11-20T16:30:00Z"), Customer: jane,
			Ticket: &plusone.Ticket{ID: "T-1001", Status: "solved", Priority: "high", Tags: []string{"shipping", "resolved"},
				Brand: "Tires & Co", Channel: "email"},
		}},
		{"message_received.json", plusone.Event{
			ID: "evt_0003", Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2026-11-21T09:12:00Z"),
			Customer: plusone.CustomerRef{ExternalID: "42"},
			Ticket:   &plusone.Ticket{ID: "1001"},
			Message:  &plusone.Message{ID: "m-9", Text: "Any news on the delivery?", Author: "Jane Doe", FromCustomer: true},
		}},
		{"message_received_agent.json", plusone.Event{
			ID: "evt_0004", Type: plusone.EventMessageReceived, Customer: jane,
			Ticket:  &plusone.Ticket{ID: "T-1001"},
			Message: &plusone.Message{Text: "Your tires ship tomorrow.", Author: "Sam (support)"},
		}},
		{"order_created.json", plusone.Event{
			ID: "evt_0005", Type: plusone.EventOrderCreated, OccurredAt: eventtest.At("2026-11-22T10:00:00Z"),
			Customer: plusone.CustomerRef{Email: "jane@example.com", Name: "Jane Doe", Phone: "+1 555 0100"},
			Order: &plusone.Order{ID: "1002", Name: "#1002", URL: "https://shop.example.com/orders/1002",
				Total: 123450, Currency: "USD", Status: "open", CheckoutToken: "c-77", CreatedAt: eventtest.At("2026-11-22T09:59:30Z"),
				Items: []plusone.LineItem{
					{Title: "Winter tire", SKU: "WT-17", Quantity: 4, Price: 29999},
					{Title: "Valve caps", Quantity: 1, Price: 3554},
				}},
		}},
		{"cart_abandoned.json", plusone.Event{
			ID: "evt_0006", Type: plusone.EventCartAbandoned, OccurredAt: eventtest.At("2026-11-23T18:45:00Z"), Customer: jane,
			Cart: &plusone.Cart{ID: "c-78", URL: "https://shop.example.com/cart/c-78", Total: 8900, Currency: "USD",
				Items:     []plusone.LineItem{{Title: "Tire pressure gauge", Quantity: 1, Price: 8900}},
				UpdatedAt: eventtest.At("2026-11-23T18:45:00Z"), Abandoned: true},
		}},
		{"feedback_nps.json", plusone.Event{
			ID: "evt_0007", Type: plusone.EventFeedbackReceived, OccurredAt: eventtest.At("2026-11-24T08:00:00Z"), Customer: jane,
			Ticket:   &plusone.Ticket{ID: "T-1001"},
			Feedback: &plusone.Feedback{Score: 9, Scale: plusone.ScaleNPS, Comment: "Great help"},
		}},
		{"feedback_csat.json", plusone.Event{
			ID: "evt_0008", Type: plusone.EventFeedbackReceived, Customer: plusone.CustomerRef{ExternalID: "crm-42"},
			Feedback: &plusone.Feedback{Score: 2, Scale: plusone.ScaleCSAT},
		}},
		{"customer_updated.json", plusone.Event{
			ID: "evt_0009", Type: plusone.EventCustomerUpdated, OccurredAt: eventtest.At("2026-11-25T12:00:00Z"),
			Customer: plusone.CustomerRef{ExternalID: "crm-42", Name: "Jane Q. Doe", Phone: "+1 555 0101",
				Preferences: map[string]string{"contact": "phone after 5pm", "size": "225/45 R17"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			d, err := deliver(t, eventtest.ReadFile(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.want.Source = plusone.SourceGeneric
			if d.DedupeKey != tt.want.ID {
				t.Errorf("DedupeKey = %q, want %q", d.DedupeKey, tt.want.ID)
			}
			if len(d.Events) != 1 {
				t.Fatalf("got %d events, want 1", len(d.Events))
			}
			assertEvent(t, d.Events[0], tt.want)
		})
	}
}

// TestEveryTestdataFileParses catches testdata files the table above forgot.
func TestEveryTestdataFileParses(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if _, err := deliver(t, eventtest.ReadFile(t, e.Name())); err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
	}
}

func assertEvent(t *testing.T, got, want plusone.Event) {
	t.Helper()
	if g, w := eventJSON(t, got), eventJSON(t, want); g != w {
		t.Errorf("event mismatch\n got: %s\nwant: %s", g, w)
	}
	if !got.OccurredAt.IsZero() && got.OccurredAt.Location() != time.UTC {
		t.Errorf("OccurredAt %v is not in UTC", got.OccurredAt)
	}
}

func eventJSON(t *testing.T, e plusone.Event) string {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"empty body", ``, "invalid JSON: unexpected end of JSON input at offset 0"},
		{"truncated", `{"id": "evt_1", "type": "ticket.created", "customer": {`, "invalid JSON: unexpected end of JSON input at offset 55"},
		{"trailing garbage", `{"id": "e"} x`, "invalid JSON: invalid character 'x' after top-level value at offset 13"},
		{"not an object", `[1, 2]`, "body: expected an object, got array"},
		{"missing id", `{"type": "customer.updated", "customer": {"email": "a@b.c"}}`, `field "id": required`},
		{"id is an object", `{"id": {}, "type": "customer.updated"}`, `field "id": expected a string, got object`},
		{"missing type", `{"id": "e1", "customer": {"email": "a@b.c"}}`, `field "type": required, one of ticket.created`},
		{"unknown type", `{"id": "e1", "type": "order.shipped", "customer": {"email": "a@b.c"}}`, `field "type": "order.shipped" is not one of`},
		{"missing customer", `{"id": "e1", "type": "customer.updated"}`, `field "customer": required`},
		{"customer without identity", `{"id": "e1", "type": "customer.updated", "customer": {"name": "Jane"}}`, `field "customer": email or external_id is required`},
		{"bad email", `{"id": "e1", "type": "customer.updated", "customer": {"email": "jane at example"}}`, `field "customer.email": "jane at example" is not an email address`},
		{"email type", `{"id": "e1", "type": "customer.updated", "customer": {"email": 42}}`, `field "customer.email": expected a string, got number`},
		{"preference type", `{"id": "e1", "type": "customer.updated", "customer": {"email": "a@b.c", "preferences": {"vip": true}}}`, `field "customer.preferences`},
		{"bad occurred_at", `{"id": "e1", "type": "customer.updated", "occurred_at": "yesterday", "customer": {"email": "a@b.c"}}`, `field "occurred_at": "yesterday" is not an RFC 3339 time`},
		{"ticket missing", `{"id": "e1", "type": "ticket.created", "customer": {"email": "a@b.c"}}`, `field "ticket": required for ticket events`},
		{"ticket id missing", `{"id": "e1", "type": "ticket.updated", "customer": {"email": "a@b.c"}, "ticket": {"subject": "Hi"}}`, `field "ticket.id": required`},
		{"tags not a list", `{"id": "e1", "type": "ticket.updated", "customer": {"email": "a@b.c"}, "ticket": {"id": "T1", "tags": "a b"}}`, `field "ticket.tags": expected an array, got string`},
		{"message missing", `{"id": "e1", "type": "message.received", "customer": {"email": "a@b.c"}}`, `field "message": required for message.received`},
		{"message text missing", `{"id": "e1", "type": "message.received", "customer": {"email": "a@b.c"}, "message": {"text": " "}}`, `field "message.text": required`},
		{"author type", `{"id": "e1", "type": "message.received", "customer": {"email": "a@b.c"}, "message": {"text": "hi", "author_type": "robot"}}`, `field "message.author_type": "robot" is not "customer" or "agent"`},
		{"order missing", `{"id": "e1", "type": "order.created", "customer": {"email": "a@b.c"}}`, `field "order": required for order.created`},
		{"order id missing", `{"id": "e1", "type": "order.created", "customer": {"email": "a@b.c"}, "order": {"total": 5}}`, `field "order.id": required`},
		{"order total", `{"id": "e1", "type": "order.created", "customer": {"email": "a@b.c"}, "order": {"id": "1", "total": "abc"}}`, `field "order.total": invalid amount "abc"`},
		{"item price", `{"id": "e1", "type": "order.created", "customer": {"email": "a@b.c"}, "order": {"id": "1", "items": [{"title": "x", "price": "1,50"}]}}`, `field "order.items[0].price": invalid amount "1,50"`},
		{"item quantity", `{"id": "e1", "type": "order.created", "customer": {"email": "a@b.c"}, "order": {"id": "1", "items": [{"quantity": 1.5}]}}`, `field "order.items.quantity": expected an integer, got number 1.5`},
		{"order created_at", `{"id": "e1", "type": "order.created", "customer": {"email": "a@b.c"}, "order": {"id": "1", "created_at": "2026-11-22"}}`, `field "order.created_at": "2026-11-22" is not an RFC 3339 time`},
		{"cart missing", `{"id": "e1", "type": "cart.abandoned", "customer": {"email": "a@b.c"}}`, `field "cart": required for cart.abandoned`},
		{"cart id missing", `{"id": "e1", "type": "cart.abandoned", "customer": {"email": "a@b.c"}, "cart": {}}`, `field "cart.id": required`},
		{"cart total", `{"id": "e1", "type": "cart.abandoned", "customer": {"email": "a@b.c"}, "cart": {"id": "c", "total": true}}`, `field "cart.total": invalid amount "true"`},
		{"feedback missing", `{"id": "e1", "type": "feedback.received", "customer": {"email": "a@b.c"}}`, `field "feedback": required for feedback.received`},
		{"score missing", `{"id": "e1", "type": "feedback.received", "customer": {"email": "a@b.c"}, "feedback": {"scale": "nps"}}`, `field "feedback.score": required`},
		{"scale missing", `{"id": "e1", "type": "feedback.received", "customer": {"email": "a@b.c"}, "feedback": {"score": 3}}`, `field "feedback.scale": required`},
		{"scale unknown", `{"id": "e1", "type": "feedback.received", "customer": {"email": "a@b.c"}, "feedback": {"score": 3, "scale": "stars"}}`, `field "feedback.scale": "stars" is not "nps" (0-10) or "csat" (1-5)`},
		{"nps range", `{"id": "e1", "type": "feedback.received", "customer": {"email": "a@b.c"}, "feedback": {"score": 11, "scale": "nps"}}`, `field "feedback.score": 11 is outside 0-10 for scale "nps"`},
		{"csat range", `{"id": "e1", "type": "feedback.received", "customer": {"email": "a@b.c"}, "feedback": {"score": 0, "scale": "csat"}}`, `field "feedback.score": 0 is outside 1-5 for scale "csat"`},
	}
	src := generic.New(secret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := src.Parse(nil, []byte(tt.body))
			if err == nil {
				t.Fatalf("Parse succeeded, want error containing %q", tt.want)
			}
			if code := plusone.ErrorCode(err); code != plusone.EINVALID {
				t.Errorf("code = %q, want %q", code, plusone.EINVALID)
			}
			if msg := plusone.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.want)
			}
		})
	}
}

func TestParseIgnoresObjectsTheTypeDoesNotNeed(t *testing.T) {
	t.Parallel()
	// A customer.updated carrying a broken order is still a customer update.
	body := `{"id": "e1", "type": "customer.updated", "customer": {"email": "a@b.c"}, "order": {"total": "abc"}}`
	d, err := generic.New(secret).Parse(nil, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if e := d.Events[0]; e.Order != nil || e.Ticket != nil || e.Cart != nil {
		t.Errorf("event carries parts its type does not need: %+v", e)
	}
}
