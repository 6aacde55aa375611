package helpscout

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
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

var _ plusone.TicketDesk = (*API)(nil)

// Help Scout's conversation statuses.
var statusNames = map[plusone.TicketStatus]string{plusone.StatusOpen: "active", plusone.StatusPending: "pending", plusone.StatusSolved: "closed"}

// Reply adds text to conversation id as a reply to its customer (POST
// /v2/conversations/{id}/reply {"customer": {"id"}, "text", "user"}) or,
// when public is false, a note (POST /v2/conversations/{id}/notes {"text",
// "user"}), as agent (user, her Help Scout user found by email). Help Scout
// has no idempotency key: before every attempt the conversation's threads
// are read (GET /v2/conversations/{id}/threads), and a reply or note with
// the same text since since is this one, stored by an attempt whose answer
// was lost.
func (a *API) Reply(ctx context.Context, id string, agent plusone.Agent, text string, public bool, since time.Time) error {
	if !vendorapi.IsDigits(id) {
		return plusone.Errorf(plusone.EINVALID, "%q is not a Help Scout conversation id", webhook.Clip(id))
	}
	uid, err := a.userID(ctx, agent)
	if err != nil {
		return fmt.Errorf("helpscout reply on conversation %s: %w", id, err)
	}
	kind, path := "note", "/v2/conversations/"+id+"/notes"
	body := map[string]any{"text": htmlBody(text), "user": uid}
	if public {
		customer, err := a.customerOf(ctx, id)
		if err != nil {
			return fmt.Errorf("helpscout reply on conversation %s: %w", id, err)
		}
		kind, path = "reply", "/v2/conversations/"+id+"/reply"
		body["customer"] = map[string]any{"id": customer}
	}
	stored := func(ctx context.Context) (bool, error) { return a.hasThread(ctx, id, kind, text, since) }
	send := func(ctx context.Context) (*resty.Response, bool, error) {
		if _, err := a.token.get(ctx); err != nil {
			return nil, false, err
		}
		resp, err := a.once.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Post(path)
		if err != nil {
			return resp, vendorapi.Retryable(resp, err), a.once.RequestError(ctx, "POST "+path, resp, err)
		}
		if resp.StatusCode() == http.StatusUnauthorized {
			a.token.forget() // refused, so not stored: another token, another attempt
			return resp, true, answerError(id, "POST "+path, resp)
		}
		err = answerError(id, "POST "+path, resp)
		return resp, err != nil && vendorapi.Retryable(resp, nil), err
	}
	if err := vendorapi.Once(ctx, a.once, "POST "+path, a.oncePolicy, a.onceRetries, stored, send); err != nil {
		return fmt.Errorf("helpscout %s on conversation %s: %w", kind, id, err)
	}
	return nil
}

// Assign assigns conversation id to agent: PATCH /v2/conversations/{id}
// {"op": "replace", "path": "/assignTo", "value": <user id>}, the same
// however often it is applied.
func (a *API) Assign(ctx context.Context, id string, agent plusone.Agent) error {
	uid, err := a.userID(ctx, agent)
	if err != nil {
		return fmt.Errorf("helpscout assign conversation %s: %w", id, err)
	}
	return a.patch(ctx, id, "/assignTo", uid)
}

// SetStatus sets conversation id to active, pending or closed: PATCH
// /v2/conversations/{id} {"op": "replace", "path": "/status"}.
func (a *API) SetStatus(ctx context.Context, id string, _ plusone.Agent, status plusone.TicketStatus, _ time.Time) error {
	name, ok := statusNames[status]
	if !ok {
		return plusone.Errorf(plusone.EINVALID, "Help Scout conversations cannot be set to %q", status)
	}
	return a.patch(ctx, id, "/status", name)
}

func (a *API) patch(ctx context.Context, id, field string, value any) error {
	if !vendorapi.IsDigits(id) {
		return plusone.Errorf(plusone.EINVALID, "%q is not a Help Scout conversation id", webhook.Clip(id))
	}
	path := "/v2/conversations/" + id
	body := map[string]any{"op": "replace", "path": field, "value": value}
	for attempt := 0; ; attempt++ {
		if _, err := a.token.get(ctx); err != nil {
			return fmt.Errorf("helpscout update conversation %s: %w", id, err)
		}
		resp, err := a.api.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Patch(path)
		if err != nil {
			return fmt.Errorf("helpscout update conversation %s: %w", id, a.api.RequestError(ctx, "PATCH "+path, resp, err))
		}
		if resp.StatusCode() == http.StatusUnauthorized && attempt == 0 {
			a.token.forget()
			continue
		}
		if err := answerError(id, "PATCH "+path, resp); err != nil {
			return fmt.Errorf("helpscout update conversation %s: %w", id, err)
		}
		return nil
	}
}

// answerError reads the answer to a change of conversation id.
func answerError(id, op string, resp *resty.Response) error {
	return vendor().ChangeError(op, resp, fmt.Sprintf("Help Scout has no conversation %s (or the app's user cannot see it)", id), fmt.Sprintf("Help Scout refused the change to conversation %s", id),
		http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusConflict)
}

// customerOf reads conversation id's primary customer (GET
// /v2/conversations/{id}), whom a reply is sent to.
func (a *API) customerOf(ctx context.Context, id string) (int64, error) {
	var c struct {
		PrimaryCustomer struct {
			ID int64 `json:"id"`
		} `json:"primaryCustomer"`
	}
	found, err := a.do(ctx, http.MethodGet, "/v2/conversations/"+id, nil, nil, &c)
	if err != nil {
		return 0, err
	}
	if !found || c.PrimaryCustomer.ID == 0 {
		return 0, plusone.Errorf(plusone.EINVALID, "Help Scout has no conversation %s with a customer (or the app's user cannot see it)", id)
	}
	return c.PrimaryCustomer.ID, nil
}

// hasThread reports whether conversation id has a thread of kind ("reply"
// or "note") created since since whose text is text.
func (a *API) hasThread(ctx context.Context, id, kind, text string, since time.Time) (bool, error) {
	want := strings.Join(strings.Fields(text), " ")
	for page := 1; page <= 20; page++ {
		var list struct {
			Embedded struct {
				Threads []struct {
					Type      string `json:"type"`
					Body      string `json:"body"`
					CreatedAt string `json:"createdAt"`
				} `json:"threads"`
			} `json:"_embedded"`
			Page struct {
				TotalPages int `json:"totalPages"`
			} `json:"page"`
		}
		found, err := a.do(ctx, http.MethodGet, "/v2/conversations/"+id+"/threads", url.Values{"page": {strconv.Itoa(page)}}, nil, &list)
		if err != nil {
			return false, err
		}
		if !found {
			return false, plusone.Errorf(plusone.EINVALID, "Help Scout has no conversation %s (or the app's user cannot see it)", id)
		}
		for _, th := range list.Embedded.Threads {
			t, _ := time.Parse(time.RFC3339, th.CreatedAt)
			if lower(th.Type) == kind && !t.Before(since.Add(-time.Minute)) &&
				strings.Join(strings.Fields(htmltext.Text(th.Body)), " ") == want {
				return true, nil
			}
		}
		if page >= list.Page.TotalPages {
			return false, nil
		}
	}
	return false, nil
}

// userID finds agent's Help Scout user id by email (GET /v2/users?email=),
// cached.
func (a *API) userID(ctx context.Context, agent plusone.Agent) (int64, error) {
	email := plusone.NormalizeEmail(agent.Email)
	now := time.Now()
	id, ok := a.agents.Get(email, now)
	if !ok {
		var list struct {
			Embedded struct {
				Users []struct {
					ID    int64  `json:"id"`
					Email string `json:"email"`
				} `json:"users"`
			} `json:"_embedded"`
		}
		if _, err := a.do(ctx, http.MethodGet, "/v2/users", url.Values{"email": {email}}, nil, &list); err != nil {
			return 0, err
		}
		id = ""
		for _, u := range list.Embedded.Users {
			if plusone.NormalizeEmail(u.Email) == email {
				id = strconv.FormatInt(u.ID, 10)
			}
		}
		a.agents.Put(email, id, now)
	}
	if id == "" {
		return 0, plusone.Errorf(plusone.EINVALID, "Help Scout has no user with your Slack email %s", email)
	}
	return strconv.ParseInt(id, 10, 64)
}

// htmlBody is text as the HTML Help Scout takes in a thread's text, its
// lines kept.
func htmlBody(text string) string {
	return strings.ReplaceAll(html.EscapeString(strings.TrimSpace(text)), "\n", "<br>")
}
