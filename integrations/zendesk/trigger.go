package zendesk

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// triggerBody is the layout of TriggerTemplate. Every scalar is read as text
// because placeholders render as text, and a placeholder left unquoted in
// the body arrives as a number.
type triggerBody struct {
	Plusone text `json:"plusone"`
	Event   text `json:"event"`
	Ticket  struct {
		ID        text    `json:"id"`
		Subject   text    `json:"subject"`
		URL       text    `json:"url"`
		Status    text    `json:"status"`
		Priority  text    `json:"priority"`
		Tags      tagList `json:"tags"`
		Via       text    `json:"via"`
		Brand     text    `json:"brand"`
		CreatedAt text    `json:"created_at"`
		UpdatedAt text    `json:"updated_at"`
		// Assignee, Organization and Plan are shown on the card when the
		// policy's card.fields names them; Fields are the ticket's custom
		// fields by the name the admin gives them in the body
		// ({"Order ID": "{{ticket.ticket_field_360001}}"}).
		Assignee     text            `json:"assignee"`
		Organization text            `json:"organization"`
		Plan         text            `json:"plan"`
		Fields       map[string]text `json:"fields"`
	} `json:"ticket"`
	Requester struct {
		ID         text `json:"id"`
		Email      text `json:"email"`
		Name       text `json:"name"`
		Phone      text `json:"phone"`
		ExternalID text `json:"external_id"` // the requester's id in the company's own systems; not used yet
	} `json:"requester"`
	Satisfaction struct {
		Score   text `json:"score"`
		Comment text `json:"comment"`
	} `json:"satisfaction"`
	Comment struct {
		ID       text `json:"id"`
		AuthorID text `json:"author_id"`
		Author   text `json:"author"`
		Body     text `json:"body"`
	} `json:"comment"`
}

// The values of "event" in a trigger body.
const (
	triggerCreated = "created"
	triggerUpdated = "updated"
	triggerComment = "comment"
)

// parseTrigger reads a trigger body. raw is the body as received (for the
// dedupe key), data the same body after any repair.
func (s *Source) parseTrigger(h http.Header, raw, data []byte) (plusone.Delivery, error) {
	var b triggerBody
	if err := webhook.Decode(data, &b, ""); err != nil {
		return plusone.Delivery{}, err
	}
	if b.Plusone != TriggerMarker {
		return plusone.Delivery{}, webhook.Invalid(`field "plusone": %q is not a layout this version reads; use %q (see zendesk.TriggerTemplate)`, webhook.Clip(string(b.Plusone)), TriggerMarker)
	}
	ticketID := string(b.Ticket.ID)
	if ticketID == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "ticket.id": required; set it to "{{ticket.id}}"`)
	}
	email := string(b.Requester.Email)
	if email != "" && plusone.NormalizeEmail(email) == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "requester.email": %q is not an email address`, webhook.Clip(email))
	}
	if email == "" && b.Requester.ID == "" {
		return plusone.Delivery{}, webhook.Invalid(`field "requester": email or id is required; set them to "{{ticket.requester.email}}" and "{{ticket.requester.id}}"`)
	}
	var typ plusone.EventType
	switch lower(string(b.Event)) {
	case triggerCreated:
		typ = plusone.EventTicketCreated
	case triggerUpdated, "":
		typ = plusone.EventTicketUpdated
	case triggerComment:
		typ = plusone.EventMessageReceived
	default:
		return plusone.Delivery{}, webhook.Invalid(`field "event": %q is not "created", "updated" or "comment"`, webhook.Clip(string(b.Event)))
	}

	key := dedupeKey("", h, raw)
	ticket := &plusone.Ticket{
		ID:       ticketID,
		Subject:  string(b.Ticket.Subject),
		URL:      s.triggerURL(string(b.Ticket.URL), ticketID),
		Status:   lower(string(b.Ticket.Status)),
		Priority: priority(string(b.Ticket.Priority)),
		Tags:     b.Ticket.Tags,
		Brand:    string(b.Ticket.Brand),
		Channel:  lower(string(b.Ticket.Via)),

		Assignee:     placeholder(string(b.Ticket.Assignee)),
		Organization: placeholder(string(b.Ticket.Organization)),
		Plan:         placeholder(string(b.Ticket.Plan)),
		Fields:       fields(b.Ticket.Fields),
	}
	ref := plusone.CustomerRef{
		Email:      email,
		Name:       string(b.Requester.Name),
		Phone:      string(b.Requester.Phone),
		ExternalID: string(b.Requester.ID),
	}
	// Placeholder times may be localised or cut to the minute; when they
	// cannot be read the pipeline uses the time the delivery arrived.
	when := b.Ticket.UpdatedAt
	if typ == plusone.EventTicketCreated {
		when = b.Ticket.CreatedAt
	}
	at, _ := parseTime(string(when))

	e := plusone.Event{Source: plusone.SourceZendesk, ID: key, Type: typ, OccurredAt: at, Customer: ref, Ticket: ticket}
	if body := string(b.Comment.Body); body != "" {
		e.Message = &plusone.Message{
			ID:           commentID(ticketID, string(b.Comment.ID), body),
			Text:         body,
			Author:       string(b.Comment.Author),
			FromCustomer: b.Comment.AuthorID == "" || b.Comment.AuthorID == b.Requester.ID,
		}
	} else if typ == plusone.EventMessageReceived {
		return plusone.Delivery{}, webhook.Invalid(`field "comment.body": required for "event": "comment"; set it to "{{ticket.latest_public_comment}}"`)
	}
	events := []plusone.Event{e}
	if rating, score, ok := satisfaction(string(b.Satisfaction.Score)); ok {
		// One feedback per ticket and rating, however many updates repeat it.
		events = append(events, plusone.Event{
			Source: plusone.SourceZendesk, ID: satisfactionID(ticketID, rating),
			Type: plusone.EventFeedbackReceived, OccurredAt: at, Customer: ref, Ticket: ticket,
			Feedback: &plusone.Feedback{Score: score, Scale: plusone.ScaleCSAT, Comment: string(b.Satisfaction.Comment)},
		})
	}
	return plusone.Delivery{DedupeKey: key, Events: events}, nil
}

// triggerURL completes {{ticket.link}} with a scheme if it lacks one, or
// builds the link from the base URL.
func (s *Source) triggerURL(link, id string) string {
	switch {
	case link == "":
		return ticketURL(s.baseURL, id)
	case strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://"):
		return link
	case strings.Contains(link, "://"):
		return "" // not a web link
	}
	return "https://" + link
}

// placeholder is a rendered fact, "" for none: Zendesk renders an empty
// field as "" or "-".
func placeholder(s string) string {
	if s = strings.TrimSpace(s); s == "-" {
		return ""
	}
	return s
}

// fields are the custom fields of a trigger body by name, those Zendesk
// rendered as empty left out; nil for none.
func fields(in map[string]text) map[string]string {
	var out map[string]string
	for name, v := range in {
		name, value := strings.TrimSpace(name), placeholder(string(v))
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

// priority lower-cases a rendered priority; Zendesk renders "-" for none.
func priority(s string) string {
	s = lower(s)
	if s == "-" {
		return ""
	}
	return s
}

// satisfactionID identifies a ticket's rating: one feedback per ticket and
// rating, whether a trigger or the history brings it.
func satisfactionID(ticketID, rating string) string {
	return "ticket:" + ticketID + ":satisfaction:" + rating
}

// satisfaction maps {{satisfaction.current_rating}} onto the CSAT scale:
// good is 5, bad is 1; offered, unoffered and empty are no rating.
func satisfaction(rendered string) (rating string, score int, ok bool) {
	r := lower(rendered)
	switch {
	case strings.HasPrefix(r, "good"):
		return "good", 5, true
	case strings.HasPrefix(r, "bad"):
		return "bad", 1, true
	}
	return "", 0, false
}

// commentID identifies the latest public comment. Without the comment's own
// id, its text stands in, so that the same comment repeated by several
// trigger runs is one message.
func commentID(ticketID, id, body string) string {
	if id != "" {
		return id
	}
	sum := sha256.Sum256([]byte(body))
	return "ticket:" + ticketID + ":comment:" + hex.EncodeToString(sum[:8])
}
