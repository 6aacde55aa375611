package zendesk

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// maxCommentPages bounds how many pages of comments AddInternalNote reads
// looking for its marker: Zendesk allows 5,000 comments on a ticket, 50
// pages of 100.
const maxCommentPages = 51

// AddInternalNote adds body as an internal note (a private comment) to
// ticket ticketID, unless one of the ticket's comments already contains
// marker: a call retried after a timeout, whose note Zendesk may have added,
// does not add it twice. body should contain marker; if it does not, marker
// is appended on a line of its own.
//
// It reads GET /api/v2/tickets/{id}/comments.json (cursor pagination, oldest
// first, so every page is read) and adds the note with PUT
// /api/v2/tickets/{id}.json {"ticket":{"comment":{"body":…,"public":false}}}.
// The PUT is never sent again blindly: after a network error, a timeout, a
// 5xx or a 429 the comments are read again first, then the PUT is retried,
// up to the client's retries (WithRetries), waiting as Retry-After or the
// backoff says.
//
// Errors: an unknown ticket, or a note Zendesk refuses (HTTP 400 or 422,
// such as a closed ticket), is EINVALID; refused credentials are
// EUNAUTHORIZED; anything else (Zendesk unreachable or failing, retries
// spent) may succeed later.
func (a *API) AddInternalNote(ctx context.Context, ticketID, body, marker string) error {
	id := strings.TrimSpace(ticketID)
	if !vendorapi.IsDigits(id) {
		return plusone.Errorf(plusone.EINVALID, "%q is not a Zendesk ticket id", webhook.Clip(ticketID))
	}
	if strings.TrimSpace(marker) == "" {
		return plusone.Errorf(plusone.EINVALID, "a Zendesk note needs a marker, so that a retry does not add it twice")
	}
	if !strings.Contains(body, marker) {
		body = strings.TrimRight(body, "\n") + "\n\n" + marker
	}
	for attempt := 1; ; attempt++ {
		found, err := a.hasComment(ctx, id, marker)
		if err != nil {
			return fmt.Errorf("zendesk note on ticket %s: %w", id, err)
		}
		if found {
			return nil
		}
		resp, retry, err := a.putNote(ctx, id, body)
		if err == nil {
			return nil
		}
		if !retry || attempt > a.noteRetries {
			return fmt.Errorf("zendesk note on ticket %s: %w", id, err)
		}
		wait, werr := a.notePolicy.After(resp, attempt)
		if werr != nil {
			return fmt.Errorf("zendesk note on ticket %s: %w", id, a.notes.RequestError(ctx, "PUT "+notePath(id), resp, werr))
		}
		a.log.Debug("zendesk note: checking and retrying", "ticket_id", id, "attempt", attempt, "wait", wait, "error", err)
		if err := vendorapi.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("zendesk note on ticket %s: %w", id, err)
		}
	}
}

// hasComment reports whether a comment of ticket id contains marker.
func (a *API) hasComment(ctx context.Context, id, marker string) (bool, error) {
	path := "/api/v2/tickets/" + id + "/comments.json"
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
			if c.contains(marker) {
				return true, nil
			}
		}
		if cursor = page.nextCursor(); !page.Meta.HasMore || cursor == "" {
			return false, nil
		}
	}
	return false, plusone.Errorf(plusone.EINVALID, "ticket %s has more comments than Zendesk allows (%d pages); the note was not added", id, maxCommentPages)
}

// putNote makes one attempt to add the note. retry says whether another
// attempt may help, once the comments show that this one did not add it.
func (a *API) putNote(ctx context.Context, id, body string) (resp *resty.Response, retry bool, err error) {
	path := notePath(id)
	op := "PUT " + path
	resp, err = a.notes.Request(ctx).
		SetHeader("Content-Type", "application/json").
		SetBody(noteRequest{Ticket: noteTicket{Comment: noteComment{Body: body, Public: false}}}).
		Put(path)
	if err != nil {
		return resp, vendorapi.Retryable(resp, err), a.notes.RequestError(ctx, op, resp, err)
	}
	switch s := resp.StatusCode(); {
	case s >= 200 && s <= 299:
		return resp, false, nil
	case s == http.StatusNotFound:
		return resp, false, noTicket(id)
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		return resp, false, plusone.Errorf(plusone.EINVALID, "Zendesk refused the note on ticket %s: %s", id, refusal(s, resp.Body()))
	default:
		return resp, vendorapi.Retryable(resp, nil), fmt.Errorf("%s: %w", op, vendor().StatusError(s, resp.Body()))
	}
}

// refusal explains an update Zendesk refused, from its error body:
// {"error", "description", "details": {field: [{"description"}]}}, where
// the details say what is wrong (such as "Status: closed prevents ticket
// update").
func refusal(status int, body []byte) string {
	var e struct {
		Error       json.RawMessage                           `json:"error"`
		Description string                                    `json:"description"`
		Details     map[string][]struct{ Description string } `json:"details"`
	}
	_ = json.Unmarshal(body, &e)
	var parts []string
	if d := strings.TrimSpace(e.Description); d != "" {
		parts = append(parts, d)
	}
	fields := slices.Sorted(maps.Keys(e.Details))
	for _, f := range fields {
		for _, d := range e.Details[f] {
			if d := strings.TrimSpace(d.Description); d != "" && !slices.Contains(parts, d) {
				parts = append(parts, d)
			}
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("HTTP %d", status)
	}
	msg := strings.Join(parts, "; ")
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

func notePath(id string) string { return "/api/v2/tickets/" + id + ".json" }

func noTicket(id string) error {
	return plusone.Errorf(plusone.EINVALID, "Zendesk has no ticket %s (or the API user cannot see it)", id)
}

// noteRequest is the body of PUT /api/v2/tickets/{id}.json that adds a
// comment.
type noteRequest struct {
	Ticket noteTicket `json:"ticket"`
}

type noteTicket struct {
	Comment noteComment `json:"comment"`
}

type noteComment struct {
	Body   string `json:"body"`
	Public bool   `json:"public"`
}

// commentsPage is one page of GET /api/v2/tickets/{id}/comments.json.
type commentsPage struct {
	Comments []apiComment `json:"comments"`
	cursorPage
}

// apiComment is a ticket comment; only its texts are read.
type apiComment struct {
	CreatedAt string `json:"created_at"`
	Body      string `json:"body"`
	PlainBody string `json:"plain_body"`
	HTMLBody  string `json:"html_body"`
}

// contains reports whether any of the comment's texts contains s: Zendesk
// keeps the body as written, and renders it as plain text and HTML.
func (c apiComment) contains(s string) bool {
	return strings.Contains(c.Body, s) || strings.Contains(c.PlainBody, s) || strings.Contains(c.HTMLBody, s)
}
