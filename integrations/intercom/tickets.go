package intercom

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

var _ plusone.TicketDesk = (*API)(nil)

// SnoozeFor is how long StatusSnoozed snoozes a conversation.
const SnoozeFor = 24 * time.Hour

// Reply adds text to conversation id as a reply to the customer
// (message_type comment) or, when public is false, a note, as agent (her
// Intercom admin, found by email): POST /conversations/{id}/reply
// {"message_type","type":"admin","admin_id","body"}. Intercom documents no
// idempotency key, so before every attempt the conversation is read (GET
// /conversations/{id}): a part of agent's with the same text created
// since since is this one, stored by an attempt whose answer was lost.
func (a *API) Reply(ctx context.Context, id string, agent plusone.Agent, text string, public bool, since time.Time) error {
	if !urlSafe(id) || id == "" {
		return plusone.Errorf(plusone.EINVALID, "%q is not an Intercom conversation id", webhook.Clip(id))
	}
	admin, err := a.adminID(ctx, agent)
	if err != nil {
		return fmt.Errorf("intercom reply on %s: %w", id, err)
	}
	kind := "comment"
	if !public {
		kind = "note"
	}
	path := "/conversations/" + id + "/reply"
	body := map[string]any{"message_type": kind, "type": "admin", "admin_id": admin, "body": htmlBody(text)}
	stored := func(ctx context.Context) (bool, error) { return a.hasPart(ctx, id, admin, text, since) }
	send := func(ctx context.Context) (*resty.Response, bool, error) {
		resp, err := a.once.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Post(path)
		if err != nil {
			return resp, vendorapi.Retryable(resp, err), a.once.RequestError(ctx, "POST "+path, resp, err)
		}
		err = answerError(id, "POST "+path, resp)
		return resp, err != nil && vendorapi.Retryable(resp, nil), err
	}
	if err := vendorapi.Once(ctx, a.once, "POST "+path, a.oncePolicy, a.onceRetries, stored, send); err != nil {
		return fmt.Errorf("intercom reply on %s: %w", id, err)
	}
	return nil
}

// Assign assigns conversation id to agent: POST /conversations/{id}/parts
// {"message_type":"assignment","type":"admin","admin_id","assignee_id"}.
func (a *API) Assign(ctx context.Context, id string, agent plusone.Agent) error {
	admin, err := a.adminID(ctx, agent)
	if err != nil {
		return fmt.Errorf("intercom assign %s: %w", id, err)
	}
	return a.manage(ctx, id, map[string]any{"message_type": "assignment", "type": "admin", "admin_id": admin, "assignee_id": admin})
}

// SetStatus opens (message_type open), closes (solved: close) or snoozes
// for SnoozeFor (snoozed_until) conversation id as agent: POST
// /conversations/{id}/parts. Intercom has no pending state.
func (a *API) SetStatus(ctx context.Context, id string, agent plusone.Agent, status plusone.TicketStatus, now time.Time) error {
	body := map[string]any{}
	switch status {
	case plusone.StatusOpen:
		body["message_type"] = "open"
	case plusone.StatusSolved:
		body["message_type"], body["type"] = "close", "admin"
	case plusone.StatusSnoozed:
		body["message_type"], body["snoozed_until"] = "snoozed", now.Add(SnoozeFor).Unix()
	default:
		return plusone.Errorf(plusone.EINVALID, "Intercom conversations cannot be set to %q", status)
	}
	admin, err := a.adminID(ctx, agent)
	if err != nil {
		return fmt.Errorf("intercom status of %s: %w", id, err)
	}
	body["admin_id"] = admin
	return a.manage(ctx, id, body)
}

// manage sends a change that is the same however often it is applied.
func (a *API) manage(ctx context.Context, id string, body map[string]any) error {
	if !urlSafe(id) || id == "" {
		return plusone.Errorf(plusone.EINVALID, "%q is not an Intercom conversation id", webhook.Clip(id))
	}
	path := "/conversations/" + id + "/parts"
	resp, err := a.api.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Post(path)
	if err != nil {
		return fmt.Errorf("intercom manage %s: %w", id, a.api.RequestError(ctx, "POST "+path, resp, err))
	}
	if err := answerError(id, "POST "+path, resp); err != nil {
		return fmt.Errorf("intercom manage %s: %w", id, err)
	}
	return nil
}

// answerError reads the answer to a change of conversation id.
func answerError(id, op string, resp *resty.Response) error {
	return vendor().ChangeError(op, resp, fmt.Sprintf("Intercom has no conversation %s", id), fmt.Sprintf("Intercom refused the change to conversation %s", id),
		http.StatusBadRequest, http.StatusUnprocessableEntity)
}

// hasPart reports whether conversation id has a part by admin created
// since since with text as its body.
func (a *API) hasPart(ctx context.Context, id, admin, text string, since time.Time) (bool, error) {
	var conv struct {
		Parts struct {
			Parts []struct {
				Body      string `json:"body"`
				CreatedAt int64  `json:"created_at"`
				Author    struct {
					ID string `json:"id"`
				} `json:"author"`
			} `json:"conversation_parts"`
		} `json:"conversation_parts"`
	}
	found, err := a.api.Get(ctx, "/conversations/"+id, nil, &conv)
	if err != nil {
		return false, err
	}
	if !found {
		return false, plusone.Errorf(plusone.EINVALID, "Intercom has no conversation %s", id)
	}
	// Compared word by word: Intercom may render the paragraphs anew.
	want := strings.Join(strings.Fields(text), " ")
	for _, p := range conv.Parts.Parts {
		if p.Author.ID == admin && p.CreatedAt >= since.Add(-time.Minute).Unix() && strings.Join(strings.Fields(htmltext.Text(p.Body)), " ") == want {
			return true, nil
		}
	}
	return false, nil
}

// adminID finds agent's Intercom admin by email (GET /admins), cached.
func (a *API) adminID(ctx context.Context, agent plusone.Agent) (string, error) {
	email := plusone.NormalizeEmail(agent.Email)
	now := time.Now()
	id, ok := a.admins.Get(email, now)
	if !ok {
		var list struct {
			Admins []struct {
				ID    string `json:"id"`
				Email string `json:"email"`
			} `json:"admins"`
		}
		if _, err := a.api.Get(ctx, "/admins", nil, &list); err != nil {
			return "", err
		}
		id = ""
		for _, ad := range list.Admins {
			if plusone.NormalizeEmail(ad.Email) == email {
				id = ad.ID
			}
		}
		a.admins.Put(email, id, now)
	}
	if id == "" {
		return "", plusone.Errorf(plusone.EINVALID, "Intercom has no teammate with your Slack email %s", email)
	}
	return id, nil
}

// htmlBody is text as an HTML body, one paragraph per line.
func htmlBody(text string) string {
	var ps []string
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		ps = append(ps, "<p>"+html.EscapeString(l)+"</p>")
	}
	return strings.Join(ps, "")
}
