package zendesk_test

import (
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

func TestParseEventTestdata(t *testing.T) {
	t.Parallel()
	jane := plusone.CustomerRef{ExternalID: "8447388090494"}
	const url = "https://tires.zendesk.com/agent/tickets/5158"
	tests := []struct {
		file string
		key  string
		want []plusone.Event
	}{
		{"event_ticket_created.json", "5e1b2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e", []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: eventtest.At("2025-01-08T10:12:07.412345678Z"), Customer: jane,
			Ticket: &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: "new",
				Priority: "normal", Tags: []string{"shipping", "order_status"}, Channel: "web_form"},
		}}},
		{"event_comment_added.json", "d4f5c389-8f4a-4c2e-a1b9-8e4f39c71d52", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T14:25:30.123456789Z"), Customer: jane,
			Ticket: &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: "open",
				Priority: "high", Tags: []string{"shipping", "order_status", "vip"}, Channel: "email", AssigneeID: "8447388090495"},
			Message: &plusone.Message{ID: "9876543210", Text: "Any news? I need the tires before Friday.", Author: "Jane Doe", FromCustomer: true},
		}}},
		{"event_comment_added_agent.json", "0b9f1c2e-1111-4c2e-a1b9-8e4f39c71d52", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T15:02:11Z"), Customer: jane,
			Ticket: &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: "pending",
				Priority: "high", Tags: []string{"shipping", "order_status", "vip"}, Channel: "email"},
			Message: &plusone.Message{ID: "9876543299", Text: "Hi Jane, your tires left our warehouse this morning.", Author: "Sam Support"},
		}}},
		{"event_comment_added_private.json", "0b9f1c2e-2222-4c2e-a1b9-8e4f39c71d52", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T15:05:00Z"), Customer: jane,
			Ticket:  &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: "open", Tags: []string{"shipping"}},
			Message: &plusone.Message{ID: "9876543300", Text: "Carrier says the pallet was mis-routed; chasing.", Author: "Sam Support", Private: true},
		}}},
		{"event_status_changed.json", "a8b9c1d2-3e4f-5a6b-7c8d-9e0f1a2b3c4d", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-09T16:45:20.987654321Z"), Customer: jane,
			Ticket: &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: "solved",
				Priority: "high", Tags: []string{"shipping", "order_status", "vip"}, Channel: "email", AssigneeID: "8447388090495"},
		}}},
		{"event_priority_changed.json", "c1d2e3f4-0000-4000-8000-000000000001", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-08T16:00:00Z"), Customer: jane,
			Ticket: &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: "open",
				Priority: "urgent", Tags: []string{"shipping"}, Channel: "email"},
		}}},
		{"event_tags_changed.json", "c1d2e3f4-0000-4000-8000-000000000002", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-08T16:05:00Z"), Customer: jane,
			Ticket: &plusone.Ticket{ID: "5158", Subject: "Where is my order #1001?", URL: url, Status: "open",
				Tags: []string{"shipping", "escalated"}},
		}}},
		{"event_user_created.json", "6b9bbadf-5725-4e92-bebe-7b71011bf5f1", []plusone.Event{{
			Type: plusone.EventCustomerUpdated, OccurredAt: eventtest.At("2025-01-08T05:33:18Z"),
			Customer: plusone.CustomerRef{Email: "Jane.Doe@example.com", ExternalID: "8447388090494", Since: eventtest.At("2025-01-08T05:27:58Z")},
		}}},
		{"event_user_name_changed.json", "6b9bbadf-5725-4e92-bebe-7b71011bf5f2", []plusone.Event{{
			Type: plusone.EventCustomerUpdated, OccurredAt: eventtest.At("2025-01-10T08:00:00Z"),
			Customer: plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Q. Doe", ExternalID: "8447388090494", Since: eventtest.At("2025-01-08T05:27:58Z")},
		}}},
		{"event_user_agent.json", "2b24ef10-19d4-4740-93cf-8f98ec4776c0", nil},
		{"event_organization_created.json", "71c0b6b4-1f0d-4f4a-9d6e-3c2b1a0f9e8d", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			d, err := deliver(t, eventtest.ReadFile(t, tt.file), "X-Zendesk-Webhook-Invocation-Id", "8350205582")
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d.DedupeKey != tt.key {
				t.Errorf("DedupeKey = %q, want %q", d.DedupeKey, tt.key)
			}
			for i := range tt.want {
				tt.want[i].ID = tt.key
			}
			eventtest.AssertEvents(t, plusone.SourceZendesk, d.Events, tt.want)
		})
	}
}

func TestParseEventWithoutBaseURLHasNoLink(t *testing.T) {
	t.Parallel()
	d, err := newSourceWithout().Parse(nil, eventtest.ReadFile(t, "event_status_changed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if u := d.Events[0].Ticket.URL; u != "" {
		t.Errorf("URL = %q, want none", u)
	}
}

func TestParseEventErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, want string }{
		{"type not a string", `{"type": 5}`, `field "type": expected a string, got number`},
		{"not a zendesk type", `{"type": "ticket.created", "id": "x"}`, `field "type": "ticket.created" is not a Zendesk event type`},
		{"bad time", `{"type": "zen:event-type:ticket.created", "id": "x", "time": "Jan 8"}`, `field "time": "Jan 8" is not an ISO 8601 time`},
		{"no detail", `{"type": "zen:event-type:ticket.created", "id": "x"}`, `field "detail": required for ticket events`},
		{"no ticket id", `{"type": "zen:event-type:ticket.created", "id": "x", "detail": {"requester_id": "1"}}`, `field "detail.id": required`},
		{"no requester", `{"type": "zen:event-type:ticket.created", "id": "x", "subject": "zen:ticket:5", "detail": {}}`, `field "detail.requester_id": required`},
		{"requester is an object", `{"type": "zen:event-type:ticket.created", "id": "x", "detail": {"id": "5", "requester_id": {}}}`, `field "detail.requester_id": expected a string, got object`},
		{"tags not a list", `{"type": "zen:event-type:ticket.created", "id": "x", "detail": {"id": "5", "requester_id": "1", "tags": {"a": 1}}}`, `field "detail.tags"`},
		{"comment missing", `{"type": "zen:event-type:ticket.comment_added", "id": "x", "detail": {"id": "5", "requester_id": "1"}, "event": {}}`, `field "event.comment": required for ticket.comment_added`},
		{"comment body type", `{"type": "zen:event-type:ticket.comment_added", "id": "x", "detail": {"id": "5", "requester_id": "1"}, "event": {"comment": {"body": 7}}}`, `field "event.comment.body": expected a string, got number`},
		{"truncated", `{"type": "zen:event-type:ticket.created", "id": "x", "detail": {`, `invalid JSON: unexpected end of JSON input at offset 64`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := newSource().Parse(nil, []byte(tt.body))
			eventtest.AssertError(t, err, plusone.EINVALID, tt.want)
		})
	}
}

// TestParseEventTicketIDFromSubject covers payloads whose detail lacks the id.
func TestParseEventTicketIDFromSubject(t *testing.T) {
	t.Parallel()
	body := `{"type": "zen:event-type:ticket.subject_changed", "id": "x", "subject": "zen:ticket:77", "detail": {"requester_id": "1", "subject": "New subject"}}`
	d, err := newSource().Parse(nil, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if e := d.Events[0]; e.Type != plusone.EventTicketUpdated || e.Ticket.ID != "77" || e.Ticket.Subject != "New subject" {
		t.Errorf("event = %+v, ticket %+v", e, e.Ticket)
	}
}

// TestParseEventDedupeFallbacks covers payloads without an id.
func TestParseEventDedupeFallbacks(t *testing.T) {
	t.Parallel()
	body := []byte(`{"type": "zen:event-type:organization.created", "detail": {}}`)
	d, err := deliver(t, body, "X-Zendesk-Webhook-Invocation-Id", "8350205582")
	if err != nil {
		t.Fatal(err)
	}
	if d.DedupeKey != "invocation:8350205582" {
		t.Errorf("DedupeKey = %q", d.DedupeKey)
	}
	d, err = deliver(t, body)
	if err != nil {
		t.Fatal(err)
	}
	const want = "sha256:"
	if len(d.DedupeKey) != len(want)+64 || d.DedupeKey[:len(want)] != want {
		t.Errorf("DedupeKey = %q, want a SHA-256 of the body", d.DedupeKey)
	}
}
