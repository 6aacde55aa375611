package plusone

import "time"

// Note is something an agent wrote down about a customer, for colleagues.
// Notes are shown to agents on every later card and never to the customer.
type Note struct {
	ID         int64
	CustomerID int64
	// Author is the Slack user ID of the agent who wrote it.
	Author string
	Text   string
	// Via says how it was taken: "command", "shortcut" or "modal".
	Via string
	// Link points at the Slack message a note was saved from, if any.
	Link      string
	CreatedAt time.Time
}

// How notes are taken.
const (
	NoteViaCommand  = "command"
	NoteViaShortcut = "shortcut"
	NoteViaModal    = "modal"
)

// RecentCustomer is a customer an agent helped lately.
type RecentCustomer struct {
	Customer Customer
	// What the agent last did for her ("looked her up", "noted", …).
	What string
	At   time.Time
}

// AgentHome is what an agent's App Home shows.
type AgentHome struct {
	Agent   string // Slack user ID
	Recent  []RecentCustomer
	Notes   []Note // the agent's own latest notes
	Signals SignalRules
	Now     time.Time
}
