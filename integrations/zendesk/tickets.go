package zendesk

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

var _ plusone.TicketDesk = (*API)(nil)

// Reply adds text to ticket id as a public reply, or an internal note when
// public is false, authored by agent (her Zendesk user, found by email):
// PUT /api/v2/tickets/{id}.json
// {"ticket":{"comment":{"body","public","author_id"}}}. Zendesk has no
// idempotency key for updates, so before every attempt the ticket's
// comments are read (GET /api/v2/tickets/{id}/comments.json): a comment
// with the same text created since since is this reply, stored by an
// attempt whose answer was lost, and it is not sent again.
func (a *API) Reply(ctx context.Context, id string, agent plusone.Agent, text string, public bool, since time.Time) error {
	if !vendorapi.IsDigits(id) {
		return plusone.Errorf(plusone.EINVALID, "%q is not a Zendesk ticket id", webhook.Clip(id))
	}
	author, err := a.agentID(ctx, agent)
	if err != nil {
		return fmt.Errorf("zendesk reply on ticket %s: %w", id, err)
	}
	body := ticketUpdate{Ticket: ticketFields{Comment: &replyComment{Body: text, Public: public, AuthorID: author}}}
	stored := func(ctx context.Context) (bool, error) { return a.hasReply(ctx, id, text, since) }
	send := func(ctx context.Context) (*resty.Response, bool, error) { return a.putOnce(ctx, id, body) }
	if err := vendorapi.Once(ctx, a.notes, "PUT "+notePath(id), a.notePolicy, a.noteRetries, stored, send); err != nil {
		return fmt.Errorf("zendesk reply on ticket %s: %w", id, err)
	}
	return nil
}

// Assign assigns ticket id to agent: PUT /api/v2/tickets/{id}.json
// {"ticket":{"assignee_id"}}; the same update twice changes nothing, so
// it is retried as any request.
func (a *API) Assign(ctx context.Context, id string, agent plusone.Agent) error {
	if !vendorapi.IsDigits(id) {
		return plusone.Errorf(plusone.EINVALID, "%q is not a Zendesk ticket id", webhook.Clip(id))
	}
	uid, err := a.agentID(ctx, agent)
	if err != nil {
		return fmt.Errorf("zendesk assign ticket %s: %w", id, err)
	}
	return a.update(ctx, id, ticketFields{AssigneeID: uid})
}

// SetStatus sets ticket id's status (open, pending or solved):
// PUT /api/v2/tickets/{id}.json {"ticket":{"status"}}.
func (a *API) SetStatus(ctx context.Context, id string, _ plusone.Agent, status plusone.TicketStatus, _ time.Time) error {
	if !vendorapi.IsDigits(id) {
		return plusone.Errorf(plusone.EINVALID, "%q is not a Zendesk ticket id", webhook.Clip(id))
	}
	switch status {
	case plusone.StatusOpen, plusone.StatusPending, plusone.StatusSolved:
	default:
		return plusone.Errorf(plusone.EINVALID, "Zendesk tickets cannot be set to %q", status)
	}
	return a.update(ctx, id, ticketFields{Status: string(status)})
}

// update sends an update that is the same however often it is applied.
func (a *API) update(ctx context.Context, id string, f ticketFields) error {
	resp, err := a.api.Request(ctx).SetHeader("Content-Type", "application/json").
		SetBody(ticketUpdate{Ticket: f}).Put(notePath(id))
	if err != nil {
		return fmt.Errorf("zendesk update ticket %s: %w", id, a.api.RequestError(ctx, "PUT "+notePath(id), resp, err))
	}
	if err := updateError(id, resp); err != nil {
		return fmt.Errorf("zendesk update ticket %s: %w", id, err)
	}
	return nil
}

// putOnce makes one attempt at a comment; retry says whether another may
// help.
func (a *API) putOnce(ctx context.Context, id string, body ticketUpdate) (*resty.Response, bool, error) {
	resp, err := a.notes.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Put(notePath(id))
	if err != nil {
		return resp, vendorapi.Retryable(resp, err), a.notes.RequestError(ctx, "PUT "+notePath(id), resp, err)
	}
	err = updateError(id, resp)
	return resp, err != nil && vendorapi.Retryable(resp, nil), err
}

// updateError reads a ticket update's answer.
func updateError(id string, resp *resty.Response) error {
	switch s := resp.StatusCode(); {
	case s >= 200 && s <= 299:
		return nil
	case s == http.StatusNotFound:
		return noTicket(id)
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		return plusone.Errorf(plusone.EINVALID, "Zendesk refused the change to ticket %s: %s", id, refusal(s, resp.Body()))
	default:
		return fmt.Errorf("PUT %s: %w", notePath(id), vendor().StatusError(s, resp.Body()))
	}
}

// hasReply reports whether a comment of ticket id created since since has
// text as its body.
func (a *API) hasReply(ctx context.Context, id, text string, since time.Time) (bool, error) {
	path := "/api/v2/tickets/" + id + "/comments.json"
	want := strings.TrimSpace(text)
	cursor := ""
	for range maxCommentPages {
		params := url.Values{"page[size]": {"100"}}
		if cursor != "" {
			params.Set("page[after]", cursor)
		}
		var page commentsPage
		found, err := a.api.Get(ctx, path, params, &page)
		if err != nil {
			return false, err
		}
		if !found {
			return false, noTicket(id)
		}
		for _, c := range page.Comments {
			t, _ := time.Parse(time.RFC3339, c.CreatedAt)
			if !t.Before(since.Add(-time.Minute)) && (strings.TrimSpace(c.Body) == want || strings.TrimSpace(c.PlainBody) == want) {
				return true, nil
			}
		}
		if cursor = page.nextCursor(); !page.Meta.HasMore || cursor == "" {
			return false, nil
		}
	}
	return false, nil
}

// agentID finds agent's Zendesk user by email (an agent or admin), cached
// like the customers Enrich reads.
func (a *API) agentID(ctx context.Context, agent plusone.Agent) (int64, error) {
	email := plusone.NormalizeEmail(agent.Email)
	key := "agent:" + email
	u, ok := a.users.get(key)
	if !ok {
		var res usersEnvelope
		if _, err := a.api.Get(ctx, "/api/v2/users/search.json", url.Values{"query": {"email:" + email}}, &res); err != nil {
			return 0, err
		}
		u = pickUser(res.Users, email)
		if u != nil && u.Role != "agent" && u.Role != "admin" {
			u = nil
		}
		a.users.put(key, u)
	}
	if u == nil {
		return 0, plusone.Errorf(plusone.EINVALID, "Zendesk has no agent with your Slack email %s", email)
	}
	var n int64
	if _, err := fmt.Sscan(string(u.ID), &n); err != nil {
		return 0, plusone.Errorf(plusone.EINVALID, "Zendesk user %s has no numeric id", u.ID)
	}
	return n, nil
}

// ticketUpdate is the body of PUT /api/v2/tickets/{id}.json.
type ticketUpdate struct {
	Ticket ticketFields `json:"ticket"`
}

type ticketFields struct {
	Comment    *replyComment `json:"comment,omitempty"`
	AssigneeID int64         `json:"assignee_id,omitempty"`
	Status     string        `json:"status,omitempty"`
}

type replyComment struct {
	Body     string `json:"body"`
	Public   bool   `json:"public"`
	AuthorID int64  `json:"author_id,omitempty"`
}
