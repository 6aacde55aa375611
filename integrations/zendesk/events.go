package zendesk

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// eventPayload is an event-subscribed webhook's body. Detail and event differ
// by domain and are read once the domain is known.
type eventPayload struct {
	Type    string          `json:"type"`
	ID      text            `json:"id"`
	Time    string          `json:"time"`
	Subject string          `json:"subject"`
	Detail  json.RawMessage `json:"detail"`
	Event   json.RawMessage `json:"event"`
}

// ticketDetail is the ticket as it is after the event.
type ticketDetail struct {
	ID          text    `json:"id"`
	Subject     string  `json:"subject"`
	Status      string  `json:"status"`
	Priority    string  `json:"priority"`
	RequesterID text    `json:"requester_id"`
	AssigneeID  text    `json:"assignee_id"`
	Tags        tagList `json:"tags"`
	Via         *struct {
		Channel string `json:"channel"`
	} `json:"via"`
}

// ticketChange is the event object of ticket events: a comment for
// comment_added, the new value in current for the *_changed events.
type ticketChange struct {
	Comment *struct {
		ID       text   `json:"id"`
		Body     string `json:"body"`
		IsPublic *bool  `json:"is_public"`
		Author   struct {
			ID      text   `json:"id"`
			IsStaff *bool  `json:"is_staff"`
			Name    string `json:"name"`
		} `json:"author"`
	} `json:"comment"`
	Current json.RawMessage `json:"current"`
}

type userDetail struct {
	ID        text   `json:"id"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	CreatedAt string `json:"created_at"`
}

const eventTypePrefix = "zen:event-type"

func (s *Source) parseEvent(h http.Header, body []byte) (plusone.Delivery, error) {
	var p eventPayload
	if err := webhook.Decode(body, &p, ""); err != nil {
		return plusone.Delivery{}, err
	}
	rest, ok := strings.CutPrefix(p.Type, eventTypePrefix)
	if !ok || rest == "" || (rest[0] != ':' && rest[0] != '/') {
		return plusone.Delivery{}, webhook.Invalid(`field "type": %q is not a Zendesk event type (zen:event-type:…)`, webhook.Clip(p.Type))
	}
	// The reference spells a few types "zen:event-type/user.…".
	domain, action, _ := strings.Cut(rest[1:], ".")
	d := plusone.Delivery{DedupeKey: dedupeKey(string(p.ID), h, body)}
	var at time.Time
	if p.Time != "" {
		t, ok := parseTime(p.Time)
		if !ok {
			return plusone.Delivery{}, webhook.Invalid(`field "time": %q is not an ISO 8601 time`, webhook.Clip(p.Time))
		}
		at = t
	}
	e := plusone.Event{Source: plusone.SourceZendesk, ID: d.DedupeKey, OccurredAt: at}
	var err error
	switch domain {
	case "ticket":
		err = s.ticketEvent(&e, action, p)
	case "user":
		err = userEvent(&e, action, p)
	default:
		// Organizations, articles, messaging, …: nothing about a customer.
		return d, nil
	}
	if err != nil {
		return plusone.Delivery{}, err
	}
	if e.Type != "" {
		d.Events = []plusone.Event{e}
	}
	return d, nil
}

func (s *Source) ticketEvent(e *plusone.Event, action string, p eventPayload) error {
	if len(p.Detail) == 0 {
		return webhook.Invalid(`field "detail": required for ticket events`)
	}
	var d ticketDetail
	if err := webhook.Decode(p.Detail, &d, "detail"); err != nil {
		return err
	}
	var c ticketChange
	if len(p.Event) > 0 {
		if err := webhook.Decode(p.Event, &c, "event"); err != nil {
			return err
		}
	}
	ticketID := string(d.ID)
	if ticketID == "" {
		ticketID, _ = strings.CutPrefix(p.Subject, "zen:ticket:")
	}
	if ticketID == "" {
		return webhook.Invalid(`field "detail.id": required for ticket events`)
	}
	if d.RequesterID == "" {
		return webhook.Invalid(`field "detail.requester_id": required for ticket events`)
	}
	t := &plusone.Ticket{
		ID:       ticketID,
		Subject:  strings.TrimSpace(d.Subject),
		URL:      ticketURL(s.baseURL, ticketID),
		Status:   lower(d.Status),
		Priority: lower(d.Priority),
		Tags:     d.Tags,
		// Named by id only: the API's enricher finds the name.
		AssigneeID: string(d.AssigneeID),
	}
	if d.Via != nil {
		t.Channel = lower(d.Via.Channel)
	}
	e.Customer = plusone.CustomerRef{ExternalID: string(d.RequesterID)}
	e.Ticket = t
	switch action {
	case "created":
		e.Type = plusone.EventTicketCreated
	case "comment_added":
		if c.Comment == nil {
			return webhook.Invalid(`field "event.comment": required for ticket.comment_added`)
		}
		e.Type = plusone.EventMessageReceived
		e.Message = &plusone.Message{
			ID:           string(c.Comment.ID),
			Text:         c.Comment.Body,
			Author:       strings.TrimSpace(c.Comment.Author.Name),
			FromCustomer: fromCustomer(c.Comment.IsPublic, c.Comment.Author.IsStaff, string(c.Comment.Author.ID), string(d.RequesterID)),
			Private:      c.Comment.IsPublic != nil && !*c.Comment.IsPublic,
		}
	default:
		e.Type = plusone.EventTicketUpdated
		if action == "status_changed" {
			var current string
			if json.Unmarshal(c.Current, &current) == nil && current != "" {
				t.Status = lower(current)
			}
		}
	}
	return nil
}

// fromCustomer decides whether a comment is the customer speaking: a private
// note never is; otherwise staff authors are not, and without that flag the
// requester is.
func fromCustomer(public, staff *bool, authorID, requesterID string) bool {
	switch {
	case public != nil && !*public:
		return false
	case staff != nil:
		return !*staff
	case authorID != "":
		return authorID == requesterID
	}
	return true
}

// userEvent turns an end user's event into customer.updated when it carries
// her email; it leaves e.Type empty (no event) otherwise.
func userEvent(e *plusone.Event, action string, p eventPayload) error {
	if len(p.Detail) == 0 {
		return nil
	}
	var d userDetail
	if err := webhook.Decode(p.Detail, &d, "detail"); err != nil {
		return err
	}
	userID := string(d.ID)
	if userID == "" {
		userID, _ = strings.CutPrefix(p.Subject, "zen:user:")
	}
	role := lower(d.Role)
	if role != "" && role != "end-user" && role != "end_user" {
		return nil // agents and admins are not customers
	}
	if plusone.NormalizeEmail(d.Email) == "" || action == "deleted" {
		return nil
	}
	e.Type = plusone.EventCustomerUpdated
	e.Customer = plusone.CustomerRef{Email: strings.TrimSpace(d.Email), ExternalID: userID}
	if since, ok := parseTime(d.CreatedAt); ok {
		e.Customer.Since = since
	}
	if action == "name_changed" {
		var change struct {
			Current json.RawMessage `json:"current"`
		}
		var name string
		if json.Unmarshal(p.Event, &change) == nil && json.Unmarshal(change.Current, &name) == nil {
			e.Customer.Name = strings.TrimSpace(name)
		}
	}
	return nil
}
