package helpscout_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/helpscout"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	const (
		conv    = "2391938111"
		convURL = "https://secure.helpscout.net/conversation/2391938111/349"
		subject = "Where is my order #1001?"
	)
	jane := plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", ExternalID: "472611182"}
	unassigned := func(t *plusone.Ticket) *plusone.Ticket { t.Assignee = ""; return t }
	janeTicket := func(status string, tags ...string) *plusone.Ticket {
		if tags == nil {
			tags = []string{}
		}
		return &plusone.Ticket{ID: conv, Subject: subject, URL: convURL, Status: status, Tags: tags, Channel: "email", Assignee: "Sam Support"}
	}
	tests := []struct {
		file string
		key  string
		want []plusone.Event // ID defaults to key
	}{
		{"convo.created.json", "convo.created:" + conv, []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: eventtest.At("2025-01-08T10:12:07Z"), Customer: jane, Ticket: unassigned(janeTicket("open")),
			Message: &plusone.Message{ID: "thread:5001", Author: "Jane Doe", FromCustomer: true,
				Text: "Hi,\nmy winter tires (order #1001) haven't arrived yet. The tracking page shows nothing since Monday.\n\nJane"},
		}}},
		{"convo.created--v1.json", "convo.created:2391938222", []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: eventtest.At("2025-01-11T08:05:00Z"),
			Customer: plusone.CustomerRef{Email: "max@example.org", Name: "Max Mustermann", ExternalID: "472611199"},
			Ticket: &plusone.Ticket{ID: "2391938222", Subject: "Return label", URL: "https://secure.helpscout.net/conversation/2391938222/350",
				Status: "open", Tags: []string{"returns", "label"}, Channel: "email"},
			Message: &plusone.Message{ID: "thread:88171881", Text: "Please send a return label for the 205/55 R16 tires.",
				Author: "Max Mustermann", FromCustomer: true},
		}}},
		{"convo.customer.reply.created.json", "convo.customer.reply.created:" + conv + ":thread:5003", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T14:25:30Z"), Customer: jane, Ticket: janeTicket("open", "shipping"),
			// The quoted earlier reply is left out.
			Message: &plusone.Message{ID: "thread:5003", Text: "Any news? I need the tires before Friday.", Author: "Jane Doe", FromCustomer: true},
		}}},
		{"convo.agent.reply.created.json", "convo.agent.reply.created:" + conv + ":thread:5004", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T15:02:11Z"), Customer: jane, Ticket: janeTicket("pending", "shipping"),
			Message: &plusone.Message{ID: "thread:5004", Text: "Hi Jane, your tires left our warehouse this morning.\nTracking: 1Z999", Author: "Sam Support"},
		}}},
		{"convo.note.created.json", "convo.note.created:" + conv + ":thread:5005", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T15:05:00Z"), Customer: jane, Ticket: janeTicket("pending", "shipping"),
			Message: &plusone.Message{ID: "thread:5005", Text: "Carrier says the pallet was mis-routed; chasing.", Author: "Sam Support", Private: true},
		}}},
		{"convo.status.json", "convo.status:" + conv + ":2025-01-09T16:45:20Z:18a29794642fdb15", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-09T16:45:20Z"), Customer: jane, Ticket: janeTicket("closed", "shipping"),
		}}},
		{"convo.tags.json", "convo.tags:" + conv + ":2025-01-08T15:10:00Z:662d65a2b7c13e1e", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-08T15:10:00Z"), Customer: jane, Ticket: janeTicket("pending", "shipping", "vip"),
		}}},
		{"convo.assigned--no_threads.json", "convo.assigned:" + conv + ":2025-01-08T10:20:00Z:377e334899f3cd19", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-08T10:20:00Z"), Customer: jane, Ticket: janeTicket("open"),
		}}},
		{"customer.created.json", "customer.created:29418:2012-07-24T20:18:33Z", []plusone.Event{{
			Type: plusone.EventCustomerUpdated, OccurredAt: eventtest.At("2012-07-24T20:18:33Z"),
			Customer: plusone.CustomerRef{Email: "vbear@mywork.com", Name: "Vernon Bear", Phone: "222-333-4444", ExternalID: "29418", Since: eventtest.At("2012-07-23T12:34:12Z")},
		}}},
		{"customer.updated.json", "customer.updated:472611182:2025-01-10T08:00:00Z", []plusone.Event{{
			Type: plusone.EventCustomerUpdated, OccurredAt: eventtest.At("2025-01-10T08:00:00Z"),
			Customer: plusone.CustomerRef{Email: "Jane.Doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100", ExternalID: "472611182", Since: eventtest.At("2024-11-02T08:00:00Z")},
		}}},
		// The example of Help Scout's Rating object documentation.
		{"satisfaction.ratings.json", "satisfaction.ratings:5434:2015-04-14T20:18:33Z", []plusone.Event{{
			ID: "rating:5434:great", Type: plusone.EventFeedbackReceived, OccurredAt: eventtest.At("2015-04-14T20:18:33Z"),
			Customer: plusone.CustomerRef{Email: "john.doe@gmail.com", Name: "John Doe", ExternalID: "449379"},
			Feedback: &plusone.Feedback{Score: 5, Scale: plusone.ScaleCSAT, Comment: "he was really helpful"},
		}}},
		{"satisfaction.ratings--not_good.json", "satisfaction.ratings:5501:2025-01-10T09:30:00Z", []plusone.Event{{
			ID: "rating:5501:not_good", Type: plusone.EventFeedbackReceived, OccurredAt: eventtest.At("2025-01-10T09:30:00Z"), Customer: jane,
			Feedback: &plusone.Feedback{Score: 1, Scale: plusone.ScaleCSAT, Comment: "Took three days\nto get an answer."},
		}}},
		{"convo.deleted.json", "convo.deleted:" + conv, nil},
		{"beacon.chat.created.json", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			d, err := deliver(t, eventOf(tt.file), eventtest.ReadFile(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			switch {
			case tt.key == "" && !strings.HasPrefix(d.DedupeKey, "sha256:"):
				t.Errorf("DedupeKey = %q, want a SHA-256 of the event and body", d.DedupeKey)
			case tt.key != "" && d.DedupeKey != tt.key:
				t.Errorf("DedupeKey = %q, want %q", d.DedupeKey, tt.key)
			}
			if d.Reply != nil {
				t.Errorf("Reply = %v, want none: the delivery must be stored", d.Reply)
			}
			for i := range tt.want {
				if tt.want[i].ID == "" {
					tt.want[i].ID = tt.key
				}
			}
			eventtest.AssertEvents(t, plusone.SourceHelpScout, d.Events, tt.want)
		})
	}
}

func TestParseTestEvent(t *testing.T) {
	t.Parallel()
	d, err := deliver(t, "helpscout.test", eventtest.ReadFile(t, "helpscout.test.json"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := eventtest.JSON(t, d.Reply); got != `{"ok":true}` {
		t.Errorf("Reply = %s, want {\"ok\":true}", got)
	}
	if len(d.Events) != 0 {
		t.Errorf("the test event carries %d events, want none", len(d.Events))
	}
}

// TestParseRedelivery checks that a redelivery whose body changed where
// Help Scout's payload changes over time (customerWaitingSince.friendly) has
// the same dedupe key, for every kind of key derived from content.
func TestParseRedelivery(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"convo.customer.reply.created.json", "convo.status.json", "convo.created.json"} {
		first := eventtest.ReadFile(t, file)
		again := []byte(strings.Replace(string(first), `"friendly": "`, `"friendly": "about `, 1))
		if string(again) == string(first) {
			t.Fatalf("%s: the redelivery did not change", file)
		}
		a, err := deliver(t, eventOf(file), first)
		if err != nil {
			t.Fatal(err)
		}
		b, err := deliver(t, eventOf(file), again)
		if err != nil {
			t.Fatal(err)
		}
		if a.DedupeKey != b.DedupeKey {
			t.Errorf("%s: dedupe keys %q and %q differ", file, a.DedupeKey, b.DedupeKey)
		}
	}
}

// TestParseDistinctChanges: two changes of the same conversation in the
// same second are two deliveries.
func TestParseDistinctChanges(t *testing.T) {
	t.Parallel()
	body := eventtest.ReadFile(t, "convo.tags.json")
	untagged := []byte(strings.Replace(string(body), `"tag": "vip"`, `"tag": "urgent"`, 1))
	a, err := deliver(t, "convo.tags", body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := deliver(t, "convo.tags", untagged)
	if err != nil {
		t.Fatal(err)
	}
	if a.DedupeKey == b.DedupeKey {
		t.Errorf("two different tag changes share the dedupe key %q", a.DedupeKey)
	}
	c, err := deliver(t, "convo.status", body)
	if err != nil {
		t.Fatal(err)
	}
	if c.DedupeKey == a.DedupeKey {
		t.Errorf("two events share the dedupe key %q", a.DedupeKey)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, event, body, want string }{
		{"no event header", "", `{"id":1}`, "missing header X-HelpScout-Event"},
		{"empty", "convo.created", ``, "invalid JSON: unexpected end of JSON input at offset 0"},
		{"syntax", "convo.status", `{"id": 1,}`, "invalid JSON: invalid character '}' looking for beginning of object key string at offset 10"},
		{"not an object", "convo.status", `[1]`, "body: expected an object, got array"},
		{"no conversation id", "convo.status", `{"number": 1}`, `field "id": required`},
		{"id is an object", "convo.status", `{"id": {}}`, `field "id": expected a string, got object`},
		{"tags not a list", "convo.tags", `{"id": 1, "tags": "vip"}`, `field "tags": expected an array, got string`},
		{"no customer", "convo.status", `{"id": 1, "status": "closed"}`, `field "primaryCustomer": the conversation names no customer`},
		{"bad time", "convo.status", `{"id": 1, "primaryCustomer": {"id": 2}, "userUpdatedAt": "yesterday"}`, `field "userUpdatedAt": "yesterday" is not an ISO 8601 time`},
		{"bad thread time", "convo.created", `{"id": 1, "primaryCustomer": {"id": 2}, "_embedded": {"threads": [{"id": 3, "type": "customer", "createdAt": "x"}]}}`, `field "threads.createdAt": "x" is not an ISO 8601 time`},
		{"threads not a list", "convo.created", `{"id": 1, "threads": "many"}`, `field "threads": expected an array, got value`},
		{"no customer id", "customer.updated", `{"firstName": "Jane"}`, `field "id": required`},
		{"unknown rating", "satisfaction.ratings", `{"id": 1, "rating": "Meh", "customer": {"id": 2}}`, `field "rating": "Meh" is not Great, Okay or Not Good`},
		{"rating without customer", "satisfaction.ratings", `{"id": 1, "rating": "Great"}`, `field "customer": the rating names no customer`},
		{"deleted not an object", "convo.deleted", `"1"`, "body: expected an object, got string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			h.Set(helpscout.HeaderEvent, tt.event)
			_, err := helpscout.New(secret).Parse(h, []byte(tt.body))
			eventtest.AssertError(t, err, plusone.EINVALID, tt.want)
		})
	}
}
