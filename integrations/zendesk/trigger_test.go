package zendesk_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

func TestParseTriggerTestdata(t *testing.T) {
	t.Parallel()
	const url = "https://tires.zendesk.com/agent/tickets/5158"
	jane := plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", ExternalID: "8447388090494"}
	janeTicket := func(status, updated string) *plusone.Ticket {
		return &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: status, Priority: "high",
			Tags: []string{"shipping", "order_status", "vip"}, Brand: "Tires & Co", Channel: "mail"}
	}
	tests := []struct {
		file string
		want []plusone.Event
	}{
		{"trigger_created.json", []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: eventtest.At("2025-01-08T10:12:00Z"),
			Customer: plusone.CustomerRef{Email: "Jane.Doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100", ExternalID: "8447388090494"},
			Ticket: &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: "new", Priority: "normal",
				Tags: []string{"shipping", "order_status"}, Brand: "Tires & Co", Channel: "web form"},
			Message: &plusone.Message{ID: "9876543200", Text: "My tires have not arrived and the tracking page shows nothing.", Author: "Jane Doe", FromCustomer: true},
		}}},
		{"trigger_comment.json", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T14:25:00Z"), Customer: jane,
			Ticket: janeTicket("open", ""),
			Message: &plusone.Message{ID: "ticket:5158:comment:" + sum8("Any news? I need the tires before Friday."),
				Text: "Any news? I need the tires before Friday.", Author: "Jane Doe", FromCustomer: true},
		}}},
		{"trigger_agent_reply.json", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T15:02:00Z"), Customer: jane,
			Ticket:  janeTicket("pending", ""),
			Message: &plusone.Message{ID: "9876543299", Text: "Hi Jane, your tires left our warehouse this morning.", Author: "Sam Support"},
		}}},
		{"trigger_satisfaction.json", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-10T09:30:00Z"), Customer: jane,
			Ticket:  janeTicket("solved", ""),
			Message: &plusone.Message{ID: "9876543299", Text: "Hi Jane, your tires left our warehouse this morning.", Author: "Sam Support"},
		}, {
			ID: "ticket:5158:satisfaction:good", Type: plusone.EventFeedbackReceived, OccurredAt: eventtest.At("2025-01-10T09:30:00Z"), Customer: jane,
			Ticket:   janeTicket("solved", ""),
			Feedback: &plusone.Feedback{Score: 5, Scale: plusone.ScaleCSAT, Comment: "Sam was great, thanks!"},
		}}},
		{"trigger_unquoted.json", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-11T08:05:00Z"),
			Customer: plusone.CustomerRef{Name: "Bob Roe", ExternalID: "8447388090777"},
			Ticket: &plusone.Ticket{ID: "5160", Subject: "Return label", URL: "https://tires.zendesk.com/agent/tickets/5160",
				Status: "open", Tags: []string{"returns", "label"}, Channel: "chat"},
		}, {
			ID: "ticket:5160:satisfaction:bad", Type: plusone.EventFeedbackReceived, OccurredAt: eventtest.At("2025-01-11T08:05:00Z"),
			Customer: plusone.CustomerRef{Name: "Bob Roe", ExternalID: "8447388090777"},
			Ticket: &plusone.Ticket{ID: "5160", Subject: "Return label", URL: "https://tires.zendesk.com/agent/tickets/5160",
				Status: "open", Tags: []string{"returns", "label"}, Channel: "chat"},
			Feedback: &plusone.Feedback{Score: 1, Scale: plusone.ScaleCSAT, Comment: "Took too long"},
		}}},
		{"trigger_broken_text.json", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-12T09:00:00Z"),
			Customer: plusone.CustomerRef{Email: "max@example.org", Name: `Max "Tires" Mustermann`, ExternalID: "8447388090888"},
			Ticket: &plusone.Ticket{ID: "5161", Subject: `Tire size "225/45 R17" out of stock?`, URL: "https://tires.zendesk.com/agent/tickets/5161",
				Status: "open", Priority: "normal", Tags: []string{"stock"}, Brand: "Tires & Co", Channel: "mail"},
			Message: &plusone.Message{
				ID:     "ticket:5161:comment:" + sum8("Hello,\nthe shop says \"sold out\", but I need them by Friday.\tCan you check C:\\orders?\n\nThanks, Max"),
				Text:   "Hello,\nthe shop says \"sold out\", but I need them by Friday.\tCan you check C:\\orders?\n\nThanks, Max",
				Author: "Max Mustermann", FromCustomer: true},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			d, err := deliver(t, eventtest.ReadFile(t, tt.file), "X-Zendesk-Webhook-Invocation-Id", "8350205582")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			const key = "invocation:8350205582"
			if d.DedupeKey != key {
				t.Errorf("DedupeKey = %q, want %q", d.DedupeKey, key)
			}
			for i := range tt.want {
				if tt.want[i].ID == "" {
					tt.want[i].ID = key
				}
			}
			eventtest.AssertEvents(t, plusone.SourceZendesk, d.Events, tt.want)
		})
	}
}

func sum8(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// TestTriggerTemplate renders the template the admin pastes, as Zendesk
// would, and checks that it reads back.
func TestTriggerTemplate(t *testing.T) {
	t.Parallel()
	tmpl := zendesk.TriggerTemplate()
	if !json.Valid([]byte(tmpl)) {
		t.Fatal("the template is not valid JSON")
	}
	// Unrendered, the placeholders read as empty: the error says what to set.
	_, err := newSource().Parse(nil, []byte(tmpl))
	eventtest.AssertError(t, err, plusone.EINVALID, `field "ticket.id": required; set it to "{{ticket.id}}"`)

	rendered := strings.NewReplacer(
		"{{ticket.id}}", "42",
		"{{ticket.title}}", "Wrong size",
		"{{ticket.link}}", "acme.zendesk.com/agent/tickets/42",
		"{{ticket.status}}", "Open",
		"{{ticket.priority}}", "-",
		"{{ticket.tags}}", "returns size",
		"{{ticket.via}}", "Web Form",
		"{{ticket.brand.name}}", "Acme",
		"{{ticket.created_at_with_timestamp}}", "2025-01-08T10:12Z",
		"{{ticket.updated_at_with_timestamp}}", "2025-01-08T10:20Z",
		"{{ticket.assignee.name}}", "Ana Agent",
		"{{ticket.organization.name}}", "Acme Corp",
		"{{ticket.organization.custom_fields.plan}}", "Enterprise",
		"{{ticket.requester.id}}", "1001",
		"{{ticket.requester.email}}", "ann@example.com",
		"{{ticket.requester.name}}", "Ann Lee",
		"{{ticket.requester.phone}}", "",
		"{{ticket.requester.external_id}}", "",
		"{{satisfaction.current_rating}}", "Offered",
		"{{satisfaction.current_comment}}", "",
		"{{ticket.latest_public_comment.id}}", "555",
		"{{ticket.latest_public_comment.author.id}}", "1001",
		"{{ticket.latest_public_comment.author.name}}", "Ann Lee",
		"{{ticket.latest_public_comment}}", `The "M" fits like an "S".`,
	).Replace(tmpl)
	if strings.Contains(rendered, "{{") {
		t.Fatalf("a placeholder was not rendered: %s", rendered)
	}
	d, err := newSource().Parse(nil, []byte(rendered))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	eventtest.AssertEvents(t, plusone.SourceZendesk, d.Events, []plusone.Event{{
		ID: d.DedupeKey, Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-08T10:20:00Z"),
		Customer: plusone.CustomerRef{Email: "ann@example.com", Name: "Ann Lee", ExternalID: "1001"},
		Ticket: &plusone.Ticket{ID: "42", Subject: "Wrong size", URL: "https://acme.zendesk.com/agent/tickets/42", Status: "open",
			Tags: []string{"returns", "size"}, Brand: "Acme", Channel: "web form",
			Assignee: "Ana Agent", Organization: "Acme Corp", Plan: "Enterprise"},
		Message: &plusone.Message{ID: "555", Text: `The "M" fits like an "S".`, Author: "Ann Lee", FromCustomer: true},
	}})
}

func TestParseTriggerDedupe(t *testing.T) {
	t.Parallel()
	body := eventtest.ReadFile(t, "trigger_comment.json")
	a, err := newSource().Parse(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newSource().Parse(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	if a.DedupeKey != b.DedupeKey || !strings.HasPrefix(a.DedupeKey, "sha256:") {
		t.Errorf("dedupe keys %q and %q, want one stable SHA-256", a.DedupeKey, b.DedupeKey)
	}
}

func TestParseTriggerErrors(t *testing.T) {
	t.Parallel()
	const ok = `"ticket": {"id": "5"}, "requester": {"email": "a@b.c"}`
	tests := []struct{ name, body, want string }{
		{"wrong marker", `{"plusone": "zendesk-trigger/9", ` + ok + `}`, `field "plusone": "zendesk-trigger/9" is not a layout this version reads`},
		{"no ticket id", `{"plusone": "zendesk-trigger/1", "requester": {"email": "a@b.c"}}`, `field "ticket.id": required`},
		{"no requester", `{"plusone": "zendesk-trigger/1", "ticket": {"id": "5"}}`, `field "requester": email or id is required`},
		{"bad email", `{"plusone": "zendesk-trigger/1", "ticket": {"id": "5"}, "requester": {"email": "not an email"}}`, `field "requester.email": "not an email" is not an email address`},
		{"unknown event", `{"plusone": "zendesk-trigger/1", "event": "solved", ` + ok + `}`, `field "event": "solved" is not "created", "updated" or "comment"`},
		{"comment without body", `{"plusone": "zendesk-trigger/1", "event": "comment", ` + ok + `}`, `field "comment.body": required for "event": "comment"`},
		{"ticket is a list", `{"plusone": "zendesk-trigger/1", "ticket": []}`, `field "ticket": expected an object, got array`},
		{"id is an object", `{"plusone": "zendesk-trigger/1", "ticket": {"id": {"x": 1}}}`, `field "ticket.id": expected a string, got object`},
		{"beyond repair", `{"plusone": "zendesk-trigger/1", "ticket": {"id": "5", "subject": "a", "b"}}`, `invalid JSON: invalid character '}' after object key at offset 75`},
		{"neither kind", `{"hello": "world"}`, `body is neither a Zendesk event`},
		{"not an object", `"hello"`, `body: expected an object, got string`},
		{"empty", ``, `invalid JSON: unexpected end of JSON input at offset 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := newSource().Parse(nil, []byte(tt.body))
			eventtest.AssertError(t, err, plusone.EINVALID, tt.want)
		})
	}
}

// TestParseDoesNotRepairEventPayloads keeps the repair to trigger bodies.
func TestParseDoesNotRepairEventPayloads(t *testing.T) {
	t.Parallel()
	body := "{\"type\": \"zen:event-type:ticket.created\", \"id\": \"x\", \"detail\": {\"subject\": \"two\nlines\"}}"
	_, err := newSource().Parse(nil, []byte(body))
	eventtest.AssertError(t, err, plusone.EINVALID, "invalid JSON: invalid character '\\n' in string literal")
}
