package freshdesk_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

func TestParseTestdata(t *testing.T) {
	t.Parallel()
	const (
		url      = "https://tiresco.freshdesk.com/helpdesk/tickets/42"
		subject  = "Where is my order #1001?"
		reply    = "Hi Jane, your tires left our warehouse this morning – tracking number 1Z999."
		question = "Any news? I need the tires before Friday."
	)
	jane := plusone.CustomerRef{Email: "jane.doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100", ExternalID: "80012345678"}
	// Sam is the agent the ticket is assigned to ({{ticket.agent.name}})
	// once an agent took it.
	janeTicket := func(status string) *plusone.Ticket {
		return &plusone.Ticket{ID: "42", Subject: subject, URL: url, Status: status, Priority: "medium",
			Tags: []string{"shipping", "late delivery"}, Channel: "email", Assignee: "Sam Support"}
	}
	unassigned := janeTicket("open")
	unassigned.Assignee = ""
	tests := []struct {
		file string
		key  string
		want []plusone.Event // ID defaults to key
	}{
		{"ticket_created.json", "ticket_created:42:2025-01-08 05:12:07 -0500", []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: eventtest.At("2025-01-08T10:12:07Z"),
			Customer: plusone.CustomerRef{Email: "Jane.Doe@example.com", Name: "Jane Doe", Phone: "+1 555 0100", ExternalID: "80012345678"},
			Ticket:   unassigned,
			Message: &plusone.Message{ID: "ticket:42:description", Author: "Jane Doe", FromCustomer: true,
				Text: "Hi,\n\nmy winter tires (order #1001) haven't arrived yet. The tracking page shows nothing since Monday.\n\nJane"},
		}}},
		// Unescaped placeholders broke the JSON; the repair reads them as meant.
		{"ticket_created--broken.json", "ticket_created:43:2025-01-12 09:00:00 UTC", []plusone.Event{{
			Type: plusone.EventTicketCreated, OccurredAt: eventtest.At("2025-01-12T09:00:00Z"),
			Customer: plusone.CustomerRef{Email: "max@example.org", Name: `Max "Tires" Mustermann`, ExternalID: "80012345999"},
			Ticket: &plusone.Ticket{ID: "43", Subject: `Tire size "225/45 R17" out of stock?`, URL: "https://tiresco.freshdesk.com/helpdesk/tickets/43",
				Status: "open", Priority: "low", Tags: []string{"stock"}, Channel: "portal"},
			Message: &plusone.Message{ID: "ticket:43:description", Author: `Max "Tires" Mustermann`, FromCustomer: true,
				// The line breaks in the HTML source are white space, as in a browser.
				Text: "Hello,\nthe shop says \"sold out\", but I need them by Friday. Can you check C:\\orders?\nThanks, Max"},
		}}},
		{"customer_replied.json", "customer_replied:42:2025-01-08 09:25:30 -0500:" + sum8(question), []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T14:25:30Z"), Customer: jane, Ticket: janeTicket("open"),
			// The quoted earlier mail is left out.
			Message: &plusone.Message{ID: "ticket:42:comment:" + sum8(question), Text: question, Author: "Jane Doe", FromCustomer: true},
		}}},
		{"agent_replied.json", "agent_replied:42:2025-01-08 10:02:11 -0500:" + sum8(reply), []plusone.Event{{
			Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T15:02:11Z"), Customer: jane, Ticket: janeTicket("pending"),
			Message: &plusone.Message{ID: "ticket:42:comment:" + sum8(reply), Text: reply, Author: "Sam Support"},
		}}},
		{"status_changed.json", "status_changed:42:2025-01-09 11:45:20 -0500:" + sum8(reply), []plusone.Event{{
			Type: plusone.EventTicketUpdated, OccurredAt: eventtest.At("2025-01-09T16:45:20Z"), Customer: jane, Ticket: janeTicket("resolved"),
		}}},
		{"satisfaction.json", "satisfaction:42:2025-01-10 04:30:00 -0500:" + sum8(reply), []plusone.Event{{
			ID: "ticket:42:satisfaction:5", Type: plusone.EventFeedbackReceived, OccurredAt: eventtest.At("2025-01-10T09:30:00Z"),
			Customer: jane, Ticket: janeTicket("closed"),
			Feedback: &plusone.Feedback{Score: 5, Scale: plusone.ScaleCSAT},
		}}},
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
			for i := range tt.want {
				if tt.want[i].ID == "" {
					tt.want[i].ID = tt.key
				}
			}
			eventtest.AssertEvents(t, plusone.SourceFreshdesk, d.Events, tt.want)
		})
	}
}

// TestParseUnrendered: placeholders Freshdesk left as they were read as
// empty, unquoted numbers as text, and without an update time a hash of the
// body keys the delivery.
func TestParseUnrendered(t *testing.T) {
	t.Parallel()
	body := eventtest.ReadFile(t, "ticket_updated--unrendered.json")
	d, err := deliver(t, body)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	sum := sha256.Sum256(body)
	key := "ticket_updated:44:sha256:" + hex.EncodeToString(sum[:])
	if d.DedupeKey != key {
		t.Errorf("DedupeKey = %q, want %q", d.DedupeKey, key)
	}
	eventtest.AssertEvents(t, plusone.SourceFreshdesk, d.Events, []plusone.Event{{
		ID: key, Type: plusone.EventTicketUpdated,
		Customer: plusone.CustomerRef{Name: "Bob Roe", ExternalID: "80012346001"},
		Ticket: &plusone.Ticket{ID: "44", Subject: "Return label", Status: "waiting on customer", Priority: "high",
			Tags: []string{}, Channel: "phone"},
	}})
}

// TestParseRedelivery: a retry of the same rule run is one delivery; the
// same update reported by two rules, or a new comment, is another.
func TestParseRedelivery(t *testing.T) {
	t.Parallel()
	body := eventtest.ReadFile(t, "customer_replied.json")
	a, err := deliver(t, body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := deliver(t, body)
	if err != nil {
		t.Fatal(err)
	}
	if a.DedupeKey != b.DedupeKey || a.Events[0].Message.ID != b.Events[0].Message.ID {
		t.Errorf("a redelivery has another key: %q and %q", a.DedupeKey, b.DedupeKey)
	}
	other, err := deliver(t, []byte(strings.Replace(string(body), `"event": "customer_replied"`, `"event": "status_changed"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	next, err := deliver(t, []byte(strings.Replace(string(body), "Any news?", "Hello again?", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if other.DedupeKey == a.DedupeKey || next.DedupeKey == a.DedupeKey {
		t.Errorf("distinct deliveries share a key: %q, %q, %q", a.DedupeKey, other.DedupeKey, next.DedupeKey)
	}
}

// TestBodyTemplate renders the template the admin pastes, as Freshdesk
// would, and checks that it reads back.
func TestBodyTemplate(t *testing.T) {
	t.Parallel()
	tmpl := freshdesk.BodyTemplate()
	if !strings.Contains(tmpl, `"plusone": "`+freshdesk.BodyMarker+`"`) {
		t.Fatalf("the template lacks the marker: %s", tmpl)
	}
	// Unrendered, the placeholders read as empty: the error says what to set.
	_, err := freshdesk.New(secret).Parse(nil, []byte(tmpl))
	eventtest.AssertError(t, err, plusone.EINVALID, `field "ticket.id": required; set it to "{{ticket.id}}"`)

	rendered := strings.NewReplacer(
		`"event": "ticket_created"`, `"event": "agent_replied"`,
		"{{ticket.id}}", "77",
		"{{ticket.subject}}", `The "M" size`,
		"{{ticket.url}}", "https://acme.freshdesk.com/helpdesk/tickets/77",
		"{{ticket.status}}", "Pending",
		"{{ticket.priority}}", "Urgent",
		"{{ticket.source}}", "Chat",
		"{{ticket.tags}}", "returns, size",
		"{{ticket.created_on}}", "2025-01-08 10:12:07 UTC",
		"{{ticket.modified_on}}", "2025-01-08 10:20:00 UTC",
		"{{ticket.requester.id}}", "1001",
		"{{ticket.requester.email}}", "ann@example.com",
		"{{ticket.requester.name}}", "Ann Lee",
		"{{ticket.requester.phone}}", "",
		"{{ticket.agent.name}}", "Sam Support",
		"{{ticket.agent.email}}", "sam@acme.example",
		"{{ticket.company.name}}", "Acme Corp",
		`"fields": {}`, `"fields": {"plan": "Gold", "Order ID": "#1001", "empty": ""}`,
		"{{ticket.description}}", "<div>The M fits like an S.</div>",
		"{{ticket.latest_public_comment}}", "<p>Sorry, Ann!\nA label is on its way.</p>",
	).Replace(tmpl)
	if strings.Contains(rendered, "{{") {
		t.Fatalf("a placeholder was not rendered: %s", rendered)
	}
	d, err := freshdesk.New(secret).Parse(nil, []byte(rendered))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	text := "Sorry, Ann! A label is on its way." // the line break inside <p> is white space in HTML
	eventtest.AssertEvents(t, plusone.SourceFreshdesk, d.Events, []plusone.Event{{
		ID: d.DedupeKey, Type: plusone.EventMessageReceived, OccurredAt: eventtest.At("2025-01-08T10:20:00Z"),
		Customer: plusone.CustomerRef{Email: "ann@example.com", Name: "Ann Lee", ExternalID: "1001"},
		Ticket: &plusone.Ticket{ID: "77", Subject: `The "M" size`, URL: "https://acme.freshdesk.com/helpdesk/tickets/77",
			Status: "pending", Priority: "urgent", Tags: []string{"returns", "size"}, Channel: "chat",
			Assignee: "Sam Support", Organization: "Acme Corp", Fields: map[string]string{"plan": "Gold", "Order ID": "#1001"}},
		Message: &plusone.Message{ID: "ticket:77:comment:" + sum8(text), Text: text, Author: "Sam Support"},
	}})
	if want := "agent_replied:77:2025-01-08 10:20:00 UTC:" + sum8(text); d.DedupeKey != want {
		t.Errorf("DedupeKey = %q, want %q", d.DedupeKey, want)
	}
}

func TestParseSatisfactionRatings(t *testing.T) {
	t.Parallel()
	body := string(eventtest.ReadFile(t, "satisfaction.json"))
	for rating, want := range map[string]int{
		"1": 1, "5": 5, "103": 5, "102": 5, "101": 4, "100": 3, "-101": 2, "-102": 1, "-103": 1,
		"Extremely happy": 5, "happy": 4, "Neutral": 3, "Unhappy": 2, "Very unhappy": 1, "extremely_unhappy": 1,
		"Awesome": 5, "Just okay": 3, "Not good": 1,
	} {
		d, err := deliver(t, []byte(strings.Replace(body, `"rating": "Extremely happy"`, `"rating": "`+rating+`"`, 1)))
		if err != nil {
			t.Errorf("rating %q: %v", rating, err)
			continue
		}
		if got := d.Events[0].Feedback.Score; got != want {
			t.Errorf("rating %q = %d, want %d", rating, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const ok = `"ticket": {"id": "5"}, "requester": {"email": "a@b.c"}`
	tests := []struct{ name, body, want string }{
		{"empty", ``, "invalid JSON: unexpected end of JSON input at offset 0"},
		{"not an object", `"hello"`, "body: expected an object, got string"},
		{"no marker", `{"event": "ticket_created", ` + ok + `}`, `field "plusone": required; paste freshdesk.BodyTemplate`},
		{"wrong marker", `{"plusone": "freshdesk/9", ` + ok + `}`, `field "plusone": "freshdesk/9" is not a layout this version reads`},
		{"unknown event", `{"plusone": "freshdesk/1", "event": "deleted", ` + ok + `}`, `field "event": "deleted" is not "ticket_created", "customer_replied"`},
		{"no ticket id", `{"plusone": "freshdesk/1", "requester": {"email": "a@b.c"}}`, `field "ticket.id": required`},
		{"ticket is a list", `{"plusone": "freshdesk/1", "ticket": []}`, `field "ticket": expected an object, got array`},
		{"id is an object", `{"plusone": "freshdesk/1", "ticket": {"id": {"x": 1}}}`, `field "ticket.id": expected a string, got object`},
		{"no requester", `{"plusone": "freshdesk/1", "ticket": {"id": "5"}}`, `field "requester": email or id is required`},
		{"bad email", `{"plusone": "freshdesk/1", "ticket": {"id": "5"}, "requester": {"email": "Jane Doe"}}`, `field "requester.email": "Jane Doe" is not an email address`},
		{"reply without comment", `{"plusone": "freshdesk/1", "event": "customer_replied", ` + ok + `}`, `field "comment": required for "event": "customer_replied"`},
		{"satisfaction without rating", `{"plusone": "freshdesk/1", "event": "satisfaction", ` + ok + `}`, `field "satisfaction.rating": required for "event": "satisfaction"`},
		{"unknown rating", `{"plusone": "freshdesk/1", "event": "satisfaction", "satisfaction": {"rating": "meh"}, ` + ok + `}`, `field "satisfaction.rating": "meh" is not a rating`},
		{"beyond repair", `{"plusone": "freshdesk/1", "ticket": {"id": "5", "subject": "a", "b"}}`, `invalid JSON: invalid character '}' after object key at offset 69`},
		{"other broken JSON is not repaired", "{\"event\": \"two\nlines\"}", `invalid JSON: invalid character '\n' in string literal`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := freshdesk.New(secret).Parse(nil, []byte(tt.body))
			eventtest.AssertError(t, err, plusone.EINVALID, tt.want)
		})
	}
}

func sum8(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
