package plusone

import "time"

// Erasure says who erased a customer, how and why, for the audit log. It
// carries no personal data: the audit keeps who asked and the customer's
// id, never her name or email.
type Erasure struct {
	// By is who asked: a Slack user ID, or the Via itself for requests
	// without a person behind them (an API token, the command line,
	// Shopify, retention).
	By string
	// Via is the way the request came: ErasedVia* below.
	Via string
	// Ref is the outside request's id, when there is one (Shopify's
	// webhook id).
	Ref string
	At  time.Time
}

// The ways an erasure comes, in Erasure.Via and the audit.
const (
	ErasedViaAPI       = "api"
	ErasedViaCLI       = "cli"
	ErasedViaSlack     = "slack"
	ErasedViaShopify   = "shopify"
	ErasedViaRetention = "retention"
)

// AuditErase is the audit action of an erasure; its target is
// "customer:<id>" and its outcome says how it came.
const AuditErase = "erase"

// Compliance is what a privacy request of a source (Shopify's mandatory
// compliance webhooks) adds to its event: the shop and the request's id.
type Compliance struct {
	Shop      string
	RequestID string
}

// Privacy events: a source asks for what is stored about a customer, for
// her erasure, or for the erasure of every customer of a shop. They come
// with Event.Compliance set; the first two name her in Event.Customer.
const (
	EventDataRequest    EventType = "customer.data_request"
	EventCustomerRedact EventType = "customer.redact"
	EventShopRedact     EventType = "shop.redact"
)

// IsPrivacy reports whether t is a privacy request rather than something
// that happened to a customer.
func (t EventType) IsPrivacy() bool {
	return t == EventDataRequest || t == EventCustomerRedact || t == EventShopRedact
}

// CustomerData is everything stored about one customer, for her
// data-subject access request.
type CustomerData struct {
	Customer    Customer
	Identities  []Identity
	Timeline    []Touchpoint
	Tickets     []TicketRecord
	Orders      []OrderRecord
	Carts       []CartRecord
	Preferences []Preference
	Notes       []Note
	Merges      []Merge
	Cards       []CardState
	Ledger      []LedgerEntry
	// Wordings are what models wrote about her cards (reasons, notes).
	Wordings []Wording
}
