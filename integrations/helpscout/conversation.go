package helpscout

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// conversation is the body of convo.* events: a Help Scout conversation in
// the v2 layout, with the v1 names of the fields that differ read too.
type conversation struct {
	ID        text      `json:"id"`
	Number    text      `json:"number"`
	Type      string    `json:"type"`
	Status    string    `json:"status"`
	Subject   string    `json:"subject"`
	Preview   string    `json:"preview"`
	MailboxID text      `json:"mailboxId"`
	Mailbox   *struct { // v1
		ID text `json:"id"`
	} `json:"mailbox"`
	PrimaryCustomer *person  `json:"primaryCustomer"`
	Customer        *person  `json:"customer"` // v1
	Assignee        *person  `json:"assignee"`
	Owner           *person  `json:"owner"` // v1
	CreatedBy       *person  `json:"createdBy"`
	Tags            *tagList `json:"tags"`
	CreatedAt       string   `json:"createdAt"`
	UserUpdatedAt   string   `json:"userUpdatedAt"`
	UpdatedAt       string   `json:"updatedAt"`
	UserModifiedAt  string   `json:"userModifiedAt"` // v1
	ModifiedAt      string   `json:"modifiedAt"`     // v1
	// Threads is the list of threads in v1 and their number in v2, whose
	// threads are embedded.
	Threads  threadList `json:"threads"`
	Embedded struct {
		Threads []thread `json:"threads"`
	} `json:"_embedded"`
	// CustomFields are the mailbox's custom fields set on it; Text is a
	// dropdown's option as shown, Value its id (or the value of others).
	CustomFields []struct {
		Name  string `json:"name"`
		Value text   `json:"value"`
		Text  string `json:"text"`
	} `json:"customFields"`
}

// thread is one message of a conversation: a customer's, a reply, a note,
// or a line item recording a change.
type thread struct {
	ID        text    `json:"id"`
	Type      string  `json:"type"`
	State     string  `json:"state"`
	Body      string  `json:"body"`
	CreatedAt string  `json:"createdAt"`
	CreatedBy *person `json:"createdBy"`
	Customer  *person `json:"customer"`
}

// threadList reads "threads": an array of threads (v1) or a count (v2).
type threadList []thread

// UnmarshalJSON accepts an array of threads, a number or null.
func (v *threadList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '[':
		var list []thread
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*v = list
	case len(b) > 0 && (b[0] == '{' || b[0] == '"' || b[0] == 't' || b[0] == 'f'):
		return &json.UnmarshalTypeError{Value: "value", Type: reflect.TypeFor[[]thread]()}
	}
	return nil
}

// kind is what a conversation event says happened.
type kind int

const (
	created kind = iota
	customerReply
	agentReply
	note
	updated
)

// conversationKind classifies the convo.* events plusone uses.
func conversationKind(event string) (kind, bool) {
	switch event {
	case "convo.created", "convo.ai-answers.created":
		return created, true
	case "convo.customer.reply.created":
		return customerReply, true
	case "convo.agent.reply.created":
		return agentReply, true
	case "convo.note.created":
		return note, true
	case "convo.status", "convo.assigned", "convo.tags", "convo.moved", "convo.merged", "convo.custom-fields":
		return updated, true
	}
	return 0, false
}

// parseConversation turns a convo.* event of kind k into its event.
func parseConversation(event string, k kind, body []byte) (plusone.Delivery, error) {
	var c conversation
	if err := webhook.Decode(body, &c, ""); err != nil {
		return plusone.Delivery{}, err
	}
	if c.ID == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "id": required (the conversation id)`)
	}
	ref, err := c.customer()
	if err != nil {
		return plusone.Delivery{}, err
	}
	createdAt, err := timestamp("createdAt", c.CreatedAt)
	if err != nil {
		return plusone.Delivery{}, err
	}
	stamp := firstOf(c.UserUpdatedAt, c.UserModifiedAt, c.ModifiedAt, c.UpdatedAt)
	updatedAt, err := timestamp("userUpdatedAt", stamp)
	if err != nil {
		return plusone.Delivery{}, err
	}
	t := c.ticket()
	var (
		key string
		e   plusone.Event
	)
	switch k {
	case created:
		key = event + ":" + string(c.ID)
		e = newEvent(key, plusone.EventTicketCreated)
		e.OccurredAt = firstTime(createdAt, updatedAt)
		e.Message, err = c.firstMessage()
	case customerReply, agentReply, note:
		th := c.newest(k)
		key = event + ":" + string(c.ID) + ":" + stamp
		switch {
		case th != nil && th.ID != "":
			key = event + ":" + string(c.ID) + ":thread:" + string(th.ID)
		case stamp == "":
			key = bodyKey(event, body)
		}
		e = newEvent(key, plusone.EventMessageReceived)
		e.OccurredAt = updatedAt
		e.Message = &plusone.Message{ID: key, Text: htmltext.Text(c.Preview), FromCustomer: k == customerReply, Private: k == note}
		if th != nil {
			var at time.Time
			if at, err = timestamp("threads.createdAt", th.CreatedAt); err == nil {
				e.OccurredAt = firstTime(at, updatedAt)
				e.Message.Text = htmltext.Text(th.Body)
				e.Message.Author = th.author()
				if th.ID != "" {
					e.Message.ID = "thread:" + string(th.ID)
				}
			}
		}
	default:
		key = bodyKey(event, body)
		if stamp != "" {
			key = event + ":" + string(c.ID) + ":" + stamp + ":" + c.digest()
		}
		e = newEvent(key, plusone.EventTicketUpdated)
		e.OccurredAt = updatedAt
	}
	if err != nil {
		return plusone.Delivery{}, err
	}
	e.Customer, e.Ticket = ref, t
	return plusone.Delivery{DedupeKey: key, Events: []plusone.Event{e}}, nil
}

// customer names the conversation's customer: its primary customer, else
// the customer of its first thread.
func (c *conversation) customer() (plusone.CustomerRef, error) {
	candidates := []*person{c.PrimaryCustomer, c.Customer}
	for _, th := range c.threads() {
		candidates = append(candidates, th.Customer)
	}
	if c.CreatedBy.isCustomer() {
		candidates = append(candidates, c.CreatedBy)
	}
	for _, p := range candidates {
		if p.known() {
			ref := p.ref()
			// v2 primaryCustomer may leave the email to the threads.
			for _, other := range candidates {
				if p.ID != "" && other.known() && other.ID == p.ID {
					fill(&ref.Email, other.email())
					fill(&ref.Name, other.name())
				}
			}
			return ref, nil
		}
	}
	return plusone.CustomerRef{}, webhook.Invalid(`field "primaryCustomer": the conversation names no customer (id or email)`)
}

func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// ticket is the conversation as a plusone ticket.
func (c *conversation) ticket() *plusone.Ticket {
	t := &plusone.Ticket{
		ID:      string(c.ID),
		Subject: strings.TrimSpace(c.Subject),
		URL:     conversationURL(string(c.ID), string(c.Number)),
		Status:  status(c.Status),
		Channel: lower(c.Type),
	}
	if c.Tags != nil {
		t.Tags = []string(*c.Tags)
	}
	if t.Subject == "" {
		t.Subject = htmltext.Excerpt(htmltext.Text(c.Preview), 80)
	}
	assignee := c.Assignee
	if assignee == nil {
		assignee = c.Owner
	}
	if assignee != nil {
		t.Assignee = assignee.name()
	}
	for _, p := range []*person{c.PrimaryCustomer, c.Customer} {
		if p != nil && t.Organization == "" {
			t.Organization = strings.TrimSpace(p.Organization)
		}
	}
	for _, f := range c.CustomFields {
		name, value := strings.TrimSpace(f.Name), strings.TrimSpace(firstOf(f.Text, string(f.Value)))
		if name == "" || value == "" {
			continue
		}
		if t.Fields == nil {
			t.Fields = map[string]string{}
		}
		t.Fields[name] = value
	}
	return t
}

// status maps Help Scout's status onto plusone's: active is open.
func status(s string) string {
	if s = lower(s); s == "active" {
		return "open"
	}
	return s
}

// threads returns the conversation's threads, embedded (v2) or listed (v1).
func (c *conversation) threads() []thread {
	if len(c.Embedded.Threads) > 0 {
		return c.Embedded.Threads
	}
	return c.Threads
}

// firstMessage is the conversation's first published thread as a message,
// or its preview when the payload has no threads.
func (c *conversation) firstMessage() (*plusone.Message, error) {
	var first *thread
	var firstAt time.Time
	list := c.threads()
	for i := range list {
		th := &list[i]
		if !th.published() || lower(th.Type) == "lineitem" {
			continue
		}
		at, err := timestamp("threads.createdAt", th.CreatedAt)
		if err != nil {
			return nil, err
		}
		if first == nil || at.Before(firstAt) || at.Equal(firstAt) && idLess(th.ID, first.ID) {
			first, firstAt = th, at
		}
	}
	if first == nil {
		text := htmltext.Text(c.Preview)
		if text == "" {
			return nil, nil
		}
		return &plusone.Message{ID: "conversation:" + string(c.ID) + ":first", Text: text, FromCustomer: c.CreatedBy.isCustomer()}, nil
	}
	text := htmltext.Text(first.Body)
	if text == "" {
		return nil, nil
	}
	m := &plusone.Message{ID: "thread:" + string(first.ID), Text: text, Author: first.author(), Private: lower(first.Type) == "note"}
	m.FromCustomer = !m.Private && first.fromCustomer()
	if first.ID == "" {
		m.ID = "conversation:" + string(c.ID) + ":first"
	}
	return m, nil
}

// newest returns the conversation's newest published thread of kind k, or
// nil. Threads whose time cannot be read count as the oldest.
func (c *conversation) newest(k kind) *thread {
	var best *thread
	var bestAt time.Time
	list := c.threads()
	for i := range list {
		th := &list[i]
		if !th.published() || !th.is(k) {
			continue
		}
		at, _ := timestamp("", th.CreatedAt)
		if best == nil || at.After(bestAt) || at.Equal(bestAt) && idLess(best.ID, th.ID) {
			best, bestAt = th, at
		}
	}
	return best
}

// is reports whether the thread is what k says was created.
func (th *thread) is(k kind) bool {
	switch typ := lower(th.Type); k {
	case customerReply:
		return typ == "customer" || typ != "note" && typ != "lineitem" && th.CreatedBy.isCustomer()
	case agentReply:
		return typ == "message" || typ == "reply" || (typ == "chat" || typ == "phone") && th.CreatedBy != nil && !th.CreatedBy.isCustomer()
	case note:
		return typ == "note"
	}
	return false
}

// published reports whether the thread is not a draft or held for review.
func (th *thread) published() bool {
	s := lower(th.State)
	return s == "" || s == "published"
}

// fromCustomer reports whether the customer wrote the thread.
func (th *thread) fromCustomer() bool {
	return lower(th.Type) == "customer" || th.CreatedBy.isCustomer()
}

// author names who wrote the thread.
func (th *thread) author() string {
	if th.CreatedBy == nil {
		return ""
	}
	return firstOf(th.CreatedBy.name(), th.CreatedBy.email())
}

// digest summarises the state a conversation event reports (status,
// assignee, mailbox, tags), so that two changes in the same second have
// different dedupe keys.
func (c *conversation) digest() string {
	assignee := c.Assignee
	if assignee == nil {
		assignee = c.Owner
	}
	parts := []string{lower(c.Status), "", string(c.MailboxID)}
	if assignee != nil {
		parts[1] = string(assignee.ID)
	}
	if c.Mailbox != nil && parts[2] == "" {
		parts[2] = string(c.Mailbox.ID)
	}
	if c.Tags != nil {
		tags := slices.Clone([]string(*c.Tags))
		slices.Sort(tags)
		parts = append(parts, tags...)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// idLess orders numeric ids as numbers, shorter first.
func idLess(a, b text) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
