package freshdesk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// createPath is Freshdesk's Create a Ticket endpoint.
const createPath = "/api/v2/tickets"

// createdTicket is a ticket as Freshdesk answers its creation and lists it.
type createdTicket struct {
	ID        int64  `json:"id"`
	Subject   string `json:"subject"`
	Status    int    `json:"status"`
	CreatedAt string `json:"created_at"`
}

// Create creates an open ticket for t.Customer (the requester, found or
// made by email) with t.Text as its description, on agent's request
// (her Freshdesk agent must exist): POST /api/v2/tickets
// {"email","subject","description","status":2,"priority":1}. Freshdesk has
// no idempotency key: before every attempt her tickets are listed (GET
// /api/v2/tickets?email=, newest first), and one with the same subject
// created since t.Since is this one, created by an attempt whose answer
// was lost.
func (a *API) Create(ctx context.Context, t plusone.NewTicket, agent plusone.Agent) (plusone.Ticket, error) {
	if _, err := a.agentID(ctx, agent); err != nil {
		return plusone.Ticket{}, fmt.Errorf("freshdesk create a ticket: %w", err)
	}
	email := plusone.NormalizeEmail(t.Customer)
	subject := strings.TrimSpace(t.Subject)
	body := map[string]any{"email": email, "subject": subject, "description": htmlBody(t.Text), "status": 2, "priority": 1}
	var made createdTicket
	stored := func(ctx context.Context) (bool, error) {
		found, ok, err := a.findTicket(ctx, email, subject, t.Since)
		made = found
		return ok, err
	}
	send := func(ctx context.Context) (*resty.Response, bool, error) {
		resp, err := a.once.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).SetResult(&made).Post(createPath)
		if err != nil {
			return resp, vendorapi.Retryable(resp, err), a.once.RequestError(ctx, "POST "+createPath, resp, err)
		}
		err = createError(resp)
		return resp, err != nil && vendorapi.Retryable(resp, nil), err
	}
	if err := vendorapi.Once(ctx, a.once, "POST "+createPath, a.oncePolicy, a.onceRetries, stored, send); err != nil {
		return plusone.Ticket{}, fmt.Errorf("freshdesk create a ticket: %w", err)
	}
	if made.ID <= 0 {
		return plusone.Ticket{}, fmt.Errorf("freshdesk create a ticket: the answer has no ticket id")
	}
	id := strconv.FormatInt(made.ID, 10)
	return plusone.Ticket{ID: id, Subject: made.Subject, URL: a.ticketURL(id), Status: statusName(made.Status)}, nil
}

// findTicket looks among the newest tickets of the requester with email
// for one with subject created since since.
func (a *API) findTicket(ctx context.Context, email, subject string, since time.Time) (createdTicket, bool, error) {
	var list []createdTicket
	params := url.Values{"email": {email}, "order_by": {"created_at"}, "order_type": {"desc"}, "per_page": {"100"}}
	if _, err := a.api.Get(ctx, createPath, params, &list); err != nil {
		return createdTicket{}, false, err
	}
	for _, c := range list {
		at, _ := time.Parse(time.RFC3339, c.CreatedAt)
		if !at.Before(since.Add(-time.Minute)) && strings.TrimSpace(c.Subject) == subject {
			return c, true, nil
		}
	}
	return createdTicket{}, false, nil
}

// createError reads the answer to a ticket's creation.
func createError(resp *resty.Response) error {
	switch s := resp.StatusCode(); {
	case s >= 200 && s <= 299:
		return nil
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity || s == http.StatusConflict:
		return plusone.Errorf(plusone.EINVALID, "Freshdesk refused the ticket: %s", vendor().StatusError(s, resp.Body()))
	default:
		return fmt.Errorf("POST %s: %w", createPath, vendor().StatusError(s, resp.Body()))
	}
}
