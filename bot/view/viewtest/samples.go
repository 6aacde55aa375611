// Package viewtest holds sample domain values (context cards, customers,
// an agent's App Home) that the views' golden files are rendered from,
// for the tests of view and of the Slack transport that sends them.
package viewtest

import (
	"fmt"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// Now is the moment every sample is rendered at.
var Now = time.Date(2026, 11, 20, 15, 4, 5, 0, time.UTC)

func ago(d time.Duration) time.Time { return Now.Add(-d) }

const day = 24 * time.Hour

func intp(n int) *int { return &n }

// SampleCards are the cards of the golden files, by name.
func SampleCards() map[string]plusone.ContextCard {
	return map[string]plusone.ContextCard{
		"rich":           RichCard(),
		"new_customer":   NewCustomerCard(),
		"hidden_phone":   HiddenPhoneCard(),
		"extreme":        ExtremeCard(),
		"lookup":         LookupCard(),
		"lookup_minimal": LookupMinimalCard(),
	}
}

// LookupCard is Jane looked up with /plusone: no current ticket.
func LookupCard() plusone.ContextCard {
	c := RichCard()
	c.Ticket = plusone.TicketRecord{}
	return c
}

// LookupMinimalCard is a customer looked up with /plusone who has nothing
// open and nothing written down.
func LookupMinimalCard() plusone.ContextCard {
	return plusone.ContextCard{
		View: plusone.CustomerView{
			Customer: plusone.Customer{ID: 8, Name: "Sam Lee", Email: "sam@example.org", CreatedAt: ago(400 * day),
				Profile: plusone.Profile{Tier: plusone.TierSatisfied, Orders: 1, LifetimeValue: 59_99, Currency: "EUR"}},
		},
		Currency: "EUR",
		Now:      Now,
	}
}

// RichCard: a loyal customer with three orders, an abandoned cart, history
// across sources, preferences and another open ticket.
func RichCard() plusone.ContextCard {
	ticket := plusone.TicketRecord{
		Ticket: plusone.Ticket{ID: "5158", Subject: "Where is my order? Tires & rims <urgent>",
			URL: "https://acme.zendesk.com/agent/tickets/5158", Status: "open"},
		Source: plusone.SourceZendesk, CustomerID: 42, CreatedAt: ago(2 * time.Hour),
	}
	other := plusone.TicketRecord{
		Ticket: plusone.Ticket{ID: "77", Subject: "Wrong size delivered", URL: "https://acme.helpscoutapp.com/conversation/77",
			Status: "pending"},
		Source: plusone.SourceHelpScout, CustomerID: 42, CreatedAt: ago(3 * day),
	}
	solved := plusone.TicketRecord{
		Ticket: plusone.Ticket{ID: "4001", Subject: "Invoice copy", Status: "solved"},
		Source: plusone.SourceZendesk, CustomerID: 42, CreatedAt: ago(200 * day),
	}
	return plusone.ContextCard{
		Ticket: ticket,
		View: plusone.CustomerView{
			Customer: plusone.Customer{ID: 42, Name: "Jane Doe", Email: "jane@example.com", Phone: "+1 555 0100",
				CreatedAt: time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC),
				Profile: plusone.Profile{Orders: 3, LifetimeValue: 1234_50, Currency: "USD", OpenTickets: 2,
					Tier: plusone.TierLoyal, FirstSeen: time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC), NPS: intp(9)}},
			Tickets: []plusone.TicketRecord{ticket, other, solved},
			Timeline: []plusone.Touchpoint{
				{Source: plusone.SourceZendesk, Kind: plusone.TouchTicketOpened, OccurredAt: ago(2 * time.Hour),
					Summary: "Ticket opened: Where is my order? Tires & rims <urgent>", URL: ticket.URL},
				{Source: plusone.SourceShopify, Kind: plusone.TouchCart, OccurredAt: ago(2 * day),
					Summary: "Left a $89 cart: 2× valve caps, tire gauge", URL: "https://shop.example.com/cart/c-77"},
				{Source: plusone.SourceHelpScout, Kind: plusone.TouchTicketOpened, OccurredAt: ago(3 * day),
					Summary: "Conversation: Wrong size delivered", URL: other.URL},
				{Source: plusone.SourceShopify, Kind: plusone.TouchOrder, OccurredAt: ago(10 * day),
					Summary: "Order #1003 $420: 4× All-season tire", URL: "https://shop.example.com/admin/orders/1003"},
				{Source: plusone.SourceIntercom, Kind: plusone.TouchMessage, OccurredAt: ago(40 * day),
					Summary: "Asked about winter tire storage"},
				{Source: plusone.SourceGeneric, Kind: plusone.TouchFeedback, OccurredAt: ago(41 * day), Score: intp(9), Scale: "nps"},
				{Source: plusone.SourceShopify, Kind: plusone.TouchOrder, OccurredAt: time.Date(2025, 12, 1, 12, 0, 0, 0, time.UTC),
					Summary: "Order #1002 $514.50"},
			},
			Preferences: []plusone.Preference{
				{Key: "contact", Value: "email, mornings", Origin: "zendesk"},
				{Key: "delivery", Value: "leave at the back door", Origin: "agent:U0AGENT01"},
			},
			Notes: []plusone.Note{
				{ID: 9, CustomerID: 42, Author: "U0AGENT02", Text: "Prefers a call back after 5pm & hates <automated> replies",
					Via: plusone.NoteViaShortcut, Link: "https://acme.slack.com/archives/C0CARDS/p1795180000000100", CreatedAt: ago(3 * time.Hour)},
				{ID: 7, CustomerID: 42, Author: "U0AGENT01", Text: "Sent a handwritten note\nfor her birthday",
					Via: plusone.NoteViaModal, CreatedAt: ago(30 * day)},
				{ID: 4, CustomerID: 42, Author: "U0AGENT01", Text: "Asks for metric sizes", Via: plusone.NoteViaCommand,
					CreatedAt: ago(60 * day)},
				{ID: 2, CustomerID: 42, Author: "U0AGENT03", Text: "Long-time customer of the old shop",
					Via: plusone.NoteViaCommand, CreatedAt: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)},
			},
		},
		Signals: []plusone.Signal{
			{Kind: plusone.SignalBigSpender, Evidence: "$1,234.50 lifetime over 3 orders"},
			{Kind: plusone.SignalAbandonedCart, Evidence: "abandoned $89 cart 2 days ago", Amount: 89_00, Currency: "USD",
				URL: "https://shop.example.com/cart/c-77?step=contact_information&locale=en", Since: ago(2 * day)},
		},
		Currency: "USD",
		Now:      Now,
	}
}

// NewCustomerCard: her first ticket, nothing else known.
func NewCustomerCard() plusone.ContextCard {
	ticket := plusone.TicketRecord{
		Ticket: plusone.Ticket{ID: "T-1", Subject: "Do you ship to Canada?", Status: "new"},
		Source: plusone.SourceGeneric, CustomerID: 7, CreatedAt: ago(5 * time.Minute),
	}
	return plusone.ContextCard{
		Ticket: ticket,
		View: plusone.CustomerView{
			Customer: plusone.Customer{ID: 7, Email: "sam@example.org", CreatedAt: ago(5 * time.Minute),
				Profile: plusone.Profile{Tier: plusone.TierNew, OpenTickets: 1}},
			Tickets: []plusone.TicketRecord{ticket},
		},
		Signals:  []plusone.Signal{{Kind: plusone.SignalFirstContact, Evidence: "first contact with us", Since: ticket.CreatedAt}},
		Currency: "EUR",
		Now:      Now,
	}
}

// HiddenPhoneCard: the policy keeps her phone out of Slack.
func HiddenPhoneCard() plusone.ContextCard {
	c := RichCard()
	c.Hidden = []string{"Phone"}
	c.View.Timeline = c.View.Timeline[:2]
	c.View.Preferences = nil
	c.View.Tickets = c.View.Tickets[:1]
	c.Signals = nil
	return c
}

// ExtremeCard has too much of everything, and text that needs escaping,
// emoji and control characters everywhere.
func ExtremeCard() plusone.ContextCard {
	long := func(word string, n int) string { return strings.Repeat(word, n) }
	longURL := "https://example.com/" + long("a&b|c", 300)
	ticket := plusone.TicketRecord{
		Ticket: plusone.Ticket{ID: long("9", 300), Subject: "Re: " + long("<&> Fwd: 🚗 wheels ", 200) + "\nSecond line\x1b[31m",
			URL: "https://help.example.com/tickets/1?a=1&b=<2>|x", Status: "waiting_on_customer"},
		Source: "some_new_helpdesk", CustomerID: 1, CreatedAt: ago(400 * day),
	}
	c := plusone.ContextCard{
		Ticket: ticket,
		View: plusone.CustomerView{
			Customer: plusone.Customer{ID: 1, Name: long("Maximiliana-Bartholomäa 👩‍🚀 ", 40),
				Email: long("x", 300) + "@example.com", Phone: long("+1 (555) 010-0100 ext. 1234 ", 20),
				Profile: plusone.Profile{Orders: 123456, LifetimeValue: 987654321_99, Currency: "CHF", OpenTickets: 35,
					Tier: plusone.TierAdvocate, NPS: intp(10), CSAT: intp(5)}},
		},
		Currency: "CHF",
		Now:      Now,
	}
	for i := range 50 {
		c.View.Timeline = append(c.View.Timeline, plusone.Touchpoint{
			Source: plusone.SourceZendesk, Kind: plusone.TouchMessage, OccurredAt: ago(time.Duration(i) * time.Hour),
			Summary: fmt.Sprintf("Message %d: %s", i, long("& <b>bold</b> 🎉 ", 400)), URL: longURL,
		})
	}
	for i := range 20 {
		kinds := plusone.SignalKinds()
		c.Signals = append(c.Signals, plusone.Signal{Kind: kinds[i%len(kinds)],
			Evidence: fmt.Sprintf("evidence %d %s", i, long("<&>", 500)), URL: "https://shop.example.com/x?" + long("&q", 100)})
	}
	c.Signals = append(c.Signals, plusone.Signal{Kind: "mystery_signal", Evidence: "a kind this card does not know"})
	c.View.Tickets = []plusone.TicketRecord{ticket}
	for i := range 30 {
		c.View.Tickets = append(c.View.Tickets, plusone.TicketRecord{
			Ticket: plusone.Ticket{ID: fmt.Sprint(i), Subject: long("Very long other subject & more ", 30), URL: longURL, Status: "open"},
			Source: plusone.SourceFreshdesk, CreatedAt: ago(time.Duration(i) * day),
		})
	}
	for i := range 30 {
		c.View.Preferences = append(c.View.Preferences, plusone.Preference{
			Key: fmt.Sprintf("key %d %s", i, long("k", 100)), Value: long("value <&> ", 100), Origin: "agent:<!channel>"})
	}
	authors := []string{"<!channel>", "U0AGENT01", "u0lower", long("W", 50), "", "Ben <b@example.com>"}
	for i := range 20 {
		c.View.Notes = append(c.View.Notes, plusone.Note{ID: int64(100 - i), CustomerID: 1, Author: authors[i%len(authors)],
			Text: fmt.Sprintf("Note %d\n%s\x1b[0m", i, long("<@U0BOSS> & <!here> 🎉 ", 60)), Link: longURL,
			CreatedAt: ago(time.Duration(i) * day)})
	}
	return c
}

// SampleCustomers are the matches of a name lookup.
func SampleCustomers() []plusone.Customer {
	return []plusone.Customer{
		{ID: 42, Name: "Jane Doe", Email: "jane@example.com",
			Profile: plusone.Profile{Tier: plusone.TierLoyal, Orders: 3}},
		{ID: 43, Name: "Janet O'Neil & Sons <Ltd>", Email: "janet@oneil.example",
			Profile: plusone.Profile{Tier: plusone.TierAdvocate, Orders: 12}},
		{ID: 44, Email: "jan.k@example.org", Profile: plusone.Profile{Tier: plusone.TierNew}},
	}
}

// RichHome is an agent who helped a few customers and wrote notes.
func RichHome() plusone.AgentHome {
	c := RichCard()
	return plusone.AgentHome{
		Agent: "U0AGENT01",
		Recent: []plusone.RecentCustomer{
			{Customer: c.View.Customer, What: "looked her up", At: ago(20 * time.Minute)},
			{Customer: SampleCustomers()[1], What: "noted", At: ago(26 * time.Hour)},
			{Customer: SampleCustomers()[2], What: "saved a message as a note", At: ago(40 * day)},
		},
		Notes:   c.View.Notes[1:3],
		Signals: plusone.DefaultSignalRules(),
		Now:     Now,
	}
}
