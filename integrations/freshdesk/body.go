package freshdesk

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// ruleBody is the layout of BodyTemplate. Every scalar is read as text
// because placeholders render as text.
type ruleBody struct {
	Plusone text `json:"plusone"`
	Event   text `json:"event"`
	Ticket  struct {
		ID        text    `json:"id"`
		Subject   text    `json:"subject"`
		URL       text    `json:"url"`
		Status    text    `json:"status"`
		Priority  text    `json:"priority"`
		Source    text    `json:"source"`
		Tags      tagList `json:"tags"`
		CreatedAt text    `json:"created_at"`
		UpdatedAt text    `json:"updated_at"`
		// Fields are the ticket's custom fields by the name the admin
		// gives them in the body ({"plan": "{{ticket.cf_plan}}"}).
		Fields map[string]text `json:"fields"`
	} `json:"ticket"`
	// Company is the requester's company, for the card.
	Company struct {
		Name text `json:"name"`
	} `json:"company"`
	Requester struct {
		ID    text `json:"id"`
		Email text `json:"email"`
		Name  text `json:"name"`
		Phone text `json:"phone"`
	} `json:"requester"`
	Agent struct {
		Name  text `json:"name"`
		Email text `json:"email"`
	} `json:"agent"`
	Satisfaction struct {
		Rating  text `json:"rating"`
		Comment text `json:"comment"`
	} `json:"satisfaction"`
	Description text `json:"description"`
	Comment     text `json:"comment"`
}

// The values of "event".
const (
	eventTicketCreated   = "ticket_created"
	eventCustomerReplied = "customer_replied"
	eventAgentReplied    = "agent_replied"
	eventStatusChanged   = "status_changed"
	eventTicketUpdated   = "ticket_updated"
	eventSatisfaction    = "satisfaction"
)

// eventList names the values of "event", for error messages.
const eventList = `"ticket_created", "customer_replied", "agent_replied", "status_changed", "ticket_updated" or "satisfaction"`

// delivery turns the body into its event; raw is the body as received.
func (b *ruleBody) delivery(raw []byte) (plusone.Delivery, error) {
	if b.Plusone != BodyMarker {
		return plusone.Delivery{}, webhook.Invalid(`field "plusone": %q is not a layout this version reads; use %q (see freshdesk.BodyTemplate)`, webhook.Clip(string(b.Plusone)), BodyMarker)
	}
	event := lower(string(b.Event))
	if event == "" {
		event = eventTicketUpdated
	}
	switch event {
	case eventTicketCreated, eventCustomerReplied, eventAgentReplied, eventStatusChanged, eventTicketUpdated, eventSatisfaction:
	default:
		return plusone.Delivery{}, webhook.Invalid(`field "event": %q is not %s`, webhook.Clip(string(b.Event)), eventList)
	}
	ticketID := string(b.Ticket.ID)
	if ticketID == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "ticket.id": required; set it to "{{ticket.id}}"`)
	}
	ref, err := b.customer()
	if err != nil {
		return plusone.Delivery{}, err
	}
	comment := htmltext.Text(string(b.Comment))
	key := dedupeKey(event, ticketID, string(b.Ticket.UpdatedAt), comment, raw)
	t := b.ticket(comment)
	when := b.Ticket.UpdatedAt
	if event == eventTicketCreated {
		when = b.Ticket.CreatedAt
	}
	at, _ := parseTime(string(when))
	e := plusone.Event{Source: plusone.SourceFreshdesk, ID: key, OccurredAt: at, Customer: ref, Ticket: t}

	switch event {
	case eventTicketCreated:
		e.Type = plusone.EventTicketCreated
		switch description := htmltext.Text(string(b.Description)); {
		case comment != "":
			e.Message = &plusone.Message{ID: commentID(ticketID, comment), Text: comment, Author: ref.Name, FromCustomer: true}
		case description != "":
			e.Message = &plusone.Message{ID: descriptionID(ticketID), Text: description, Author: ref.Name, FromCustomer: true}
		}
	case eventCustomerReplied, eventAgentReplied:
		if comment == "" {
			return plusone.Delivery{}, webhook.Invalid(`field "comment": required for "event": %q; set it to "{{ticket.latest_public_comment}}"`, event)
		}
		e.Type = plusone.EventMessageReceived
		e.Message = &plusone.Message{ID: commentID(ticketID, comment), Text: comment, Author: ref.Name, FromCustomer: true}
		if event == eventAgentReplied {
			e.Message.Author, e.Message.FromCustomer = string(b.Agent.Name), false
		}
	case eventSatisfaction:
		score, err := csat(string(b.Satisfaction.Rating))
		if err != nil {
			return plusone.Delivery{}, err
		}
		e.Type = plusone.EventFeedbackReceived
		// One feedback per ticket and score, however many rules repeat it.
		e.ID = "ticket:" + ticketID + ":satisfaction:" + strconv.Itoa(score)
		e.Feedback = &plusone.Feedback{Score: score, Scale: plusone.ScaleCSAT, Comment: htmltext.Text(string(b.Satisfaction.Comment))}
	default:
		e.Type = plusone.EventTicketUpdated
	}
	return plusone.Delivery{DedupeKey: key, Events: []plusone.Event{e}}, nil
}

// customer is the requester, known by her email and Freshdesk contact id.
func (b *ruleBody) customer() (plusone.CustomerRef, error) {
	email := string(b.Requester.Email)
	if email != "" && plusone.NormalizeEmail(email) == "" {
		return plusone.CustomerRef{}, webhook.Invalid(`field "requester.email": %q is not an email address; set it to "{{ticket.requester.email}}"`, webhook.Clip(email))
	}
	if email == "" && b.Requester.ID == "" {
		return plusone.CustomerRef{}, webhook.Invalid(`field "requester": email or id is required; set them to "{{ticket.requester.email}}" and "{{ticket.requester.id}}"`)
	}
	return plusone.CustomerRef{
		Email:      email,
		Name:       string(b.Requester.Name),
		Phone:      string(b.Requester.Phone),
		ExternalID: string(b.Requester.ID),
	}, nil
}

// ticket is the ticket the body describes. Without a subject, the start of
// the comment or the description stands in.
func (b *ruleBody) ticket(comment string) *plusone.Ticket {
	t := &plusone.Ticket{
		ID:       string(b.Ticket.ID),
		Subject:  string(b.Ticket.Subject),
		URL:      webLink(string(b.Ticket.URL)),
		Status:   lower(string(b.Ticket.Status)),
		Priority: lower(string(b.Ticket.Priority)),
		Tags:     b.Ticket.Tags,
		Channel:  lower(string(b.Ticket.Source)),
		// {{ticket.agent.name}} is the agent the ticket is assigned to.
		Assignee:     strings.TrimSpace(string(b.Agent.Name)),
		Organization: strings.TrimSpace(string(b.Company.Name)),
		Fields:       fields(b.Ticket.Fields),
	}
	if t.Subject == "" {
		t.Subject = htmltext.Excerpt(cmp.Or(htmltext.Text(string(b.Description)), comment), 80)
	}
	return t
}

// fields are the custom fields of a body by name, those Freshdesk rendered
// as empty left out; nil for none.
func fields(in map[string]text) map[string]string {
	var out map[string]string
	for name, v := range in {
		name, value := strings.TrimSpace(name), strings.TrimSpace(string(v))
		if name == "" || value == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[name] = value
	}
	return out
}

// webLink completes {{ticket.url}} with a scheme if it lacks one; a link of
// another scheme is dropped.
func webLink(link string) string {
	switch {
	case link == "":
		return ""
	case strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://"):
		return link
	case strings.Contains(link, "://") || strings.ContainsAny(link, " \t\n\"<>"):
		return ""
	}
	return "https://" + link
}

// dedupeKey identifies a delivery by what the body says changed: the event,
// the ticket, its update time and, when there is one, a hash of the comment.
// Without an update time, a hash of the body stands in for it.
func dedupeKey(event, ticketID, updatedAt, comment string, raw []byte) string {
	key := event + ":" + ticketID + ":"
	if updatedAt == "" {
		sum := sha256.Sum256(raw)
		return key + "sha256:" + hex.EncodeToString(sum[:])
	}
	key += updatedAt
	if comment != "" {
		key += ":" + hash8(comment)
	}
	return key
}

// descriptionID identifies a ticket's description, the first message of a
// ticket, whether a rule's body or the history API brings it.
func descriptionID(ticketID string) string {
	return "ticket:" + ticketID + ":description"
}

// commentID identifies the latest public comment, which the body names
// only by its text: the same comment repeated by several rules is one
// message.
func commentID(ticketID, text string) string {
	return "ticket:" + ticketID + ":comment:" + hash8(text)
}

func hash8(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
