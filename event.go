package plusone

import (
	"net/http"
	"strings"
	"time"
	"unicode"
)

// EventType says what happened. Vendors' own event names are mapped onto these.
type EventType string

// Event types; the first seven are also the `type` values of the generic source.
const (
	EventTicketCreated    EventType = "ticket.created"
	EventTicketUpdated    EventType = "ticket.updated"
	EventMessageReceived  EventType = "message.received"
	EventOrderCreated     EventType = "order.created"
	EventCartAbandoned    EventType = "cart.abandoned"
	EventFeedbackReceived EventType = "feedback.received"
	EventCustomerUpdated  EventType = "customer.updated"
	// EventOrderUpdated covers fulfilment, cancellation and refunds.
	EventOrderUpdated EventType = "order.updated"
	// EventCheckoutUpdated is an open checkout that may become abandoned
	// after the policy's delay unless an order completes it.
	EventCheckoutUpdated EventType = "checkout.updated"
)

// Event is one normalised thing that happened to a customer. Only the parts
// the type needs are set.
type Event struct {
	Source     Source
	ID         string // the source's id of the event; redeliveries repeat it
	Type       EventType
	OccurredAt time.Time
	Customer   CustomerRef
	Ticket     *Ticket
	Message    *Message
	Order      *Order
	Cart       *Cart
	Feedback   *Feedback
	// Compliance is set on privacy requests (EventType.IsPrivacy).
	Compliance *Compliance
}

// CustomerRef is what an event tells about its customer. Email or ExternalID
// identifies her; the rest updates what we know.
type CustomerRef struct {
	Email       string
	Name        string
	Phone       string
	ExternalID  string // the source's own id of the customer
	Preferences map[string]string
	Since       time.Time // when the source first knew her, if it says
	// Domain is her company's email domain when the source knows only
	// that (a Slack channel shared with a whole company); an enricher may
	// find her email within it.
	Domain string
}

// Identities returns the identities this reference carries for source, the
// normalised email first.
func (c CustomerRef) Identities(source Source) []Identity {
	var ids []Identity
	if e := NormalizeEmail(c.Email); e != "" {
		ids = append(ids, Identity{Kind: IdentityEmail, Value: e})
	}
	if x := strings.TrimSpace(c.ExternalID); x != "" {
		ids = append(ids, Identity{Kind: string(source), Value: x})
	}
	return ids
}

// Ticket is a support conversation at a helpdesk (a ticket, a conversation).
type Ticket struct {
	ID       string
	Subject  string
	URL      string
	Status   string // open, pending, solved, closed, …: lower case
	Priority string
	Tags     []string
	Brand    string
	Channel  string // email, web, chat, …
	// Assignee is the agent (or team) the helpdesk assigned it to,
	// Organization the customer's organization or company there, Plan her
	// plan; Fields the helpdesk's custom fields by name. The card shows
	// those the policy's card.fields names (CardFacts).
	Assignee     string
	Organization string
	Plan         string
	Fields       map[string]string
	// AssigneeID is the helpdesk's id of the assignee when its webhook
	// names her by id only (Zendesk's event payloads): its enricher finds
	// her name for Assignee. It is not kept.
	AssigneeID string
}

// Message is something said on a ticket or in a chat.
type Message struct {
	ID           string
	Text         string
	Author       string
	FromCustomer bool
	// Private marks an internal note: never the customer's, and no answer
	// to her either.
	Private bool
}

// Order is a purchase.
type Order struct {
	ID       string
	Name     string // "#1001"
	URL      string
	Total    Money
	Refunded Money
	// RefundID, when set, makes the event one refund of Refunded, added to
	// what was refunded before (once per RefundID); otherwise Refunded is
	// the order's refunded total.
	RefundID      string
	Currency      string
	Status        string // open (unfulfilled), fulfilled, cancelled; "" when the source does not say
	Items         []LineItem
	CheckoutToken string // completes the checkout with this id
	CreatedAt     time.Time
}

// Cancelled reports whether the order no longer counts toward the profile.
func (o Order) Cancelled() bool { return o.Status == OrderCancelled }

// DisplayName is how people call the order: its name ("#1001"), else "#"
// and its id.
func (o Order) DisplayName() string {
	if o.Name != "" {
		return o.Name
	}
	return "#" + o.ID
}

// Order statuses.
const (
	OrderOpen      = "open"
	OrderFulfilled = "fulfilled"
	OrderCancelled = "cancelled"
)

// LineItem is a product in an order or a cart.
type LineItem struct {
	Title    string `json:"title"`
	SKU      string `json:"sku,omitempty"`
	Quantity int    `json:"quantity"`
	Price    Money  `json:"price"`
}

// Cart is a checkout the customer started.
type Cart struct {
	ID          string
	URL         string
	Total       Money
	Currency    string
	Items       []LineItem
	UpdatedAt   time.Time
	CompletedAt time.Time // zero while open
	// Abandoned is set when the source itself declares the cart abandoned
	// (the generic cart.abandoned); otherwise the policy's delay decides.
	Abandoned bool
}

// Feedback is a satisfaction rating.
type Feedback struct {
	Score   int
	Scale   string // nps (0-10) or csat (1-5)
	Comment string
	// TicketID names the ticket rated, when the event carries no Ticket.
	TicketID string
}

// Feedback scales.
const (
	ScaleNPS  = "nps"
	ScaleCSAT = "csat"
)

// RawEvent is a webhook delivery as it arrived, stored before we answer so
// that nothing acknowledged is ever lost.
type RawEvent struct {
	ID         int64
	Source     Source
	DedupeKey  string
	Headers    http.Header // the headers parsers need; never secrets
	Body       []byte
	ReceivedAt time.Time
	Attempts   int
	State      string
	LastError  string
}

// Raw event states.
const (
	RawPending = "pending"
	RawDone    = "done"
	RawParked  = "parked"
)

// Delivery is what an integration makes of one webhook request.
type Delivery struct {
	// DedupeKey is the same for every redelivery of the same event.
	DedupeKey string
	// Events are the domain events it carries; possibly none (a ping).
	Events []Event
	// Reply, when set, is the JSON body to answer instead of the default
	// (e.g. a verification challenge). Such requests are not stored.
	Reply any
}

// Integration is one webhook source: it verifies a request's signature and
// turns its body into a Delivery. Implementations live in integrations/*.
type Integration interface {
	Source() Source
	// Verify checks the request's signature over the raw body. It returns an
	// *Error with code EUNAUTHORIZED when the request must be rejected.
	Verify(h http.Header, body []byte, now time.Time) error
	// Parse validates the body and normalises it. It returns an *Error with
	// code EINVALID naming the problem for a malformed body.
	Parse(h http.Header, body []byte) (Delivery, error)
}

// NormalizeEmail lower-cases and trims an email address; it returns "" for
// anything that is not an address: no local part, a domain without a dot
// (a@b) or with an empty label, whitespace, angle brackets, or a control or
// invisible format character anywhere (a NUL or a zero-width space inside
// would make a look-alike identity).
func NormalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " <>") {
		return ""
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return ""
		}
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(domain, "..") {
		return ""
	}
	return s
}
