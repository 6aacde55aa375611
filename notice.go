package plusone

import (
	"context"
	"time"
)

// NoticeKind names a Slack message about a gesture request, other than a
// card: what gestures queue in the outbox and the Slack app renders.
type NoticeKind string

// Notice kinds.
const (
	// NoticeApprovalRequest asks the supervisors to approve or decline a
	// request (in the approvals channel, or the card's thread).
	NoticeApprovalRequest NoticeKind = "approval_request"
	// NoticeApprovalDecided replaces the approval request with its outcome.
	NoticeApprovalDecided NoticeKind = "approval_decided"
	// NoticeThreadOutcome tells the agent in the card's thread how her
	// request was decided.
	NoticeThreadOutcome NoticeKind = "thread_outcome"
	// NoticeTodo asks the agent to send a physical gesture, with a "Mark
	// sent" button (and a drafted note for a handwritten note).
	NoticeTodo NoticeKind = "todo"
	// NoticeFulfilled replaces the to-do once the gesture was sent.
	NoticeFulfilled NoticeKind = "fulfilled"
	// NoticeWriteback tells the agent how a write-back went.
	NoticeWriteback NoticeKind = "writeback"
	// NoticeDataRequest tells the supervisors that a source (Shopify) asked
	// what is stored about a customer; it is about no gesture request
	// (Notice.DataRequest, Notice.Channel).
	NoticeDataRequest NoticeKind = "data_request"
	// NoticeTicketWork says in the card's thread what an agent did to the
	// ticket from it ("Replied by Ana · 14:02"), or tells her alone why it
	// failed, or the link of the ticket she created (an ephemeral message).
	NoticeTicketWork NoticeKind = "ticket_work"
	// NoticeDigest is the supervisors' digest of a period, to a channel
	// or a supervisor; Notice.Text holds the period (package digest).
	NoticeDigest NoticeKind = "digest"
	// NoticeDigestChart is the digest's chart of each gesture's effect, a
	// PNG shared as a file after the digest; Notice.Text as for
	// NoticeDigest.
	NoticeDigestChart NoticeKind = "digest_chart"
	// NoticeAgentFeedback tells an agent, in a direct message, that a
	// customer she granted a gesture came back; Notice.Text holds what
	// she did and when (package feedback).
	NoticeAgentFeedback NoticeKind = "agent_feedback"
	// NoticeErased replaces a posted message of an erased customer's
	// gesture request (its approval request or to-do; Notice.Text names
	// which, as Records does) with a line saying she was erased.
	NoticeErased NoticeKind = "erased"
	// NoticeEscalation says that a ticket waits too long for an agent: in
	// its card's thread (Channel empty), or to the rule's notify channel
	// or a supervisor (Channel); Ticket is the ticket's key and Text an
	// EscalationNotice (package escalations).
	NoticeEscalation NoticeKind = "escalation"
)

// Names under which a request's posted messages are remembered
// (Tx.SaveMessage), to be replaced later.
const (
	MessageApproval = "approval"
	MessageTodo     = "todo"
)

// Records names the message a notice of kind k is remembered as once
// posted, or "" when it is not remembered.
func (k NoticeKind) Records() string {
	switch k {
	case NoticeApprovalRequest:
		return MessageApproval
	case NoticeTodo:
		return MessageTodo
	}
	return ""
}

// Replaces names the posted message a notice of kind k replaces, or ""
// when it is posted as a new message.
func (k NoticeKind) Replaces() string {
	switch k {
	case NoticeApprovalDecided:
		return MessageApproval
	case NoticeFulfilled:
		return MessageTodo
	}
	return ""
}

// JobNotice is the job kind of the outbox: notices queued in the
// transaction of the change they announce and sent by the same sender as
// cards, with the same pacing and rate-limit handling.
const JobNotice = "slack.message"

// Notice is the payload of a JobNotice job: which message, about what. It
// is composed (NoticeComposer) and rendered when it is sent, from the
// store as it is then.
type Notice struct {
	Kind      NoticeKind `json:"what"`
	RequestID int64      `json:"request_id"`
	// EntryID is the ledger entry the notice announces, when not the
	// request's latest.
	EntryID int64 `json:"entry_id,omitempty"`
	// Text is the result of a write-back ("zendesk note added"), its
	// first word the target; OK says whether it succeeded.
	Text string `json:"text,omitempty"`
	OK   bool   `json:"ok,omitempty"`
	// Ticket is the ticket key of ticket work (NoticeTicketWork); User,
	// for a failure or a ticket she created, the agent who alone sees it,
	// in Channel.
	Ticket string `json:"ticket,omitempty"`
	User   string `json:"user,omitempty"`
	// Channel is where a notice about no gesture request goes: ticket
	// work's failure (to User alone), or a data request's (the approvals
	// channel or a supervisor), DataRequest what that says.
	Channel     string       `json:"channel,omitempty"`
	DataRequest *DataRequest `json:"data_request,omitempty"`
}

// DataRequest is a source's request for what is stored about a customer,
// as the supervisors are told of it: her email (to fetch the export with)
// and her id at the source, nothing else of hers.
type DataRequest struct {
	Source     Source `json:"source"`
	Shop       string `json:"shop,omitempty"`
	RequestID  string `json:"request_id"`
	Email      string `json:"email,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// ComposedNotice is a notice ready to render and send: where it goes and
// everything its message shows.
type ComposedNotice struct {
	Kind NoticeKind
	// Skip means there is nothing to send: the message to replace was
	// never posted.
	Skip bool
	// Channel is where it goes; ThreadTS the thread in it, if any.
	Channel, ThreadTS string
	// ReplaceTS, when set, is the message in Channel this one replaces
	// (see NoticeKind.Replaces).
	ReplaceTS string

	// First is the request's first entry, Entry the one announced.
	First, Entry LedgerEntry
	Customer     Customer
	// Budgets are the agent's and the customer's budgets (approval
	// requests).
	Budgets []BudgetLine
	// Draft is a handwritten note's wording for the agent (to-dos of
	// notes), DraftByModel whether a model wrote it.
	Draft        string
	DraftByModel bool
	// Target is the system written back to (write-back results); Text and
	// OK as in Notice.
	Target string
	Text   string
	OK     bool
	// DataRequest is what a NoticeDataRequest says.
	DataRequest DataRequest
	// User, when set, is the only one who sees the message (ephemeral, in
	// Channel).
	User string

	// Digest is the digest shown (digests and their charts), its dates
	// in Location; Chart is the PNG a digest's chart shares.
	Digest   Digest
	Location *time.Location
	Chart    []byte
	// At is when the customer came back (agent feedback, what she did in
	// Text; Entry is the grant).
	At time.Time
	// Ticket is the ticket escalated, Escalation the rule and the wait,
	// and CardChannel and CardTS where its card is (escalations).
	Ticket              TicketRecord
	Escalation          EscalationNotice
	CardChannel, CardTS string
}

// NoticeComposer loads what a notice needs from the store and says where
// it goes. An error with code EINVALID or ENOTFOUND means it never can.
type NoticeComposer interface {
	Compose(ctx context.Context, n Notice) (ComposedNotice, error)
}

// NoticeComposers composes each notice with the composer of its kind
// (ByKind), and notices of any other kind with Default: the gestures'
// notices, the digest and agents' feedback each come from their own
// package.
type NoticeComposers struct {
	Default NoticeComposer
	ByKind  map[NoticeKind]NoticeComposer
}

// Compose composes n with the composer of its kind; a kind no composer
// takes is EINVALID.
func (c NoticeComposers) Compose(ctx context.Context, n Notice) (ComposedNotice, error) {
	if k, ok := c.ByKind[n.Kind]; ok {
		return k.Compose(ctx, n)
	}
	if c.Default == nil {
		return ComposedNotice{Kind: n.Kind}, Errorf(EINVALID, "unknown notice %q", n.Kind)
	}
	return c.Default.Compose(ctx, n)
}

// NoteDrafter words a handwritten note to a customer from her memory and
// the occasion (her signals): a model's draft, or the rules' when no model
// is configured or it fails (byModel false, and err says why).
type NoteDrafter interface {
	DraftNote(ctx context.Context, v CustomerView, signals []Signal) (draft string, byModel bool, err error)
}

// RequestChain reads what a notice about a request needs from the store:
// the request's first entry, its entry entryID (its latest when entryID is
// not in the chain) and its customer.
func RequestChain(ctx context.Context, tx Tx, requestID, entryID int64) (first, entry LedgerEntry, customer Customer, err error) {
	chain, err := tx.Request(ctx, requestID)
	if err != nil {
		return first, entry, customer, Errorf(ENOTFOUND, "request %d: %v", requestID, err)
	}
	first, entry = chain[0], chain[len(chain)-1]
	for _, e := range chain {
		if e.ID == entryID {
			entry = e
		}
	}
	c, err := tx.Customer(ctx, first.CustomerID)
	if err != nil {
		return first, entry, customer, err
	}
	return first, entry, *c, nil
}
