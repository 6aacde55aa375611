package delivery

// JobMessage is the kind of the outbox jobs that carry Slack messages other
// than cards (approval requests, thread replies, to-dos). They are queued in
// the transaction of the change they announce and sent by the same sender
// as cards, with the same pacing and rate-limit handling.
const JobMessage = "slack.message"

// Outgoing is the payload of a JobMessage job: which message, about what.
// The message is rendered when it is sent, from the store as it is then.
type Outgoing struct {
	// What names the message: approval_request, approval_decided,
	// thread_outcome, todo, fulfilled, writeback.
	What      string `json:"what"`
	RequestID int64  `json:"request_id"`
	// EntryID is the ledger entry the message announces, when not the
	// request's latest.
	EntryID int64 `json:"entry_id,omitempty"`
	// Update names a posted message of the request ("approval", "todo") to
	// replace instead of posting a new one.
	Update string `json:"update,omitempty"`
	// Record remembers the posted message for the request under this name.
	Record string `json:"record,omitempty"`
	// Text is free text some messages carry (a write-back's result).
	Text string `json:"text,omitempty"`
	OK   bool   `json:"ok,omitempty"`
}
