package plusone

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ContextCard is everything the Slack context card of one ticket shows. The
// pipeline assembles it from the store; bot renders it. A card without a
// ticket (Ticket.ID empty) is a customer looked up in Slack.
type ContextCard struct {
	Ticket   TicketRecord
	View     CustomerView // Timeline, Tickets, Orders… newest first
	Signals  []Signal
	Currency string // the policy's currency, for amounts without one
	// Suggestions are the gestures the card offers, best first.
	Suggestions []Suggestion
	// Worded says that a model ordered Suggestions and worded their
	// reasons (plusone.Personalize): they show in the order given. Note
	// is the short note to the customer it wrote for the agent (guarded);
	// "" for none.
	Worded bool
	Note   string
	// Gestures are this customer's recent gestures, newest first: the
	// latest entry of each request.
	Gestures []LedgerEntry
	// Hidden lists customer fields the policy keeps out of Slack ("phone").
	Hidden []string
	Now    time.Time
	// Erased says that the customer was erased: the card shows nothing
	// about her, only that (Ticket carries the ticket's source and id).
	Erased bool
	// Facts are the helpdesk's facts of the ticket the policy's
	// card.fields names, in its order (CardFacts).
	Facts []CardFact
}

// The card fields plusone knows by name (card.fields); any other name is
// a helpdesk's custom field.
const (
	CardFieldAssignee     = "assignee"
	CardFieldOrganization = "organization"
	CardFieldPlan         = "plan"
	// CardFieldCompany is another name of CardFieldOrganization.
	CardFieldCompany = "company"
)

// CardFieldNames lists the card fields known by name.
func CardFieldNames() []string {
	return []string{CardFieldAssignee, CardFieldOrganization, CardFieldPlan}
}

// CardFact is one helpdesk fact on a card: its label and value.
type CardFact struct {
	Name, Value string
}

// CardFacts returns the facts of t that fields (the policy's card.fields)
// name, in their order, leaving out those t does not have. A custom field
// is found by its name, case aside.
func CardFacts(t Ticket, fields []string) []CardFact {
	var out []CardFact
	for _, f := range fields {
		var v string
		switch strings.ToLower(f) {
		case CardFieldAssignee:
			v = t.Assignee
		case CardFieldOrganization, CardFieldCompany:
			v = t.Organization
		case CardFieldPlan:
			v = t.Plan
		}
		if v == "" {
			v = customField(t.Fields, f)
		}
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, CardFact{Name: f, Value: v})
		}
	}
	return out
}

// customField finds field name in fields, exactly or else case aside.
func customField(fields map[string]string, name string) string {
	if v, ok := fields[name]; ok {
		return v
	}
	for k, v := range fields {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// CardCustomerAt finds the customer a Slack message is about: the card
// posted at ts in channel, or the card whose thread (threadTS) the message
// is in. It returns nil when the message is about no card's customer, or
// about one who was erased.
func CardCustomerAt(ctx context.Context, tx Tx, channel, ts, threadTS string) (*Customer, error) {
	for _, at := range []string{threadTS, ts} {
		if at == "" {
			continue
		}
		card, err := tx.CardAt(ctx, channel, at)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		c, err := tx.Customer(ctx, card.CustomerID)
		if err != nil || !c.ErasedAt.IsZero() {
			return nil, err
		}
		return c, nil
	}
	return nil, nil
}
