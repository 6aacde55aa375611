package view

import (
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

func escalationNotice() plusone.ComposedNotice {
	return plusone.ComposedNotice{
		Kind:     plusone.NoticeEscalation,
		Customer: plusone.Customer{ID: 7, Name: "Jane Doe"},
		Ticket: plusone.TicketRecord{Ticket: plusone.Ticket{ID: "5158", Subject: "Where is my order? <urgent>",
			URL: "https://acme.zendesk.com/agent/tickets/5158"}, Source: plusone.SourceZendesk},
		Escalation:  plusone.EscalationNotice{Rule: "tier=advocate,30m0s,C0VIP", Unanswered: 30 * time.Minute},
		CardChannel: "C0CARDS", CardTS: "1700000000.000100",
	}
}

func TestEscalationMessages(t *testing.T) {
	t.Parallel()
	notify := escalationNotice()
	notify.Channel = "C0VIP"
	goldenMessage(t, "escalation_notify", mustNotice(t, notify))
	thread := escalationNotice()
	thread.Channel, thread.ThreadTS = "C0CARDS", "1700000000.000100"
	goldenMessage(t, "escalation_thread", mustNotice(t, thread))

	// No name, subject, link or card: still a message that says what waits.
	bare := plusone.ComposedNotice{Kind: plusone.NoticeEscalation, Customer: plusone.Customer{ID: 9}, Channel: "U0SUP",
		Ticket:     plusone.TicketRecord{Ticket: plusone.Ticket{ID: "42", URL: "javascript:alert(1)"}, Source: plusone.SourceFreshdesk},
		Escalation: plusone.EscalationNotice{Unanswered: 2 * time.Hour}}
	m := mustNotice(t, bare)
	if !strings.Contains(m.Text, "Unknown customer's Freshdesk ticket “ticket 42” has waited more than 2h") || strings.Contains(m.Plain, "javascript") {
		t.Errorf("bare escalation: %q / %q", m.Text, m.Plain)
	}
	short := escalationNotice()
	short.Escalation.Unanswered = 2 * time.Second
	short.Channel, short.ThreadTS = "C0CARDS", "1700000000.000100"
	if m := mustNotice(t, short); !strings.Contains(m.Plain, "for more than 2s.") {
		t.Errorf("a rule of seconds: %q", m.Plain)
	}
	long := escalationNotice()
	long.Ticket.Subject = strings.Repeat("<&>", 5000)
	long.Customer.Name = strings.Repeat("é", 5000)
	if err := Validate(mustNotice(t, long)); err != nil {
		t.Errorf("a long escalation breaks Slack's limits: %v", err)
	}
}

func mustNotice(t *testing.T, n plusone.ComposedNotice) Message {
	t.Helper()
	m, err := NoticeMessage(n)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The helpdesk's facts the policy names show on the card in its order,
// the known names capitalised, a custom field under its own name.
func TestCardDeskFacts(t *testing.T) {
	t.Parallel()
	c := viewtest.RichCard()
	c.Facts = []plusone.CardFact{{Name: "plan", Value: "Gold"}, {Name: "Order ID", Value: "#1001"}, {Name: "assignee", Value: "Ana <Agent>"}}
	m := CardMessage(c)
	goldenMessage(t, "card_desk_facts", m)
	blocks := string(payload(t, m))
	plan, order, assignee := strings.Index(blocks, "*Plan*"), strings.Index(blocks, "*Order ID*"), strings.Index(blocks, "*Assignee*")
	if plan < 0 || order < plan || assignee < order || !strings.Contains(blocks, "Ana &lt;Agent&gt;") {
		t.Errorf("desk facts out of order or unescaped: %s", blocks)
	}
	if text := CardText(c); !strings.Contains(text, "Plan") || !strings.Contains(text, "#1001") {
		t.Errorf("CardText lacks the desk facts:\n%s", text)
	}
}
