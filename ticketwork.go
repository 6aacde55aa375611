package plusone

import (
	"context"
	"strings"
	"time"
)

// TicketWorkKind is what an agent does to a ticket from its card.
type TicketWorkKind string

// Kinds of ticket work.
const (
	// TicketReply is a public reply: the customer receives it.
	TicketReply TicketWorkKind = "reply"
	// TicketNote is an internal note: agents only.
	TicketNote TicketWorkKind = "note"
	// TicketAssign assigns the ticket to the agent who clicked.
	TicketAssign TicketWorkKind = "assign"
	// TicketSetStatus changes the ticket's status (TicketWork.Status).
	TicketSetStatus TicketWorkKind = "status"
	// TicketCreate creates a ticket at a helpdesk from a Slack message
	// (the create_ticket shortcut): TicketWork.TicketKey is then only the
	// helpdesk's source, and Customer, Subject and Text say what to create.
	TicketCreate TicketWorkKind = "create"
)

// TicketStatus is a status an agent may set from the card, in plusone's
// words; each helpdesk's client maps it to its own.
type TicketStatus string

// Ticket statuses.
const (
	StatusOpen    TicketStatus = "open"
	StatusPending TicketStatus = "pending"
	StatusSolved  TicketStatus = "solved"
	// StatusSnoozed hides the ticket until the next morning, where the
	// helpdesk can snooze (Intercom).
	StatusSnoozed TicketStatus = "snoozed"
)

// Title is the status as the card's select shows it.
func (s TicketStatus) Title() string {
	switch s {
	case StatusOpen:
		return "Open"
	case StatusPending:
		return "Pending"
	case StatusSolved:
		return "Solved"
	case StatusSnoozed:
		return "Snooze until tomorrow"
	}
	return string(s)
}

// TicketStatuses are the statuses an agent may set on a ticket of source
// from its card, or none when plusone cannot act on that source's tickets:
// open, pending and solved, and snooze instead of pending where the
// helpdesk has no pending state but snoozes (Intercom).
func TicketStatuses(source Source) []TicketStatus {
	switch source {
	case SourceZendesk, SourceFreshdesk, SourceHelpScout:
		return []TicketStatus{StatusOpen, StatusPending, StatusSolved}
	case SourceIntercom:
		return []TicketStatus{StatusOpen, StatusSnoozed, StatusSolved}
	}
	return nil
}

// Workable reports whether plusone can act on the tickets of source from
// the card (reply, assign, status).
func Workable(source Source) bool { return len(TicketStatuses(source)) > 0 }

// JobTicketWork is the job kind of ticket work: sent once, durably, by the
// ticket worker rather than inside Slack's request.
const JobTicketWork = "ticket.work"

// TicketWork is the payload of a JobTicketWork job: what an agent asked to
// be done to a ticket from its card.
type TicketWork struct {
	Kind TicketWorkKind `json:"kind"`
	// TicketKey is the ticket's "source:id".
	TicketKey string `json:"ticket"`
	// Agent is the Slack user who asked; the worker looks her email up
	// (users.info) to find her at the helpdesk.
	Agent string `json:"agent"`
	// Text is the reply or note, or a created ticket's description.
	Text string `json:"text,omitempty"`
	// Customer (her email) and Subject are those of a ticket to create.
	Customer string       `json:"customer,omitempty"`
	Subject  string       `json:"subject,omitempty"`
	Status   TicketStatus `json:"status,omitempty"`
	// Channel is where the agent clicked, for an error only she sees.
	Channel string `json:"channel,omitempty"`
	// At is when she asked: a reply found at the helpdesk from then on with
	// the same text is this one, sent by an attempt whose answer was lost.
	At time.Time `json:"at"`
}

// Ticket splits TicketKey into its source and id (none for TicketCreate).
func (w TicketWork) Ticket() (Source, string) {
	source, id, _ := strings.Cut(w.TicketKey, ":")
	return Source(source), id
}

// MaxTicketSubject bounds the subject of a ticket created from Slack, in
// characters: helpdesks cut or refuse longer ones.
const MaxTicketSubject = 250

// Validate says what is wrong with w, in words for the agent.
func (w TicketWork) Validate() error {
	source, id := w.Ticket()
	if w.Kind == TicketCreate {
		return w.validateCreate(source, id)
	}
	switch {
	case id == "" || !Workable(source):
		return Errorf(EINVALID, "plusone cannot act on %q tickets from Slack", source)
	case w.Agent == "":
		return Errorf(EINVALID, "no agent")
	}
	switch w.Kind {
	case TicketReply, TicketNote:
		if strings.TrimSpace(w.Text) == "" {
			return Errorf(EINVALID, "write something to send")
		}
	case TicketAssign:
	case TicketSetStatus:
		ok := false
		for _, s := range TicketStatuses(source) {
			ok = ok || s == w.Status
		}
		if !ok {
			return Errorf(EINVALID, "%s tickets cannot be set to %q", source.Title(), w.Status)
		}
	default:
		return Errorf(EINVALID, "unknown ticket work %q", w.Kind)
	}
	return nil
}

// validateCreate checks a ticket to create: a helpdesk plusone works, a
// customer's email, a subject and a description.
func (w TicketWork) validateCreate(source Source, id string) error {
	switch {
	case id != "" || !Workable(source):
		return Errorf(EINVALID, "plusone cannot create %q tickets from Slack", w.TicketKey)
	case w.Agent == "":
		return Errorf(EINVALID, "no agent")
	case NormalizeEmail(w.Customer) == "":
		return Errorf(EINVALID, "%q is not an email address; give the customer's email", w.Customer)
	case strings.TrimSpace(w.Subject) == "":
		return Errorf(EINVALID, "give the ticket a subject")
	case len([]rune(w.Subject)) > MaxTicketSubject:
		return Errorf(EINVALID, "the subject is longer than %d characters", MaxTicketSubject)
	case strings.TrimSpace(w.Text) == "":
		return Errorf(EINVALID, "the ticket needs a description")
	}
	return nil
}

// NewTicket is a ticket to create at a helpdesk for a customer, as an
// agent asked from Slack.
type NewTicket struct {
	// Customer is her email: the helpdesk finds her by it, or makes her.
	Customer string
	Subject  string
	// Text is the description: the customer's message the ticket is made of.
	Text string
	// Key names this creation: sent again, it is the same ticket (an
	// idempotency key where the helpdesk takes one).
	Key string
	// Since is when the agent asked: a ticket of hers found at the helpdesk
	// from then on with the same subject is this one, created by an
	// attempt whose answer was lost.
	Since time.Time
}

// Agent is a helpdesk user as plusone finds her: by the email of her Slack
// account.
type Agent struct {
	Email, Name string
}

// TicketDesk is a helpdesk's API acting on its tickets (Zendesk, Intercom,
// Freshdesk, Help Scout). Each method is safe to call again after an
// error: a reply or note already stored since `since` with the same text
// is not sent twice. Errors: EINVALID for what the helpdesk refuses (an
// unknown ticket, a closed one, an agent it does not know),
// EUNAUTHORIZED for refused credentials; others may succeed later.
type TicketDesk interface {
	// Reply adds text to ticket id as a public reply, or as an internal
	// note when public is false, written by agent where the helpdesk lets
	// plusone say who wrote it.
	Reply(ctx context.Context, id string, agent Agent, text string, public bool, since time.Time) error
	// Assign assigns ticket id to agent.
	Assign(ctx context.Context, id string, agent Agent) error
	// SetStatus sets ticket id's status, as agent.
	SetStatus(ctx context.Context, id string, agent Agent, status TicketStatus, now time.Time) error
	// Create creates t at the helpdesk, on agent's request, and returns
	// it (its id, link, subject and status) as its webhook would tell it.
	// Called again with the same t, it returns the ticket created before.
	Create(ctx context.Context, t NewTicket, agent Agent) (Ticket, error)
}
