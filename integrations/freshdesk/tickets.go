package freshdesk

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

var _ plusone.TicketDesk = (*API)(nil)

// Freshdesk's ticket status codes.
var statusCodes = map[plusone.TicketStatus]int{plusone.StatusOpen: 2, plusone.StatusPending: 3, plusone.StatusSolved: 4}

// Reply adds text to ticket id as a reply to the requester (POST
// /api/v2/tickets/{id}/reply) or, when public is false, a private note
// (POST /api/v2/tickets/{id}/notes {"private": true}), as agent (user_id,
// her Freshdesk agent found by email). Freshdesk has no idempotency key:
// before every attempt the ticket's conversations are read (GET
// /api/v2/tickets/{id}/conversations), and one with the same text since
// since is this one, stored by an attempt whose answer was lost.
func (a *API) Reply(ctx context.Context, id string, agent plusone.Agent, text string, public bool, since time.Time) error {
	if !vendorapi.IsDigits(id) {
		return plusone.Errorf(plusone.EINVALID, "%q is not a Freshdesk ticket id", webhook.Clip(id))
	}
	uid, err := a.agentID(ctx, agent)
	if err != nil {
		return fmt.Errorf("freshdesk reply on ticket %s: %w", id, err)
	}
	path, body := "/api/v2/tickets/"+id+"/reply", map[string]any{"body": htmlBody(text), "user_id": uid}
	if !public {
		path, body = "/api/v2/tickets/"+id+"/notes", map[string]any{"body": htmlBody(text), "private": true, "user_id": uid}
	}
	stored := func(ctx context.Context) (bool, error) { return a.hasConversation(ctx, id, text, since) }
	send := func(ctx context.Context) (*resty.Response, bool, error) {
		resp, err := a.once.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Post(path)
		if err != nil {
			return resp, vendorapi.Retryable(resp, err), a.once.RequestError(ctx, "POST "+path, resp, err)
		}
		err = answerError(id, "POST "+path, resp)
		return resp, err != nil && vendorapi.Retryable(resp, nil), err
	}
	if err := vendorapi.Once(ctx, a.once, "POST "+path, a.oncePolicy, a.onceRetries, stored, send); err != nil {
		return fmt.Errorf("freshdesk reply on ticket %s: %w", id, err)
	}
	return nil
}

// Assign makes agent the ticket's responder: PUT /api/v2/tickets/{id}
// {"responder_id"}, the same however often it is applied.
func (a *API) Assign(ctx context.Context, id string, agent plusone.Agent) error {
	uid, err := a.agentID(ctx, agent)
	if err != nil {
		return fmt.Errorf("freshdesk assign ticket %s: %w", id, err)
	}
	return a.update(ctx, id, map[string]any{"responder_id": uid})
}

// SetStatus sets ticket id to Open (2), Pending (3) or Resolved (4):
// PUT /api/v2/tickets/{id} {"status"}.
func (a *API) SetStatus(ctx context.Context, id string, _ plusone.Agent, status plusone.TicketStatus, _ time.Time) error {
	code, ok := statusCodes[status]
	if !ok {
		return plusone.Errorf(plusone.EINVALID, "Freshdesk tickets cannot be set to %q", status)
	}
	return a.update(ctx, id, map[string]any{"status": code})
}

func (a *API) update(ctx context.Context, id string, body map[string]any) error {
	if !vendorapi.IsDigits(id) {
		return plusone.Errorf(plusone.EINVALID, "%q is not a Freshdesk ticket id", webhook.Clip(id))
	}
	path := "/api/v2/tickets/" + id
	resp, err := a.api.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Put(path)
	if err != nil {
		return fmt.Errorf("freshdesk update ticket %s: %w", id, a.api.RequestError(ctx, "PUT "+path, resp, err))
	}
	if err := answerError(id, "PUT "+path, resp); err != nil {
		return fmt.Errorf("freshdesk update ticket %s: %w", id, err)
	}
	return nil
}

// answerError reads the answer to a change of ticket id.
func answerError(id, op string, resp *resty.Response) error {
	return vendor().ChangeError(op, resp, fmt.Sprintf("Freshdesk has no ticket %s (or the API key's agent cannot see it)", id), fmt.Sprintf("Freshdesk refused the change to ticket %s", id),
		http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusConflict)
}

// hasConversation reports whether a conversation of ticket id created
// since since has text as its body.
func (a *API) hasConversation(ctx context.Context, id, text string, since time.Time) (bool, error) {
	var convs []struct {
		BodyText  string `json:"body_text"`
		CreatedAt string `json:"created_at"`
	}
	want := strings.TrimSpace(text)
	for page := 1; page <= 20; page++ {
		convs = convs[:0]
		found, err := a.api.Get(ctx, "/api/v2/tickets/"+id+"/conversations", url.Values{"page": {strconv.Itoa(page)}, "per_page": {"100"}}, &convs)
		if err != nil {
			return false, err
		}
		if !found {
			return false, plusone.Errorf(plusone.EINVALID, "Freshdesk has no ticket %s (or the API key's agent cannot see it)", id)
		}
		for _, c := range convs {
			t, _ := time.Parse(time.RFC3339, c.CreatedAt)
			if !t.Before(since.Add(-time.Minute)) && strings.TrimSpace(c.BodyText) == want {
				return true, nil
			}
		}
		if len(convs) < 100 {
			return false, nil
		}
	}
	return false, nil
}

// agentID finds agent's Freshdesk agent id by email (GET
// /api/v2/agents?email=), cached.
func (a *API) agentID(ctx context.Context, agent plusone.Agent) (int64, error) {
	email := plusone.NormalizeEmail(agent.Email)
	now := time.Now()
	id, ok := a.agents.Get(email, now)
	if !ok {
		var agents []struct {
			ID      int64 `json:"id"`
			Contact struct {
				Email string `json:"email"`
			} `json:"contact"`
		}
		if _, err := a.api.Get(ctx, "/api/v2/agents", url.Values{"email": {email}}, &agents); err != nil {
			return 0, err
		}
		id = ""
		for _, ag := range agents {
			if plusone.NormalizeEmail(ag.Contact.Email) == email {
				id = strconv.FormatInt(ag.ID, 10)
			}
		}
		a.agents.Put(email, id, now)
	}
	if id == "" {
		return 0, plusone.Errorf(plusone.EINVALID, "Freshdesk has no agent with your Slack email %s", email)
	}
	return strconv.ParseInt(id, 10, 64)
}

// htmlBody is text as the HTML body Freshdesk takes, its lines kept.
func htmlBody(text string) string {
	return strings.ReplaceAll(html.EscapeString(strings.TrimSpace(text)), "\n", "<br>")
}
