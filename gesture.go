package plusone

import (
	"strconv"
	"time"
)

// LedgerStatus is the state a ledger entry records.
type LedgerStatus string

// Ledger statuses. A gesture's history is a chain of entries sharing a
// RequestID: granted; or pending_approval then approved, declined or
// expired; refused; and later fulfilled or cancelled.
const (
	StatusGranted         LedgerStatus = "granted"
	StatusPendingApproval LedgerStatus = "pending_approval"
	StatusApproved        LedgerStatus = "approved"
	StatusDeclined        LedgerStatus = "declined"
	StatusRefused         LedgerStatus = "refused"
	StatusExpired         LedgerStatus = "expired"
	StatusFulfilled       LedgerStatus = "fulfilled"
	StatusCancelled       LedgerStatus = "cancelled"
)

// LedgerEntry is one append-only line of the gestures ledger. Entries are
// never changed: a later state of the same request is a new entry with the
// same RequestID. Charge is what the entry takes from the budgets: the
// value on granted and approved, minus the value on cancelled (of a
// granted or approved request), zero otherwise.
type LedgerEntry struct {
	ID        int64
	RequestID int64 // the ID of the request's first entry (itself for the first)
	// Key makes the first entry of a request idempotent: the same click
	// delivered twice finds the entry of the first.
	Key        string
	Gesture    string
	Title      string
	Kind       string
	Value      Money
	Currency   string
	Charge     Money
	CustomerID int64
	Agent      string // Slack user ID of the agent who offered it
	Team       string
	Status     LedgerStatus
	Reason     string
	// Blocking lists what stood in the way of a request sent for approval
	// (Decision.Blocking), each a short phrase.
	Blocking  []string
	By        string // who made this entry's decision (supervisor, agent, "plusone")
	TicketKey string // the card it was offered from
	CreatedAt time.Time
}

// DaySpend is what an agent (of a team, or none) charged to the budgets
// in one day, refunds deducted: spend over time.
type DaySpend struct {
	Day    int // the day's index in the days asked for
	Agent  string
	Team   string
	Amount Money
}

// Decision is the policy's verdict on an agent's offer.
type Decision struct {
	Status LedgerStatus // granted, pending_approval or refused
	// Reason says why, for people: "within your limits", "over your $25
	// limit per gesture", "not eligible: she is satisfied, needs loyal".
	Reason string
	// Blocking lists what stands in the way, each a short phrase an agent
	// can act on ("agent budget: $4 left of $100 today").
	Blocking []string
}

// Spend is what was charged in the current periods.
type Spend struct {
	Agent, Team, Customer Money
}

// Offer is everything the policy needs to decide on an agent's offer of a
// gesture to a customer.
type Offer struct {
	Gesture  string
	Agent    string
	Customer Customer
	Signals  []Signal
	// LastGranted is when this gesture was last granted to her (granted or
	// approved, not cancelled); zero if never.
	LastGranted time.Time
	Spent       Spend
	Now         time.Time
}

// Suggestion is a gesture the card offers, with the reason in a few words
// ("loyal · abandoned $89 cart").
type Suggestion struct {
	Gesture Gesture
	Reason  string
	Score   int
	// Worded says that a model wrote Reason (Personalize).
	Worded bool
}

// Override is a supervisor's change over the policy file, made in Slack.
// Path names what changed: "roles.<role>.max_per_gesture",
// "roles.<role>.budget", "agents.<user>.budget", "teams.<team>.budget",
// "customer_budget", "gestures.<id>.paused". Values are as in the policy
// file: money "25", budgets "100/day", booleans "true"; "" removes it.
type Override struct {
	ID       int64
	Path     string
	OldValue string
	NewValue string
	By       string
	At       time.Time
}

// BudgetLine is one budget as App Home, /plusone budget and the API show
// it: for the current period.
type BudgetLine struct {
	Scope     BudgetScope
	Key       string // Slack user ID, team ID or CustomerBudgetKey
	Budget    Budget
	Spent     Money
	Remaining Money
	Period    string // "2026-11-20", "2026-W47", "2026-11"
}

// BudgetScope says whose a budget is.
type BudgetScope string

// Budget scopes.
const (
	ScopeAgent    BudgetScope = "agent"
	ScopeTeam     BudgetScope = "team"
	ScopeCustomer BudgetScope = "customer"
)

// CustomerBudgetKey is the key of a customer's budget in budget lines,
// spend queries and locks: her ID in decimal. An agent's key is her Slack
// user ID, a team's its ID.
func CustomerBudgetKey(customerID int64) string { return strconv.FormatInt(customerID, 10) }

// OfferRequest is an agent's click on a suggested gesture.
type OfferRequest struct {
	CustomerID int64
	Gesture    string
	TicketKey  string
	// Key identifies the click: the same click delivered twice gives one
	// ledger entry.
	Key string
}

// GestureResult is what an offer or a decision came to.
type GestureResult struct {
	Entry    LedgerEntry
	Decision Decision
	// Duplicate is set when the click or decision was already recorded.
	Duplicate bool
	// Customer is the one the gesture is for (offers and decisions; not
	// a duplicate's).
	Customer Customer
}

// HomeGestures is what an agent's App Home shows of "plus one" gestures.
// The zero value shows none of it: the home of a team without gestures.
type HomeGestures struct {
	// Budgets are the agent's own budget and her team's.
	Budgets []BudgetLine
	// Recent are the agent's latest gestures, newest first, the latest
	// entry of each request; refused ones are not shown.
	Recent []LedgerEntry
	// Names are the customers' names by ID, for Recent and Pending;
	// others show as "customer #42".
	Names map[int64]string
	// Currency is the policy's: budgets are in it, and gestures without a
	// currency of their own.
	Currency string

	// Supervisor shows the fields below; for anyone else they are ignored.
	Supervisor bool
	// Teams are every team's budget this period.
	Teams []BudgetLine
	// Pending are the approval requests waiting for a decision, oldest
	// first, each shown with Approve and Decline buttons.
	Pending []LedgerEntry
	// Changes are the latest changes to limits and budgets made in Slack.
	Changes []Override
	// Outcomes are the gestures' measured effects (issue 10), in the
	// policy's order.
	Outcomes []OutcomeLine
	// OutcomesWindow names the window Outcomes were measured in ("30d").
	OutcomesWindow string
}

// Setting is one limit or budget a supervisor may change in Slack, with
// its value.
type Setting struct {
	// Path is the override path (Override): "roles.agent.budget".
	Path string
	// Label names it for people: "Agents' daily budget".
	Label string
	// Current is its value now, as the policy file writes it: "100/day".
	Current string
}
