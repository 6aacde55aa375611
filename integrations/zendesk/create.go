package zendesk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/plusone-hq/plusone"
)

// createPath is Zendesk's Create Ticket endpoint.
const createPath = "/api/v2/tickets.json"

// Create creates a ticket for t.Customer (the requester, found or made by
// email) with t.Text as its first, public comment, submitted by agent (her
// Zendesk user): POST /api/v2/tickets.json
// {"ticket":{"subject","comment":{"body","public"},"requester":{"email"},"submitter_id"}}.
// Zendesk takes an Idempotency-Key header on ticket creation (kept two
// hours): t.Key sent again returns the ticket created before, so the
// client's own retries (429, 5xx, a lost answer) and the job's create one
// ticket.
func (a *API) Create(ctx context.Context, t plusone.NewTicket, agent plusone.Agent) (plusone.Ticket, error) {
	if t.Key == "" {
		return plusone.Ticket{}, plusone.Errorf(plusone.EINVALID, "a ticket to create needs its key")
	}
	submitter, err := a.agentID(ctx, agent)
	if err != nil {
		return plusone.Ticket{}, fmt.Errorf("zendesk create a ticket: %w", err)
	}
	body := createBody{Ticket: newTicket{
		Subject:     strings.TrimSpace(t.Subject),
		Comment:     replyComment{Body: strings.TrimSpace(t.Text), Public: true},
		Requester:   requester{Email: plusone.NormalizeEmail(t.Customer)},
		SubmitterID: submitter,
	}}
	resp, err := a.api.Request(ctx).SetHeader("Content-Type", "application/json").
		SetHeader("Idempotency-Key", "plusone-"+t.Key).SetBody(body).Post(createPath)
	if err != nil {
		return plusone.Ticket{}, fmt.Errorf("zendesk create a ticket: %w", a.api.RequestError(ctx, "POST "+createPath, resp, err))
	}
	switch s := resp.StatusCode(); {
	case s >= 200 && s <= 299:
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		return plusone.Ticket{}, plusone.Errorf(plusone.EINVALID, "Zendesk refused the ticket: %s", refusal(s, resp.Body()))
	default:
		return plusone.Ticket{}, fmt.Errorf("zendesk create a ticket: POST %s: %w", createPath, vendor().StatusError(s, resp.Body()))
	}
	var out struct {
		Ticket struct {
			ID      json.Number `json:"id"`
			Subject string      `json:"subject"`
			Status  string      `json:"status"`
		} `json:"ticket"`
	}
	if err := json.Unmarshal(resp.Body(), &out); err != nil {
		return plusone.Ticket{}, fmt.Errorf("zendesk create a ticket: invalid JSON from Zendesk: %w", err)
	}
	id := out.Ticket.ID.String()
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return plusone.Ticket{}, fmt.Errorf("zendesk create a ticket: the answer has no ticket id: %q", id)
	}
	return plusone.Ticket{ID: id, Subject: out.Ticket.Subject, URL: ticketURL(a.links, id),
		Status: strings.ToLower(out.Ticket.Status)}, nil
}

// createBody is the body of POST /api/v2/tickets.json.
type createBody struct {
	Ticket newTicket `json:"ticket"`
}

type newTicket struct {
	Subject     string       `json:"subject"`
	Comment     replyComment `json:"comment"`
	Requester   requester    `json:"requester"`
	SubmitterID int64        `json:"submitter_id,omitempty"`
}

type requester struct {
	Email string `json:"email"`
}
