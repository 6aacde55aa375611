package plusone

import (
	"context"
	"time"
)

// Store keeps everything plusone knows. Implementations: store/sqlite and
// store/postgres; both pass the conformance suite in store/storetest.
type Store interface {
	Inbox
	CardQueue
	JobQueue
	Instances
	// Update runs fn in a read-write transaction that commits when fn returns
	// nil and rolls back otherwise. fn must not do I/O other than through tx.
	// The commit is durable: it survives a power failure.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// UpdateReplayable is Update for work that is done again if its commit
	// is lost: the commit survives a crash of the process but may be lost
	// in a power failure, and is then replayed from durable input (applying
	// an inbox event marks it done in the same transaction). It does not
	// wait for the disk, which makes it several times cheaper.
	UpdateReplayable(ctx context.Context, fn func(tx Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(tx Tx) error) error
	// Ready returns nil when the store is reachable, fully migrated and
	// can write now (its latest write succeeded, none is stuck).
	Ready(ctx context.Context) error
	Close() error
}

// Claim asks a queue for work: at most Limit items, leased to Worker until
// Now+Lease. An item whose lease expires can be claimed by another worker.
type Claim struct {
	Worker string
	Limit  int
	Lease  time.Duration
	Now    time.Time
}

// Inbox is the durable queue of webhook deliveries.
type Inbox interface {
	// AppendEvent stores ev durably and sets ev.ID. If an event with the same
	// Source and DedupeKey is already stored, it changes nothing and returns
	// duplicate=true with the stored event's ID.
	AppendEvent(ctx context.Context, ev *RawEvent) (duplicate bool, err error)
	// ClaimEvents leases pending events that are due, oldest first, and
	// counts an attempt for each.
	ClaimEvents(ctx context.Context, c Claim) ([]*RawEvent, error)
	// RetryEvent gives a claimed event back to be tried again at runAfter.
	RetryEvent(ctx context.Context, id int64, worker string, runAfter time.Time, reason string) error
	// ParkEvent sets a claimed event aside for good: it is never retried but
	// stays visible (ParkedEvents) for an operator.
	ParkEvent(ctx context.Context, id int64, worker string, reason string) error
	// ReleaseEvents gives back every event leased to worker, unchanged but for
	// the attempt, so that another worker can claim it at once.
	ReleaseEvents(ctx context.Context, worker string) error
	// ParkedEvents lists parked events, newest first.
	ParkedEvents(ctx context.Context, limit int) ([]*RawEvent, error)
	// InboxStats counts events by state.
	InboxStats(ctx context.Context) (InboxStats, error)
	// Queues reports each durable queue's waiting items and the oldest of
	// them, for the metrics gauges read on every scrape: unlike
	// InboxStats it reads only what waits (indexed), never the whole inbox.
	// The fixed queues come first, in the order of their constants, then
	// one per kind of job that has pending jobs, named by the kind.
	Queues(ctx context.Context) ([]QueueGauge, error)
}

// The queues Queues reports, in its order.
const (
	QueueEvents      = "events"       // webhook events waiting to be processed
	QueueParked      = "parked"       // events given up on, waiting for an operator
	QueueCards       = "cards"        // card versions waiting for Slack
	QueueCardsFailed = "cards_failed" // card versions Slack refused for good
	QueueApprovals   = "approvals"    // gestures waiting for a supervisor
)

// QueueGauge is one queue's waiting items: how many, and since when the
// oldest waits (zero when none does).
type QueueGauge struct {
	Queue  string
	Depth  int
	Oldest time.Time
}

// InboxStats counts inbox events by state.
type InboxStats struct {
	Pending int
	Done    int
	Parked  int
}

// CardQueue hands out context cards whose latest version Slack does not show.
type CardQueue interface {
	// ClaimCards leases due cards with undelivered versions.
	ClaimCards(ctx context.Context, c Claim) ([]*CardState, error)
	// CardDelivered records that Slack shows version of the card at
	// channel/ts, and releases the lease. It returns ErrLeaseLost if the
	// lease was taken over.
	CardDelivered(ctx context.Context, key, worker, channel, ts string, version int64) error
	// RetryCard releases the lease and makes the card due again at runAfter.
	// mayHavePosted says whether Slack may have posted the card anyway (a
	// timeout or a 5xx after a post); the next claim is then InDoubt.
	RetryCard(ctx context.Context, key, worker string, runAfter time.Time, reason string, mayHavePosted bool) error
	// FailCard records a permanent error; the card waits for its next change.
	FailCard(ctx context.Context, key, worker, reason string) error
	// ReleaseCards gives back every card leased to worker.
	ReleaseCards(ctx context.Context, worker string) error
	// CardStats counts cards waiting for delivery and cards that failed.
	CardStats(ctx context.Context) (pending, failed int, err error)
}

// Instances keeps track of the running plusone processes that share the
// store, so that the work a dead one claimed is taken over within a few
// heartbeats instead of when its leases run out, and elects one holder for
// roles that must not run twice at once (the Slack sender). A worker's name
// is its instance's name, "/" and its role; instance names contain no "/".
type Instances interface {
	// Heartbeat records that instance is alive at now, registering it on
	// its first beat (started at now) and reviving it if it was reaped.
	Heartbeat(ctx context.Context, instance string, now time.Time) error
	// ReapInstances gives back, at now, every lease (inbox events, cards,
	// jobs, roles) held by an instance whose last heartbeat is before
	// deadBefore and that was not reaped since, marks it reaped, and
	// forgets instances silent since before forgetBefore. It returns the
	// names of the instances it reaped. A lease given back stays with its
	// worker until another claims it, as one that ran out would.
	ReapInstances(ctx context.Context, now, deadBefore, forgetBefore time.Time) ([]string, error)
	// TakeOver gives back, at now, every lease held by another instance
	// and marks the others reaped; it returns their names. Only for a
	// process that knows it is alone on the store (SQLite: one process per
	// file), at start.
	TakeOver(ctx context.Context, instance string, now time.Time) ([]string, error)
	// Leave gives back the roles instance holds and marks it stopped (a
	// clean shutdown): the next ReapInstances of any instance gives back
	// whatever it still holds, such as work in hand when shutdown timed out.
	Leave(ctx context.Context, instance string) error
	// HoldRole makes holder the holder of role until now+ttl when the role
	// is free, expired, or already holder's (a renewal). It returns since
	// when holder holds it without a break, or ok false when another
	// holder's term has not expired.
	HoldRole(ctx context.Context, role, holder string, now time.Time, ttl time.Duration) (since time.Time, ok bool, err error)
}

// Job is background work other than applying webhooks, such as back-filling
// a customer's history from a vendor's API.
type Job struct {
	ID   int64
	Kind string
	// Key is unique over all jobs ever enqueued: a job with a key that was
	// enqueued before is not enqueued again.
	Key       string
	Payload   []byte // JSON
	Attempts  int
	LastError string
	CreatedAt time.Time
	// State is "pending", "done" or "parked" (read by Tx.JobByKey).
	State string
}

// PostedMessage is where a gesture request's Slack message for a purpose
// (MessageApproval, MessageTodo) was posted.
type PostedMessage struct {
	RequestID   int64
	Purpose     string
	Channel, TS string
}

// JobQueue hands out background jobs with leases, like the inbox.
type JobQueue interface {
	// ClaimJobs leases due pending jobs of kind, oldest first.
	ClaimJobs(ctx context.Context, kind string, c Claim) ([]*Job, error)
	// RetryJob gives a claimed job back to be tried again at runAfter.
	RetryJob(ctx context.Context, id int64, worker string, runAfter time.Time, reason string) error
	// ParkJob sets a claimed job aside for good, visible to operators.
	ParkJob(ctx context.Context, id int64, worker, reason string) error
	// ReleaseJobs gives back every job leased to worker.
	ReleaseJobs(ctx context.Context, worker string) error
	// JobStats counts jobs of kind waiting and parked.
	JobStats(ctx context.Context, kind string) (pending, parked int, err error)
}

// LedgerTx reads and appends the gestures ledger and the policy's
// overrides.
type LedgerTx interface {
	// AppendLedger appends e and sets its ID. When e.Key is set and an entry
	// with that key exists, nothing is appended and that entry is returned
	// with dup true; concurrent appends of one key append it once.
	AppendLedger(ctx context.Context, e *LedgerEntry) (existing *LedgerEntry, dup bool, err error)
	// Request lists the entries of a request, oldest first; ErrNotFound
	// for an unknown request.
	Request(ctx context.Context, requestID int64) ([]LedgerEntry, error)
	// Spent sums the charges of the budget of scope and key (as in
	// BudgetLine) since the start of its period.
	Spent(ctx context.Context, scope BudgetScope, key string, since time.Time) (Money, error)
	// LastGranted is when a gesture was last granted or approved to a
	// customer, in a request not cancelled since; zero if never.
	LastGranted(ctx context.Context, customerID int64, gesture string) (time.Time, error)
	// Gestures lists the latest entry of each request of a customer,
	// newest first.
	Gestures(ctx context.Context, customerID int64, limit int) ([]LedgerEntry, error)
	// Pending lists the requests awaiting approval (their latest entry),
	// oldest first.
	Pending(ctx context.Context, limit int) ([]LedgerEntry, error)
	// Ledger lists entries matching f, newest first.
	Ledger(ctx context.Context, f LedgerFilter) ([]LedgerEntry, error)
	// SpendByDay sums the charges of the entries made in each day, by agent
	// and team (of agent alone unless agent is ""): days are consecutive,
	// day i from days[i] up to days[i+1], the last ending at end. Days
	// with nothing charged are left out.
	SpendByDay(ctx context.Context, days []time.Time, end time.Time, agent string) ([]DaySpend, error)
	// SaveMessage records where a request's Slack message for purpose
	// ("approval", "todo") was posted; Message finds it (ErrNotFound).
	SaveMessage(ctx context.Context, requestID int64, purpose, channel, ts string) error
	Message(ctx context.Context, requestID int64, purpose string) (channel, ts string, err error)
	// CustomerMessages lists the Slack messages posted for customer id's
	// gesture requests (SaveMessage's), by request and purpose: what her
	// erasure replaces.
	CustomerMessages(ctx context.Context, customerID int64) ([]PostedMessage, error)
	// AddOverride appends a supervisor's change; Overrides lists them all,
	// oldest first.
	AddOverride(ctx context.Context, o *Override) error
	Overrides(ctx context.Context) ([]Override, error)
	// Audit records an attempt and its outcome.
	Audit(ctx context.Context, actor, action, target, outcome string, at time.Time) error
	// AuditLog lists audit records, newest first.
	AuditLog(ctx context.Context, limit int) ([]AuditRecord, error)
}

// LedgerFilter selects ledger entries; zero fields select all.
type LedgerFilter struct {
	Agent      string
	CustomerID int64
	Since      time.Time
	Limit      int
}

// AuditRecord is one audited attempt.
type AuditRecord struct {
	Actor, Action, Target, Outcome string
	At                             time.Time
}

// Tx is a unit of work on the store.
type Tx interface {
	CustomerTx
	TimelineTx
	CardTx
	LedgerTx
	OutcomesTx
	PolicyTx
	WordingTx
	// Lock serialises the transactions that lock the same keys (lock.go):
	// each waits until the one holding a key ends, and then reads what it
	// committed. Keys given in one call are taken in a fixed order; hold the
	// lock from reading what a write depends on to the write. Where
	// transactions already write one at a time (SQLite) it does nothing.
	Lock(ctx context.Context, keys ...string) error
	// EnqueueJob adds a job unless one with its key was ever enqueued;
	// added says which.
	EnqueueJob(ctx context.Context, j *Job, runAfter time.Time) (added bool, err error)
	// CompleteJob marks a claimed job done; ErrLeaseLost if worker lost it.
	CompleteJob(ctx context.Context, id int64, worker string, now time.Time) error
	// JobByKey reads the job enqueued with key, whatever its state
	// (ErrNotFound if none was): what it holds, for operators' tools and
	// the checks that erasure left nothing of a customer in it.
	JobByKey(ctx context.Context, key string) (*Job, error)
	// CompleteEvent marks a claimed inbox event done. It returns ErrLeaseLost
	// if worker no longer holds it, and the transaction must then roll back.
	CompleteEvent(ctx context.Context, id int64, worker string, now time.Time) error
}

// CustomerTx reads and writes customers and their identities.
type CustomerTx interface {
	// Customer returns ErrNotFound when there is no customer id.
	Customer(ctx context.Context, id int64) (*Customer, error)
	// CustomerByIdentity returns ErrNotFound when nobody has the identity.
	CustomerByIdentity(ctx context.Context, id Identity) (*Customer, error)
	// CreateCustomer inserts c and sets c.ID.
	CreateCustomer(ctx context.Context, c *Customer) error
	// UpdateCustomer saves c's fields and profile.
	UpdateCustomer(ctx context.Context, c *Customer) error
	// AddIdentity links id to the customer. It returns an *Error with code
	// ECONFLICT if another customer has it; linking it twice is no error.
	AddIdentity(ctx context.Context, customerID int64, id Identity, now time.Time) error
	Identities(ctx context.Context, customerID int64) ([]Identity, error)
	// MergeCustomers moves everything of customer from to customer into,
	// deletes from and records the merge. It locks from's identities, then
	// both customers (lock.go).
	MergeCustomers(ctx context.Context, into, from int64, reason string, now time.Time) error
	// SplitIdentity moves an identity off a customer onto a new one, with
	// what came from that source when the identity is a source's own id
	// (its tickets, orders, carts, timeline and cards); it records the split
	// and returns the new customer's ID. It locks the identity, then the
	// customer (lock.go).
	SplitIdentity(ctx context.Context, customerID int64, id Identity, reason string, now time.Time) (int64, error)
	// Merges lists the merges and splits a customer took part in, newest
	// first.
	Merges(ctx context.Context, customerID int64) ([]Merge, error)
	// FindCustomers finds customers by exact email, or else by a prefix of
	// their name or of a word in it (case does not matter), at most limit.
	FindCustomers(ctx context.Context, query string, limit int) ([]Customer, error)
	// AddNote records a note and sets n.ID.
	AddNote(ctx context.Context, n *Note) error
	// Notes lists a customer's notes, newest first.
	Notes(ctx context.Context, customerID int64, limit int) ([]Note, error)
	// NotesBy lists an agent's notes, newest first.
	NotesBy(ctx context.Context, author string, limit int) ([]Note, error)
	// TouchAgent records that an agent did something for a customer.
	TouchAgent(ctx context.Context, agent string, customerID int64, what string, at time.Time) error
	// Helped says whether an agent did something for a customer (TouchAgent).
	Helped(ctx context.Context, agent string, customerID int64) (bool, error)
	// RecentCustomers lists the customers an agent helped, latest first.
	RecentCustomers(ctx context.Context, agent string, limit int) ([]RecentCustomer, error)
	// AgentSetting reads one of an agent's own settings (such as
	// AgentFeedbackSetting); "" when she never set it.
	AgentSetting(ctx context.Context, agent, name string) (string, error)
	// SetAgentSetting creates or replaces one of an agent's settings.
	SetAgentSetting(ctx context.Context, agent, name, value string, now time.Time) error
	// SetPreference creates or replaces the preference with p.Key.
	SetPreference(ctx context.Context, customerID int64, p Preference) error
	// Preferences lists a customer's preferences by key.
	Preferences(ctx context.Context, customerID int64) ([]Preference, error)
	// EraseCustomer removes everything stored about a customer but her
	// ledger entries: identities, timeline, tickets, orders, carts,
	// preferences, notes, merges, pending back-fills; her record stays,
	// emptied, with ErasedAt set. Her cards not yet posted go; the others
	// are due again, to show that she was erased. It locks her identities,
	// then her (lock.go). erased is false when she was erased before (it
	// then does nothing); ErrNotFound for an unknown customer.
	EraseCustomer(ctx context.Context, customerID int64, now time.Time) (erased bool, err error)
	// UnseenCustomers lists at most limit customers, not erased, with no
	// event since before (or, with none at all, created before it).
	UnseenCustomers(ctx context.Context, before time.Time, limit int) ([]int64, error)
	// CustomersOfSource lists at most limit customers, not erased, known
	// through source: an identity of its own or a timeline entry from it.
	CustomersOfSource(ctx context.Context, source Source, limit int) ([]int64, error)
}

// TimelineTx reads and writes the timeline and the objects behind it.
type TimelineTx interface {
	// AddTouchpoint records tp once per (Source, DedupeKey) and sets tp.ID;
	// added is false when it was already there. An earlier report of a
	// recorded touchpoint moves it to its earlier time (with its summary), so
	// that the timeline does not depend on the order events arrive in.
	AddTouchpoint(ctx context.Context, tp *Touchpoint) (added bool, err error)
	// Timeline lists a customer's latest touchpoints, newest first.
	Timeline(ctx context.Context, customerID int64, limit int) ([]Touchpoint, error)

	// Ticket returns ErrNotFound for an unknown ticket.
	Ticket(ctx context.Context, source Source, id string) (*TicketRecord, error)
	SaveTicket(ctx context.Context, t *TicketRecord) error
	// Tickets lists a customer's tickets, newest first.
	Tickets(ctx context.Context, customerID int64, limit int) ([]TicketRecord, error)
	// TicketContacts lists how and when she opened her tickets, newest
	// first, in the order of Tickets: only the three columns it needs.
	TicketContacts(ctx context.Context, customerID int64, limit int) ([]TicketContact, error)

	// Order returns ErrNotFound for an unknown order.
	Order(ctx context.Context, source Source, id string) (*OrderRecord, error)
	SaveOrder(ctx context.Context, o *OrderRecord) error
	// Orders lists a customer's orders, newest first.
	Orders(ctx context.Context, customerID int64, limit int) ([]OrderRecord, error)

	// Cart returns ErrNotFound for an unknown cart.
	Cart(ctx context.Context, source Source, id string) (*CartRecord, error)
	SaveCart(ctx context.Context, c *CartRecord) error
	// Carts lists a customer's carts, most recently updated first.
	Carts(ctx context.Context, customerID int64, limit int) ([]CartRecord, error)

	// TicketsCreated lists every customer's tickets created in [from, to),
	// oldest first, at most limit.
	TicketsCreated(ctx context.Context, from, to time.Time, limit int) ([]TicketRecord, error)
	// TouchpointsBetween lists every customer's touchpoints of the given
	// kinds that occurred in [from, to), oldest first, at most limit.
	TouchpointsBetween(ctx context.Context, from, to time.Time, kinds []TouchpointKind, limit int) ([]Touchpoint, error)

	// ProfileFacts computes a customer's profile from her orders, tickets and
	// feedback; Tier is left for the policy to decide.
	ProfileFacts(ctx context.Context, customerID int64) (Profile, error)
}

// CardTx reads and schedules context cards.
type CardTx interface {
	// TouchCard creates the card of a ticket (routed to card.Channel) or, if
	// it exists, bumps its version so that the change reaches Slack. A card
	// that failed permanently becomes pending again.
	TouchCard(ctx context.Context, card CardState, now time.Time) error
	// Card returns ErrNotFound for a ticket without a card.
	Card(ctx context.Context, key string) (*CardState, error)
	// CardAt returns the card posted as message ts in channel, or
	// ErrNotFound.
	CardAt(ctx context.Context, channel, ts string) (*CardState, error)
	// CardsOfCustomer lists the cards of a customer's tickets, newest first.
	CardsOfCustomer(ctx context.Context, customerID int64, limit int) ([]CardState, error)
}

// OutcomesTx records exposures to gestures and reads what customers did
// after them.
type OutcomesTx interface {
	// Assign records a customer's exposure to a gesture. When she has an
	// assignment for it already, its arm is kept and its exposure moved to
	// a.ExposedAt if that is earlier; Assign reports whether it stored
	// anything. (Merges keep the earlier of two assignments whole.)
	Assign(ctx context.Context, a Assignment) (stored bool, err error)
	// Assignments lists a customer's assignments by gesture.
	Assignments(ctx context.Context, customerID int64) ([]Assignment, error)
	// AssignmentSeed returns the installation's assignment seed, storing
	// fresh as the seed when there is none yet (the first caller's wins).
	AssignmentSeed(ctx context.Context, fresh string) (string, error)
	// ExposureOutcomes lists, by gesture and customer, the assignments whose
	// window has closed by closedBy (ExposedAt+window <= closedBy), with
	// what the customer did within the window after her exposure. Erased
	// customers' assignments are left out (what they did was erased; counted,
	// they would look like customers who did nothing).
	ExposureOutcomes(ctx context.Context, window time.Duration, closedBy time.Time) ([]ExposureOutcome, error)
}
