package intercom

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// Create opens a conversation from t.Customer's contact (found by email
// with POST /contacts/search, or made as a user with POST /contacts), her
// message as its first part: POST /conversations {"from":{"type","id"},
// "body"}, answered with the message and its conversation_id. Intercom's
// conversations have no subject, so the body is the subject, a blank
// line and the text. agent must be an Intercom admin. Intercom documents
// no idempotency key: before every attempt her conversations created
// since t.Since are searched (POST /conversations/search on contact_ids
// and created_at), and one whose first message is this body is this one,
// created by an attempt whose answer was lost.
func (a *API) Create(ctx context.Context, t plusone.NewTicket, agent plusone.Agent) (plusone.Ticket, error) {
	if _, err := a.adminID(ctx, agent); err != nil {
		return plusone.Ticket{}, fmt.Errorf("intercom create a conversation: %w", err)
	}
	contact, role, err := a.contactFor(ctx, plusone.NormalizeEmail(t.Customer))
	if err != nil {
		return plusone.Ticket{}, fmt.Errorf("intercom create a conversation: %w", err)
	}
	subject := strings.TrimSpace(t.Subject)
	message := subject + "\n\n" + strings.TrimSpace(t.Text)
	const path = "/conversations"
	var id string
	stored := func(ctx context.Context) (bool, error) {
		found, err := a.findConversation(ctx, contact, message, t.Since.Unix()-60)
		id = found
		return found != "", err
	}
	send := func(ctx context.Context) (*resty.Response, bool, error) {
		body := map[string]any{"from": map[string]any{"type": role, "id": contact}, "body": message}
		resp, err := a.once.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Post(path)
		if err != nil {
			return resp, vendorapi.Retryable(resp, err), a.once.RequestError(ctx, "POST "+path, resp, err)
		}
		switch s := resp.StatusCode(); {
		case s >= 200 && s <= 299:
			var out struct {
				ConversationID text `json:"conversation_id"`
			}
			if err := json.Unmarshal(resp.Body(), &out); err != nil || out.ConversationID == "" {
				return resp, false, fmt.Errorf("POST %s: the answer names no conversation_id", path)
			}
			id = string(out.ConversationID)
			return resp, false, nil
		case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity || s == http.StatusNotFound:
			return resp, false, plusone.Errorf(plusone.EINVALID, "Intercom refused the conversation: %s", vendor().StatusError(s, resp.Body()))
		default:
			return resp, vendorapi.Retryable(resp, nil), fmt.Errorf("POST %s: %w", path, vendor().StatusError(s, resp.Body()))
		}
	}
	if err := vendorapi.Once(ctx, a.once, "POST "+path, a.oncePolicy, a.onceRetries, stored, send); err != nil {
		return plusone.Ticket{}, fmt.Errorf("intercom create a conversation: %w", err)
	}
	if !urlSafe(id) || id == "" {
		return plusone.Ticket{}, fmt.Errorf("intercom create a conversation: %q is not a conversation id", id)
	}
	appID, err := a.workspace(ctx)
	if err != nil {
		a.log.Warn("intercom: no app id for the created conversation's link", "err", err)
	}
	return plusone.Ticket{ID: id, Subject: subject, URL: conversationURL(appID, id), Status: "open"}, nil
}

// contactFor is the contact with email and her role (user or lead): the
// first Intercom finds, else a user made for her. A 409 (made meanwhile)
// is answered by looking again.
func (a *API) contactFor(ctx context.Context, email string) (id, role string, err error) {
	type contact struct {
		ID    text   `json:"id"`
		Role  string `json:"role"`
		Email string `json:"email"`
	}
	find := func() (string, string, error) {
		var res struct {
			Data []contact `json:"data"`
		}
		body := searchRequest{Query: filter{Field: "email", Operator: "=", Value: email}, Pagination: &pagination{PerPage: 50}}
		if _, err := a.api.Post(ctx, "/contacts/search", body, &res); err != nil {
			return "", "", err
		}
		for _, c := range res.Data {
			if c.ID != "" && urlSafe(string(c.ID)) && plusone.NormalizeEmail(c.Email) == email {
				return string(c.ID), roleOf(c.Role), nil
			}
		}
		return "", "", nil
	}
	if id, role, err = find(); err != nil || id != "" {
		return id, role, err
	}
	var made contact
	resp, err := a.api.Request(ctx).SetHeader("Content-Type", "application/json").
		SetBody(map[string]any{"role": "user", "email": email}).Post("/contacts")
	if err != nil {
		return "", "", a.api.RequestError(ctx, "POST /contacts", resp, err)
	}
	switch s := resp.StatusCode(); {
	case s >= 200 && s <= 299:
		if json.Unmarshal(resp.Body(), &made) == nil && made.ID != "" && urlSafe(string(made.ID)) {
			return string(made.ID), "user", nil
		}
	case s == http.StatusConflict: // made meanwhile: look again
	default:
		return "", "", fmt.Errorf("POST /contacts: %w", vendor().StatusError(s, resp.Body()))
	}
	if id, role, err = find(); err != nil || id != "" {
		return id, role, err
	}
	return "", "", plusone.Errorf(plusone.EINVALID, "Intercom has no contact with the email %s and would not make one", email)
}

// roleOf is the "from" type of a contact's role.
func roleOf(role string) string {
	if role == "lead" {
		return "lead"
	}
	return "user"
}

// findConversation finds a conversation of contact created since since
// (unix seconds) whose first message is message, compared word by word.
func (a *API) findConversation(ctx context.Context, contact, message string, since int64) (string, error) {
	var res struct {
		Conversations []struct {
			ID     text `json:"id"`
			Source struct {
				Body string `json:"body"`
			} `json:"source"`
		} `json:"conversations"`
	}
	body := searchRequest{Query: filterGroup{Operator: "AND", Value: []filter{
		{Field: "contact_ids", Operator: "=", Value: contact},
		{Field: "created_at", Operator: ">", Value: strconv.FormatInt(since, 10)},
	}}, Pagination: &pagination{PerPage: 50}}
	if _, err := a.api.Post(ctx, "/conversations/search", body, &res); err != nil {
		return "", err
	}
	want := strings.Join(strings.Fields(message), " ")
	for _, c := range res.Conversations {
		if strings.Join(strings.Fields(htmltext.Text(c.Source.Body)), " ") == want {
			return string(c.ID), nil
		}
	}
	return "", nil
}
