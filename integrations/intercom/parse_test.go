package intercom_test

import (
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	const (
		conv    = "215473853299345"
		convURL = "https://app.intercom.com/a/inbox/a86dr8yl/inbox/shared/all/conversation/" + conv
		subject = "Hi, my winter tires (order #1001) haven't arrived yet and the tracking page has…"
	)
	jane := plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", ExternalID: "6762f1571bb69f9f2193bbbb"}
	janeTicket := func(status string) *plusone.Ticket {
		return &plusone.Ticket{ID: conv, Subject: subject, URL: convURL, Status: status, Priority: "normal",
			Tags: []string{"shipping"}, Channel: "chat"}
	}
	tests := []struct {
		file string
		key  string
		want []plusone.Event // ID defaults to key
	}{
		{"conversation.user.created.json", "notif_5b1c2e3a-8a6f-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: unix(1736331127), Customer: jane,
			Ticket: &plusone.Ticket{ID: conv, Subject: subject, URL: convURL, Status: "open", Priority: "normal", Tags: []string{}, Channel: "chat"},
			Message: &plusone.Message{ID: "conversation:" + conv + ":source",
				Text:   "Hi, my winter tires (order #1001) haven't arrived yet and the tracking page has shown nothing since Monday. Can you check?",
				Author: "Jane Doe", FromCustomer: true},
		}}},
		{"conversation.user.created--email.json", "notif_0a1b2c3d-1111-4e2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: unix(1736326800),
			Customer: plusone.CustomerRef{Email: "Max@Example.org", Name: "Max Mustermann", ExternalID: "6762f15b1bb69f9f2193cccc"},
			Ticket: &plusone.Ticket{ID: "215473853299400", Subject: "Wrong size delivered & return label",
				URL:    "https://app.intercom.com/a/inbox/a86dr8yl/inbox/shared/all/conversation/215473853299400",
				Status: "open", Priority: "high", Tags: []string{"returns", "vip"}, Channel: "email"},
			// The quoted earlier mail is left out.
			Message: &plusone.Message{ID: "conversation:215473853299400:source",
				Text:   "Hello,\n\nI ordered 225/45 R17 but got 205/55 R16.\nPlease send a return label.\n\nMax",
				Author: "Max Mustermann", FromCustomer: true},
		}}},
		{"conversation.user.created--api1.json", "notif_f4a56091-aaaa-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: unix(1736331127),
			Customer: plusone.CustomerRef{Email: "bob.roe@example.net", Name: "Bob Roe", ExternalID: "5a6f9c2b7f1d3e0012ab34cd"},
			Ticket: &plusone.Ticket{ID: "14773952845", Subject: "Do you fit tires on Saturdays?",
				URL:    "https://app.intercom.com/a/inbox/a86dr8yl/inbox/shared/all/conversation/14773952845",
				Status: "open", Tags: []string{}},
			Message: &plusone.Message{ID: "conversation:14773952845:source", Text: "Do you fit tires on Saturdays?", FromCustomer: true},
		}}},
		{"conversation.user.replied.json", "notif_7c2d9e1f-2222-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: unix(1736346330), Customer: jane, Ticket: janeTicket("open"),
			Message: &plusone.Message{ID: "conversation:" + conv + ":part:19914", Text: "Any news? I need the tires before Friday.",
				Author: "Jane Doe", FromCustomer: true},
		}}},
		{"conversation.admin.replied.json", "notif_8d3e0f2a-3333-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: unix(1736348531), Customer: jane, Ticket: janeTicket("open"),
			Message: &plusone.Message{ID: "conversation:" + conv + ":part:19920",
				Text: "Hi Jane, your tires left our warehouse this morning – tracking: 1Z999.", Author: "Sam Support"},
		}}},
		{"conversation.admin.noted.json", "notif_9e4f1a3b-4444-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: unix(1736348700), Customer: jane, Ticket: janeTicket("open"),
			Message: &plusone.Message{ID: "conversation:" + conv + ":part:19925",
				Text: "Carrier says the pallet was mis-routed; chasing.", Author: "Sam Support", Private: true},
		}}},
		{"conversation.admin.snoozed.json", "notif_b0612c5d-6666-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: unix(1736348800), Customer: jane, Ticket: janeTicket("snoozed"),
		}}},
		{"conversation.admin.closed.json", "notif_af501b4c-5555-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: unix(1736441120), Customer: jane, Ticket: janeTicket("closed"),
		}}},
		{"conversation.rating.added.json", "notif_c1723d6e-7777-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			ID: "conversation:" + conv + ":rating:5", Type: plusone.EventFeedbackReceived, OccurredAt: unix(1736441400),
			Customer: jane, Ticket: janeTicket("closed"),
			Feedback: &plusone.Feedback{Score: 5, Scale: plusone.ScaleCSAT, Comment: "Sam was great, thanks!"},
		}}},
		{"contact.user.created.json", "notif_d2834e7f-8888-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventCustomerUpdated, OccurredAt: unix(1730534400),
			Customer: plusone.CustomerRef{Email: "Jane.Doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100",
				ExternalID: "6762f1571bb69f9f2193bbbb", Since: unix(1730534400)},
		}}},
		{"contact.lead.updated.json", "notif_e3945f80-9999-4d2e-9c1b-0f2e3d4c5b6a", []plusone.Event{{
			Type: plusone.EventCustomerUpdated, OccurredAt: unix(1736496000),
			Customer: plusone.CustomerRef{Name: "Visitor 4711", Phone: "+49 30 1234567",
				ExternalID: "6762f15b1bb69f9f2193dddd", Since: unix(1736326800)},
		}}},
		// The signed example of Intercom's webhook documentation (API 1.x).
		{"user.created--signed_example.json", "notif_78c122d0-23ba-11e4-9464-79b01267cc2e", []plusone.Event{{
			Type:     plusone.EventCustomerUpdated,
			Customer: plusone.CustomerRef{Name: "Joe Example", ExternalID: "530370b477ad7120001d"},
		}}},
		{"company.created.json", "notif_ccd8a4d0-f965-11e3-a367-c779cae3e1b3", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			d, err := deliver(t, eventtest.ReadFile(t, tt.file))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d.DedupeKey != tt.key {
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
			eventtest.AssertEvents(t, plusone.SourceIntercom, d.Events, tt.want)
		})
	}
}

func TestParsePing(t *testing.T) {
	t.Parallel()
	d, err := deliver(t, eventtest.ReadFile(t, "ping.json"))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := eventtest.JSON(t, d.Reply); got != `{"ok":true}` {
		t.Errorf("Reply = %s, want {\"ok\":true}", got)
	}
	if len(d.Events) != 0 {
		t.Errorf("a ping carries %d events, want none", len(d.Events))
	}
}

// TestParseRedelivery checks that Intercom's redelivery of a notification,
// whose delivery_attempts has changed, has the same dedupe key and events.
func TestParseRedelivery(t *testing.T) {
	t.Parallel()
	first := eventtest.ReadFile(t, "conversation.user.replied.json")
	again := []byte(strings.Replace(string(first), `"delivery_attempts": 1`, `"delivery_attempts": 2`, 1))
	if string(again) == string(first) {
		t.Fatal("the redelivery did not change")
	}
	a, err := deliver(t, first)
	if err != nil {
		t.Fatal(err)
	}
	b, err := deliver(t, again)
	if err != nil {
		t.Fatal(err)
	}
	if a.DedupeKey != b.DedupeKey {
		t.Errorf("dedupe keys %q and %q differ", a.DedupeKey, b.DedupeKey)
	}
	if eventtest.JSON(t, a.Events) != eventtest.JSON(t, b.Events) {
		t.Errorf("events differ:\n%s\n%s", eventtest.JSON(t, a.Events), eventtest.JSON(t, b.Events))
	}
}

// TestParseCustomerWithoutAuthor: a conversation an admin started names its
// customer by its first contact.
func TestParseCustomerWithoutAuthor(t *testing.T) {
	t.Parallel()
	body := `{"type":"notification_event","id":"notif_x","topic":"conversation.admin.single.created","app_id":"a86dr8yl","created_at":1736331127,
		"data":{"item":{"type":"conversation","id":"77","state":"open","source":{"type":"email","id":"9","subject":"Your order",
		"body":"<p>Your tires are ready for pick-up.</p>","author":{"type":"admin","id":"991267715","name":"Sam Support"}},
		"contacts":{"contacts":[{"type":"contact","id":"c-1","external_id":"crm-42"}]}}}}`
	d, err := deliver(t, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	eventtest.AssertEvents(t, plusone.SourceIntercom, d.Events, []plusone.Event{{
		ID: "notif_x", Type: plusone.EventTicketCreated, OccurredAt: unix(1736331127),
		Customer: plusone.CustomerRef{ExternalID: "c-1"},
		Ticket: &plusone.Ticket{ID: "77", Subject: "Your order", Status: "open", Channel: "email",
			URL: "https://app.intercom.com/a/inbox/a86dr8yl/inbox/shared/all/conversation/77"},
		Message: &plusone.Message{ID: "conversation:77:source", Text: "Your tires are ready for pick-up.", Author: "Sam Support"},
	}})
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const env = `"type":"notification_event","id":"notif_1","app_id":"a1"`
	tests := []struct{ name, body, want string }{
		{"empty", ``, "invalid JSON: unexpected end of JSON input at offset 0"},
		{"syntax", `{"topic": "ping",}`, "invalid JSON: invalid character '}' looking for beginning of object key string at offset 18"},
		{"not an object", `[1]`, "body: expected an object, got array"},
		{"wrong type", `{"type":"event_callback","topic":"ping"}`, `field "type": "event_callback" is not "notification_event"`},
		{"no topic", `{` + env + `}`, `field "topic": required`},
		{"topic not a string", `{` + env + `,"topic":5}`, `field "topic": expected a string, got number`},
		{"no id", `{"type":"notification_event","topic":"contact.user.created","data":{"item":{"id":"1"}}}`, `field "id": required`},
		{"no item", `{` + env + `,"topic":"conversation.user.created","data":{}}`, `field "data.item": required for topic "conversation.user.created"`},
		{"item not an object", `{` + env + `,"topic":"conversation.user.created","data":{"item":[]}}`, `field "data.item": expected an object, got array`},
		{"no conversation id", `{` + env + `,"topic":"conversation.user.created","data":{"item":{"type":"conversation"}}}`, `field "data.item.id": required`},
		{"id is an object", `{` + env + `,"topic":"conversation.user.created","data":{"item":{"id":{}}}}`, `field "data.item.id": expected a string, got object`},
		{"bad time", `{` + env + `,"topic":"conversation.user.created","data":{"item":{"id":"1","created_at":"yesterday"}}}`, `field "data.item.created_at": expected an integer, got value yesterday`},
		{"no customer", `{` + env + `,"topic":"conversation.user.replied","data":{"item":{"id":"1","source":{"author":{"type":"admin","id":"2"}}}}}`, `field "data.item.contacts": the conversation names no contact`},
		{"no rating", `{` + env + `,"topic":"conversation.rating.added","data":{"item":{"id":"1","contacts":{"contacts":[{"id":"c"}]}}}}`, `field "data.item.conversation_rating": required`},
		{"rating out of range", `{` + env + `,"topic":"conversation.rating.added","data":{"item":{"id":"1","contacts":{"contacts":[{"id":"c"}]},"conversation_rating":{"rating":9}}}}`, `field "data.item.conversation_rating.rating": "9" is not a rating from 1 to 5`},
		{"no contact id", `{` + env + `,"topic":"contact.user.updated","data":{"item":{"email":"a@b.c"}}}`, `field "data.item.id": required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := intercom.New(secret).Parse(nil, []byte(tt.body))
			eventtest.AssertError(t, err, plusone.EINVALID, tt.want)
		})
	}
}

// TestParseUnknownTopics: topics plusone does not use are accepted with no
// events, so that Intercom gets its 2xx.
func TestParseUnknownTopics(t *testing.T) {
	t.Parallel()
	for _, topic := range []string{"conversation.deleted", "contact.deleted", "ticket.created", "conversation_part.tag.created", "some.future.topic"} {
		body := `{"type":"notification_event","id":"notif_` + topic + `","topic":"` + topic + `","data":{"item":{"type":"x","id":"1"}}}`
		d, err := intercom.New(secret).Parse(nil, []byte(body))
		if err != nil {
			t.Errorf("%s: %v", topic, err)
			continue
		}
		if len(d.Events) != 0 || d.DedupeKey != "notif_"+topic || d.Reply != nil {
			t.Errorf("%s: got %+v, want no events and the notification id as key", topic, d)
		}
	}
}
