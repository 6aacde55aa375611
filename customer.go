package plusone

import "time"

// Identity is one way to recognise a customer: her normalised email, or a
// source's own id for her (Kind is then the source name).
type Identity struct {
	Kind  string
	Value string
}

// IdentityEmail is the Kind of an email identity.
const IdentityEmail = "email"

// Customer is one person across every source.
type Customer struct {
	ID        int64
	Name      string
	Email     string
	Phone     string
	CreatedAt time.Time
	Profile   Profile
	// ErasedAt is when she was erased (zero if she was not): her row
	// stays, emptied, for the ledger entries that name her.
	ErasedAt time.Time
}

// DisplayName is the best name we have for her.
func (c *Customer) DisplayName() string {
	switch {
	case c.Name != "":
		return c.Name
	case c.Email != "":
		return c.Email
	default:
		return "Unknown customer"
	}
}

// Profile is what the timeline says about a customer, recomputed whenever an
// event reaches her.
type Profile struct {
	Orders        int
	LifetimeValue Money
	Currency      string
	FirstSeen     time.Time
	LastSeen      time.Time
	OpenTickets   int
	Tier          Tier
	NPS           *int // latest NPS score, if any
	CSAT          *int // latest CSAT score, if any
}

// Touchpoint is one entry of a customer's timeline.
type Touchpoint struct {
	ID         int64
	CustomerID int64
	Source     Source
	Kind       TouchpointKind
	// Ref is the id of the object at the source (ticket, order, cart).
	Ref string
	// DedupeKey makes the touchpoint idempotent per source: the same key is
	// recorded once, whether it comes from a webhook or a back-fill.
	DedupeKey  string
	OccurredAt time.Time
	Summary    string
	URL        string
	Amount     Money
	Currency   string
	Score      *int   // feedback only
	Scale      string // feedback only: nps or csat
}

// TouchpointKind classifies timeline entries.
type TouchpointKind string

// Touchpoint kinds.
const (
	TouchTicketOpened  TouchpointKind = "ticket_opened"
	TouchTicketUpdated TouchpointKind = "ticket_updated"
	TouchMessage       TouchpointKind = "message"
	TouchOrder         TouchpointKind = "order"
	TouchOrderUpdated  TouchpointKind = "order_updated"
	TouchCart          TouchpointKind = "cart"
	TouchFeedback      TouchpointKind = "feedback"
)

// TicketContact is how and when a customer opened one of her tickets:
// what the preferences derived from her habits are read from.
type TicketContact struct {
	Source    Source
	Channel   string
	CreatedAt time.Time
}

// TicketRecord is a ticket as we keep it.
type TicketRecord struct {
	Ticket
	Source     Source
	CustomerID int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// WaitingSince is when the customer's oldest unanswered message arrived;
	// zero once an agent has replied.
	WaitingSince time.Time
	// RepliedAt is when an agent last answered.
	RepliedAt time.Time
}

// CustomerSpoke records a message of the customer at t: she waits for an
// answer from then on, unless an agent answered after it. Messages may
// arrive in any order; the result is the same.
func (t *TicketRecord) CustomerSpoke(at time.Time) {
	if !t.Open() || !at.After(t.RepliedAt) {
		return
	}
	if t.WaitingSince.IsZero() || at.Before(t.WaitingSince) {
		t.WaitingSince = at
	}
}

// AgentReplied records an agent's answer at t: every message of hers
// before it is answered.
func (t *TicketRecord) AgentReplied(at time.Time) {
	if at.After(t.RepliedAt) {
		t.RepliedAt = at
	}
	if !t.WaitingSince.IsZero() && !t.WaitingSince.After(at) {
		t.WaitingSince = time.Time{}
	}
}

// Key identifies the ticket across sources: "zendesk:5158".
func (t TicketRecord) Key() string { return TicketKey(t.Source, t.ID) }

// TicketKey builds the key of a ticket of source.
func TicketKey(source Source, id string) string { return string(source) + ":" + id }

// Open reports whether the ticket still awaits an answer or a solution.
func (t TicketRecord) Open() bool {
	switch t.Status {
	case "solved", "closed", "resolved", "deleted", "spam":
		return false
	}
	return true
}

// OrderRecord is an order as we keep it.
type OrderRecord struct {
	Order
	Source     Source
	CustomerID int64
	UpdatedAt  time.Time
}

// CartRecord is a checkout as we keep it.
type CartRecord struct {
	Cart
	Source     Source
	CustomerID int64
	CreatedAt  time.Time
}

// Merge records that two customer records were found to be one person, or
// that one was split in two.
type Merge struct {
	Kind     string // "merge" or "split"
	Into     int64  // the surviving (merge) or original (split) customer
	From     int64  // the merged-away (merge) or new (split) customer
	Identity string // what was split off, "kind:value"
	Reason   string
	At       time.Time
}

// Preference is something we know the customer likes, with where it came from.
type Preference struct {
	Key       string
	Value     string
	Origin    string // a source name, "agent:<slack user>" or "derived"
	UpdatedAt time.Time
}

// CardState is the Slack context card of one ticket: where it was posted
// and whether Slack shows its latest version.
type CardState struct {
	Key        string // the ticket key
	CustomerID int64
	Source     Source
	TicketID   string
	Channel    string
	TS         string // empty until posted
	Version    int64  // bumped by every change that should reach the card
	Delivered  int64  // the version Slack shows
	State      string
	Attempts   int
	LastError  string
	UpdatedAt  time.Time
	// InDoubt is set on a claimed card without ts when an earlier attempt
	// may have posted it: that attempt died, or ended in an error after
	// which Slack may still have posted (a timeout, a 5xx).
	InDoubt bool
	// AttemptAt is when the first attempt that may have posted the card
	// (since the last one that surely did not) was claimed: an earlier post
	// is looked for in Slack from then on. Zero when unknown.
	AttemptAt time.Time
	// Background says the card's waiting change is only a refresh for
	// another ticket of hers that opened or closed: it goes to Slack after
	// every card with a change of its own that is due, however long those
	// have waited. A touch without it makes a waiting card's change its
	// own again; one with it leaves a waiting card's class as it was.
	Background bool
}

// Card delivery states.
const (
	CardPending = "pending"
	CardFailed  = "failed"
)
