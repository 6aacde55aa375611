package plusone

import "time"

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
	// Gestures are this customer's recent gestures, newest first: the
	// latest entry of each request.
	Gestures []LedgerEntry
	// Hidden lists customer fields the policy keeps out of Slack ("phone").
	Hidden []string
	Now    time.Time
	// Erased says that the customer was erased: the card shows nothing
	// about her, only that (Ticket carries the ticket's source and id).
	Erased bool
}
