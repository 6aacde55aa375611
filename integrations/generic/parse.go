package generic

import (
	"net/http"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// typeList names the accepted values of "type", for error messages.
const typeList = "ticket.created, ticket.updated, message.received, order.created, cart.abandoned, feedback.received, customer.updated"

// Parse validates a generic body and turns it into one event. Its errors are
// EINVALID and name the field at fault. The dedupe key is the body's "id".
func (s *Source) Parse(_ http.Header, body []byte) (plusone.Delivery, error) {
	var p payload
	if err := webhook.Decode(body, &p, ""); err != nil {
		return plusone.Delivery{}, err
	}
	e, err := p.event()
	if err != nil {
		return plusone.Delivery{}, err
	}
	return plusone.Delivery{DedupeKey: e.ID, Events: []plusone.Event{e}}, nil
}

// event checks the payload against the contract and normalises it. Only the
// objects the type needs are read; the others are ignored.
func (p *payload) event() (plusone.Event, error) {
	if p.ID == "" {
		return plusone.Event{}, webhook.Invalid(`field "id": required (unique per event, repeated on redelivery)`)
	}
	typ, err := eventType(p.Type)
	if err != nil {
		return plusone.Event{}, err
	}
	at, err := webhook.Timestamp("occurred_at", p.OccurredAt)
	if err != nil {
		return plusone.Event{}, err
	}
	ref, err := customer(p.Customer)
	if err != nil {
		return plusone.Event{}, err
	}
	e := plusone.Event{Source: plusone.SourceGeneric, ID: string(p.ID), Type: typ, OccurredAt: at, Customer: ref}
	switch typ {
	case plusone.EventTicketCreated, plusone.EventTicketUpdated:
		if e.Ticket, err = ticket(p.Ticket, true); err != nil {
			return plusone.Event{}, err
		}
		// The first message often comes with the ticket.
		if p.Message != nil {
			e.Message, err = message(p.Message, false)
		}
	case plusone.EventMessageReceived:
		if e.Message, err = message(p.Message, true); err != nil {
			return plusone.Event{}, err
		}
		e.Ticket, err = ticket(p.Ticket, false)
	case plusone.EventOrderCreated:
		e.Order, err = order(p.Order, at)
	case plusone.EventCartAbandoned:
		e.Cart, err = cart(p.Cart, at)
	case plusone.EventFeedbackReceived:
		if e.Feedback, err = feedback(p.Feedback); err != nil {
			return plusone.Event{}, err
		}
		e.Ticket, err = ticket(p.Ticket, false)
	}
	if err != nil {
		return plusone.Event{}, err
	}
	return e, nil
}

func eventType(s string) (plusone.EventType, error) {
	switch t := plusone.EventType(s); t {
	case plusone.EventTicketCreated, plusone.EventTicketUpdated, plusone.EventMessageReceived,
		plusone.EventOrderCreated, plusone.EventCartAbandoned, plusone.EventFeedbackReceived,
		plusone.EventCustomerUpdated:
		return t, nil
	case "":
		return "", webhook.Invalid(`field "type": required, one of %s`, typeList)
	}
	return "", webhook.Invalid(`field "type": %q is not one of %s`, s, typeList)
}

func customer(c *customerJSON) (plusone.CustomerRef, error) {
	if c == nil {
		return plusone.CustomerRef{}, webhook.Invalid(`field "customer": required, with email or external_id`)
	}
	email := strings.TrimSpace(c.Email)
	if email != "" && plusone.NormalizeEmail(email) == "" {
		return plusone.CustomerRef{}, webhook.Invalid(`field "customer.email": %q is not an email address`, email)
	}
	if email == "" && c.ExternalID == "" {
		return plusone.CustomerRef{}, webhook.Invalid(`field "customer": email or external_id is required`)
	}
	return plusone.CustomerRef{
		Email:       email,
		Name:        strings.TrimSpace(c.Name),
		Phone:       strings.TrimSpace(c.Phone),
		ExternalID:  string(c.ExternalID),
		Preferences: c.Preferences,
	}, nil
}

// ticket converts t; it is an error for t to be absent when required.
func ticket(t *ticketJSON, required bool) (*plusone.Ticket, error) {
	if t == nil {
		if required {
			return nil, webhook.Invalid(`field "ticket": required for ticket events`)
		}
		return nil, nil
	}
	if t.ID == "" {
		return nil, webhook.Invalid(`field "ticket.id": required`)
	}
	return &plusone.Ticket{
		ID:       string(t.ID),
		Subject:  strings.TrimSpace(t.Subject),
		URL:      strings.TrimSpace(t.URL),
		Status:   lower(t.Status),
		Priority: lower(t.Priority),
		Tags:     tags(t.Tags),
		Brand:    strings.TrimSpace(t.Brand),
		Channel:  lower(t.Channel),
	}, nil
}

func message(m *messageJSON, required bool) (*plusone.Message, error) {
	if m == nil {
		if required {
			return nil, webhook.Invalid(`field "message": required for message.received`)
		}
		return nil, nil
	}
	if required && strings.TrimSpace(m.Text) == "" {
		return nil, webhook.Invalid(`field "message.text": required for message.received`)
	}
	fromCustomer := true
	switch lower(m.AuthorType) {
	case "", "customer":
	case "agent":
		fromCustomer = false
	default:
		return nil, webhook.Invalid(`field "message.author_type": %q is not "customer" or "agent"`, m.AuthorType)
	}
	return &plusone.Message{
		ID:           string(m.ID),
		Text:         m.Text,
		Author:       strings.TrimSpace(m.Author),
		FromCustomer: fromCustomer,
	}, nil
}

func order(o *orderJSON, at time.Time) (*plusone.Order, error) {
	if o == nil {
		return nil, webhook.Invalid(`field "order": required for order.created`)
	}
	if o.ID == "" {
		return nil, webhook.Invalid(`field "order.id": required`)
	}
	total, err := webhook.Amount("order.total", o.Total)
	if err != nil {
		return nil, err
	}
	items, err := lineItems("order.items", o.Items)
	if err != nil {
		return nil, err
	}
	created, err := webhook.Timestamp("order.created_at", o.CreatedAt)
	if err != nil {
		return nil, err
	}
	if created.IsZero() {
		created = at
	}
	return &plusone.Order{
		ID:            string(o.ID),
		Name:          strings.TrimSpace(o.Name),
		URL:           strings.TrimSpace(o.URL),
		Total:         total,
		Currency:      currency(o.Currency),
		Status:        lower(o.Status),
		Items:         items,
		CheckoutToken: string(o.CartID),
		CreatedAt:     created,
	}, nil
}

// cart converts c; the generic source declares the cart abandoned itself, at
// the event's time.
func cart(c *cartJSON, at time.Time) (*plusone.Cart, error) {
	if c == nil {
		return nil, webhook.Invalid(`field "cart": required for cart.abandoned`)
	}
	if c.ID == "" {
		return nil, webhook.Invalid(`field "cart.id": required`)
	}
	total, err := webhook.Amount("cart.total", c.Total)
	if err != nil {
		return nil, err
	}
	items, err := lineItems("cart.items", c.Items)
	if err != nil {
		return nil, err
	}
	return &plusone.Cart{
		ID:        string(c.ID),
		URL:       strings.TrimSpace(c.URL),
		Total:     total,
		Currency:  currency(c.Currency),
		Items:     items,
		UpdatedAt: at,
		Abandoned: true,
	}, nil
}

func lineItems(field string, in []itemJSON) ([]plusone.LineItem, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]plusone.LineItem, 0, len(in))
	for i, it := range in {
		price, err := webhook.Amount(webhook.ItemField(field, i, "price"), it.Price)
		if err != nil {
			return nil, err
		}
		if it.Quantity < 0 {
			return nil, webhook.Invalid("field %q: %d is negative", webhook.ItemField(field, i, "quantity"), it.Quantity)
		}
		out = append(out, plusone.LineItem{Title: strings.TrimSpace(it.Title), SKU: strings.TrimSpace(it.SKU), Quantity: it.Quantity, Price: price})
	}
	return out, nil
}

func feedback(f *feedbackJSON) (*plusone.Feedback, error) {
	if f == nil {
		return nil, webhook.Invalid(`field "feedback": required for feedback.received`)
	}
	if f.Score == nil {
		return nil, webhook.Invalid(`field "feedback.score": required`)
	}
	score, scale := *f.Score, lower(f.Scale)
	var lo, hi int
	switch scale {
	case plusone.ScaleNPS:
		lo, hi = 0, 10
	case plusone.ScaleCSAT:
		lo, hi = 1, 5
	case "":
		return nil, webhook.Invalid(`field "feedback.scale": required, "nps" (0-10) or "csat" (1-5)`)
	default:
		return nil, webhook.Invalid(`field "feedback.scale": %q is not "nps" (0-10) or "csat" (1-5)`, f.Scale)
	}
	if score < lo || score > hi {
		return nil, webhook.Invalid(`field "feedback.score": %d is outside %d-%d for scale %q`, score, lo, hi, scale)
	}
	return &plusone.Feedback{Score: score, Scale: scale, Comment: strings.TrimSpace(f.Comment)}, nil
}

// tags trims tags and drops empty ones; nil stays nil (no tags said).
func tags(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, 0, len(in))
	for _, t := range in {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func currency(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
