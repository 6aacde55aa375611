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
	// Text is the reply or note.
	Text   string       `json:"text,omitempty"`
	Status TicketStatus `json:"status,omitempty"`
	// Channel is where the agent clicked, for an error only she sees.
	Channel string `json:"channel,omitempty"`
	// At is when she asked: a reply found at the helpdesk from then on with
	// the same text is this one, sent by an attempt whose answer was lost.
	At time.Time `json:"at"`
}

// Ticket splits TicketKey into its source and id.
func (w TicketWork) Ticket() (Source, string) {
	source, id, _ := strings.Cut(w.TicketKey, ":")
	return Source(source), id
}

// Validate says what is wrong with w, in words for the agent.
func (w TicketWork) Validate() error {
	source, id := w.Ticket()
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
}
