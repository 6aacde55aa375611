package helpscout

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// createPath is Help Scout's Create Conversation endpoint.
const createPath = "/v2/conversations"

// listedConversation is a conversation as Help Scout lists it.
type listedConversation struct {
	ID        int64  `json:"id"`
	Number    int64  `json:"number"`
	Subject   string `json:"subject"`
	Status    string `json:"status"`
	CreatedAt string `json:"createdAt"`
}

// Create creates an active email conversation for t.Customer (found or
// made by email) in the account's first mailbox (GET /v2/mailboxes), its
// first thread her message, added by agent (her Help Scout user): POST
// /v2/conversations {"subject","customer":{"email"},"mailboxId","type":
// "email","status":"active","user","threads":[{"type":"customer",
// "customer":{"email"},"text"}]}, answered 201 with the id in Resource-ID.
// Help Scout has no idempotency key: before every attempt her
// conversations are listed (GET /v2/conversations?query=(email:"…"),
// newest first), and one with the same subject created since t.Since is
// this one, created by an attempt whose answer was lost.
func (a *API) Create(ctx context.Context, t plusone.NewTicket, agent plusone.Agent) (plusone.Ticket, error) {
	uid, err := a.userID(ctx, agent)
	if err != nil {
		return plusone.Ticket{}, fmt.Errorf("helpscout create a conversation: %w", err)
	}
	mailbox, err := a.firstMailbox(ctx)
	if err != nil {
		return plusone.Ticket{}, fmt.Errorf("helpscout create a conversation: %w", err)
	}
	email := plusone.NormalizeEmail(t.Customer)
	subject := strings.TrimSpace(t.Subject)
	customer := map[string]any{"email": email}
	body := map[string]any{"subject": subject, "customer": customer, "mailboxId": mailbox, "type": "email",
		"status": "active", "user": uid,
		"threads": []any{map[string]any{"type": "customer", "customer": customer, "text": htmlBody(t.Text)}}}
	var made listedConversation
	stored := func(ctx context.Context) (bool, error) {
		found, ok, err := a.findConversation(ctx, email, subject, t.Since)
		made = found
		return ok, err
	}
	send := func(ctx context.Context) (*resty.Response, bool, error) {
		if _, err := a.token.get(ctx); err != nil {
			return nil, false, err
		}
		resp, err := a.once.Request(ctx).SetHeader("Content-Type", "application/json").SetBody(body).Post(createPath)
		if err != nil {
			return resp, vendorapi.Retryable(resp, err), a.once.RequestError(ctx, "POST "+createPath, resp, err)
		}
		switch s := resp.StatusCode(); {
		case s == http.StatusUnauthorized:
			a.token.forget() // refused, so not created: another token, another attempt
			return resp, true, fmt.Errorf("POST %s: %w", createPath, vendor().StatusError(s, resp.Body()))
		case s >= 200 && s <= 299:
			id, _ := strconv.ParseInt(resp.Header().Get("Resource-ID"), 10, 64)
			made = listedConversation{ID: id, Subject: subject, Status: "active"}
			return resp, false, nil
		case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
			return resp, false, plusone.Errorf(plusone.EINVALID, "Help Scout refused the conversation: %s", vendor().StatusError(s, resp.Body()))
		default:
			return resp, vendorapi.Retryable(resp, nil), fmt.Errorf("POST %s: %w", createPath, vendor().StatusError(s, resp.Body()))
		}
	}
	if err := vendorapi.Once(ctx, a.once, "POST "+createPath, a.oncePolicy, a.onceRetries, stored, send); err != nil {
		return plusone.Ticket{}, fmt.Errorf("helpscout create a conversation: %w", err)
	}
	if made.ID <= 0 {
		return plusone.Ticket{}, fmt.Errorf("helpscout create a conversation: the answer has no Resource-ID")
	}
	id := strconv.FormatInt(made.ID, 10)
	number := ""
	if made.Number > 0 {
		number = strconv.FormatInt(made.Number, 10)
	}
	return plusone.Ticket{ID: id, Subject: made.Subject, URL: conversationURL(id, number), Status: made.Status}, nil
}

// firstMailbox is the id of the first mailbox (inbox) the app's user sees.
func (a *API) firstMailbox(ctx context.Context) (int64, error) {
	var list struct {
		Embedded struct {
			Mailboxes []struct {
				ID int64 `json:"id"`
			} `json:"mailboxes"`
		} `json:"_embedded"`
	}
	if _, err := a.do(ctx, http.MethodGet, "/v2/mailboxes", nil, nil, &list); err != nil {
		return 0, err
	}
	if len(list.Embedded.Mailboxes) == 0 {
		return 0, plusone.Errorf(plusone.EINVALID, "Help Scout shows plusone no mailbox to create the conversation in")
	}
	return list.Embedded.Mailboxes[0].ID, nil
}

// findConversation looks among the newest conversations of the customer
// with email for one with subject created since since.
func (a *API) findConversation(ctx context.Context, email, subject string, since time.Time) (listedConversation, bool, error) {
	var list struct {
		Embedded struct {
			Conversations []listedConversation `json:"conversations"`
		} `json:"_embedded"`
	}
	params := map[string][]string{"query": {`(email:"` + email + `")`}, "status": {"all"},
		"sortField": {"createdAt"}, "sortOrder": {"desc"}}
	if _, err := a.do(ctx, http.MethodGet, createPath, params, nil, &list); err != nil {
		return listedConversation{}, false, err
	}
	for _, c := range list.Embedded.Conversations {
		at, _ := time.Parse(time.RFC3339, c.CreatedAt)
		if !at.Before(since.Add(-time.Minute)) && strings.TrimSpace(c.Subject) == subject {
			return c, true, nil
		}
	}
	return listedConversation{}, false, nil
}
