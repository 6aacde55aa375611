package intercom

import (
	"strconv"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// conversation is the data.item of conversation topics: Intercom's
// Conversation object. The fields of API versions before 2.0 that differ
// (conversation_message, user) are read too.
type conversation struct {
	ID        text     `json:"id"`
	Title     string   `json:"title"`
	CreatedAt unixTime `json:"created_at"`
	UpdatedAt unixTime `json:"updated_at"`
	State     string   `json:"state"`
	Open      *bool    `json:"open"`
	Priority  string   `json:"priority"`
	Tags      *tagList `json:"tags"`
	Source    *message `json:"source"`
	// ConversationMessage is the first message in API versions before 2.0.
	ConversationMessage *message `json:"conversation_message"`
	Contacts            *struct {
		Contacts []contactRef `json:"contacts"`
	} `json:"contacts"`
	// User is the customer in API versions before 2.0.
	User  *author `json:"user"`
	Parts *struct {
		Parts []part `json:"conversation_parts"`
	} `json:"conversation_parts"`
	Rating *rating `json:"conversation_rating"`
	// Assignee is the admin or team assigned (API versions before 2.0
	// and the webhook's conversation); an assignment part's AssignedTo
	// is newer.
	Assignee *author `json:"assignee"`
	// CustomAttributes are the conversation's data attributes by name.
	CustomAttributes map[string]any `json:"custom_attributes"`
}

// message is the message that started a conversation.
type message struct {
	Type    string `json:"type"`
	ID      text   `json:"id"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Author  author `json:"author"`
}

// author is who wrote a message or a part: a user, lead or contact (the
// customer), or an admin, bot or team.
type author struct {
	Type  string `json:"type"`
	ID    text   `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// isCustomer reports whether the author is the customer side.
func (a author) isCustomer() bool {
	switch lower(a.Type) {
	case "user", "lead", "contact":
		return true
	}
	return false
}

type contactRef struct {
	ID text `json:"id"`
}

// part is a conversation part: a reply, a note, or a change of state.
type part struct {
	ID        text     `json:"id"`
	PartType  string   `json:"part_type"`
	Body      string   `json:"body"`
	CreatedAt unixTime `json:"created_at"`
	Author    author   `json:"author"`
	// AssignedTo is whom an assignment part assigned the conversation to.
	AssignedTo *author `json:"assigned_to"`
}

type tagList struct {
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
}

// kind is what a conversation topic says happened.
type kind int

const (
	created kind = iota
	customerReply
	agentReply
	note
	updated
	rated
)

// conversationEvent returns the handler of the conversation topics of kind k.
func conversationEvent(k kind) handler {
	return func(n notification) ([]plusone.Event, error) {
		c, err := decodeConversation(n.Data.Item)
		if err != nil {
			return nil, err
		}
		return c.events(n, k)
	}
}

// decodeConversation reads the data.item of a conversation topic, which
// must have an id.
func decodeConversation(item []byte) (conversation, error) {
	var c conversation
	if err := webhook.Decode(item, &c, "data.item"); err != nil {
		return conversation{}, err
	}
	if c.ID == "" {
		return conversation{}, webhook.Invalid(`field "data.item.id": required (the conversation id)`)
	}
	return c, nil
}

// events returns the events of notification n, a conversation topic of kind
// k whose item is c.
func (c *conversation) events(n notification, k kind) ([]plusone.Event, error) {
	ref, err := c.customer()
	if err != nil {
		return nil, err
	}
	t := c.ticket(string(n.AppID), statusOf(n.Topic, *c))
	switch k {
	case created:
		e := newEvent(n, plusone.EventTicketCreated, c.CreatedAt.Time())
		e.Customer, e.Ticket = ref, t
		if first := c.first(); first != nil {
			if body := htmltext.Text(first.Body); body != "" {
				e.Message = &plusone.Message{
					ID:           "conversation:" + string(c.ID) + ":source",
					Text:         body,
					Author:       first.Author.Name,
					FromCustomer: first.Author.isCustomer(),
				}
			}
		}
		return []plusone.Event{e}, nil
	case customerReply, agentReply, note:
		p := c.latestPart(k)
		e := newEvent(n, plusone.EventMessageReceived, c.UpdatedAt.Time())
		e.Customer, e.Ticket = ref, t
		e.Message = &plusone.Message{
			ID:           "conversation:" + string(c.ID) + ":notification:" + string(n.ID),
			FromCustomer: k == customerReply,
			Private:      k == note,
		}
		if p != nil {
			e.OccurredAt = firstTime(p.CreatedAt.Time(), e.OccurredAt)
			e.Message.Text, e.Message.Author = htmltext.Text(p.Body), p.Author.Name
			if p.ID != "" {
				e.Message.ID = "conversation:" + string(c.ID) + ":part:" + string(p.ID)
			}
		}
		return []plusone.Event{e}, nil
	case rated:
		e, err := c.feedback(n, ref, t)
		if err != nil {
			return nil, err
		}
		return []plusone.Event{e}, nil
	}
	e := newEvent(n, plusone.EventTicketUpdated, c.UpdatedAt.Time())
	e.Customer, e.Ticket = ref, t
	return []plusone.Event{e}, nil
}

// first returns the message that started the conversation, if the payload
// has it.
func (c *conversation) first() *message {
	if c.Source != nil {
		return c.Source
	}
	return c.ConversationMessage
}

// customer names the conversation's customer: the author of the first
// message when that is the customer, else its first contact. Her Intercom
// contact id identifies her; an email found with it is added.
func (c *conversation) customer() (plusone.CustomerRef, error) {
	var ref plusone.CustomerRef
	set := func(a author) {
		ref.ExternalID = string(a.ID)
		ref.Name = a.Name
		if plusone.NormalizeEmail(a.Email) != "" {
			ref.Email = a.Email
		}
	}
	switch first := c.first(); {
	case first != nil && first.Author.isCustomer() && first.Author.ID != "":
		set(first.Author)
	case c.Contacts != nil && len(c.Contacts.Contacts) > 0 && c.Contacts.Contacts[0].ID != "":
		ref.ExternalID = string(c.Contacts.Contacts[0].ID)
	case c.User != nil && c.User.ID != "":
		set(*c.User)
	case c.Rating != nil && c.Rating.Contact.ID != "":
		ref.ExternalID = string(c.Rating.Contact.ID)
	default:
		return ref, webhook.Invalid(`field "data.item.contacts": the conversation names no contact`)
	}
	// The user of older versions, or a reply by the same contact, may say
	// what the first message did not.
	fill := func(a author) {
		if string(a.ID) != ref.ExternalID {
			return
		}
		if ref.Email == "" && plusone.NormalizeEmail(a.Email) != "" {
			ref.Email = a.Email
		}
		if ref.Name == "" {
			ref.Name = a.Name
		}
	}
	if c.User != nil {
		fill(*c.User)
	}
	if c.Parts != nil {
		for _, p := range c.Parts.Parts {
			if p.Author.isCustomer() {
				fill(p.Author)
			}
		}
	}
	return ref, nil
}

// ticket is the conversation as a plusone ticket with the given status.
func (c *conversation) ticket(appID, status string) *plusone.Ticket {
	t := &plusone.Ticket{
		ID:       string(c.ID),
		URL:      conversationURL(appID, string(c.ID)),
		Status:   status,
		Priority: priority(c.Priority),
	}
	if c.Tags != nil {
		t.Tags = []string{}
		for _, tag := range c.Tags.Tags {
			if tag.Name != "" {
				t.Tags = append(t.Tags, tag.Name)
			}
		}
	}
	first := c.first()
	if first != nil {
		t.Subject = htmltext.Text(first.Subject)
		t.Channel = channel(first.Type)
	}
	if t.Subject == "" {
		t.Subject = htmltext.Text(c.Title)
	}
	if t.Subject == "" && first != nil {
		t.Subject = htmltext.Excerpt(htmltext.Text(first.Body), 80)
	}
	t.Assignee = c.assignee()
	t.Fields = attributes(c.CustomAttributes)
	return t
}

// assignee is the name of the admin or team the conversation is assigned
// to: its newest assignment part's, else its assignee's.
func (c *conversation) assignee() string {
	var newest *part
	if c.Parts != nil {
		for i := range c.Parts.Parts {
			p := &c.Parts.Parts[i]
			if lower(p.PartType) != "assignment" || p.AssignedTo == nil {
				continue
			}
			if newest == nil || !p.CreatedAt.Time().Before(newest.CreatedAt.Time()) {
				newest = p
			}
		}
	}
	if newest != nil {
		return strings.TrimSpace(newest.AssignedTo.Name)
	}
	if c.Assignee != nil && lower(c.Assignee.Type) != "nobody_admin" {
		return strings.TrimSpace(c.Assignee.Name)
	}
	return ""
}

// attributes are the conversation's custom attributes that read as text
// (strings, numbers, true/false), by name; nil for none.
func attributes(in map[string]any) map[string]string {
	var out map[string]string
	for name, v := range in {
		var s string
		switch v := v.(type) {
		case string:
			s = strings.TrimSpace(v)
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			s = strconv.FormatBool(v)
		}
		if name = strings.TrimSpace(name); name == "" || s == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = s
	}
	return out
}

// latestPart returns the newest part that is what k says happened, else the
// newest part with a body, else nil.
func (c *conversation) latestPart(k kind) *part {
	if c.Parts == nil {
		return nil
	}
	parts := c.Parts.Parts
	for i := len(parts) - 1; i >= 0; i-- {
		p := &parts[i]
		pt := lower(p.PartType)
		switch {
		case k == note && pt == "note",
			k == customerReply && (pt == "comment" || pt == "") && p.Author.isCustomer(),
			k == agentReply && (pt == "comment" || pt == "") && !p.Author.isCustomer():
			return p
		}
	}
	for i := len(parts) - 1; i >= 0; i-- {
		if htmltext.Text(parts[i].Body) != "" {
			return &parts[i]
		}
	}
	return nil
}

// statusOf returns the conversation's status after topic: the topic says it
// for closes, opens and snoozes; otherwise the conversation's state does.
func statusOf(topic string, c conversation) string {
	switch topic {
	case "conversation.admin.closed":
		return "closed"
	case "conversation.admin.opened", "conversation.admin.unsnoozed":
		return "open"
	case "conversation.admin.snoozed":
		return "snoozed"
	}
	if s := lower(c.State); s != "" {
		return s
	}
	if c.Open != nil {
		if *c.Open {
			return "open"
		}
		return "closed"
	}
	return ""
}

// priority maps Intercom's priority flag onto plusone's words.
func priority(p string) string {
	switch lower(p) {
	case "priority":
		return "high"
	case "not_priority":
		return "normal"
	}
	return ""
}

// channel names the medium a conversation started on, from the type of its
// first message; "" when the type is not a medium (as in older versions).
func channel(sourceType string) string {
	switch t := lower(sourceType); t {
	case "conversation":
		return "chat"
	case "phone_call", "phone_switch":
		return "phone"
	case "email", "facebook", "instagram", "push", "sms", "twitter", "whatsapp":
		return t
	}
	return ""
}
