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
	// thread_outcome, todo, fulfilled, writeback, data_request.
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
	// Channel is where a message about no request goes (a data request's).
	Channel string `json:"channel,omitempty"`
	// Ref, Source, Shop and ExternalID describe a data request: the
	// source's id of it, the source, the shop and her id there.
	Ref        string `json:"ref,omitempty"`
	Source     string `json:"source,omitempty"`
	Shop       string `json:"shop,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
}

// DataRequest is the What of the message telling supervisors that a
// source asked for what is stored about a customer (Text is her email).
const DataRequest = "data_request"
