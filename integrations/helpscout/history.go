package helpscout

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// DefaultHistoryLimit bounds History when the query sets no Limit.
const DefaultHistoryLimit = 100

// maxConversationPages bounds how many pages of conversations (of Help
// Scout's fixed page size) one History call reads.
const maxConversationPages = 10

// History returns the conversations of the customer with q.Email as the
// ticket.created events the convo.created webhook gives (the same link,
// status, tags and first thread; the id "history:conversation:<id>"),
// newest first: GET
// /v2/conversations?query=(email:"<email>")&status=all&embed=threads,
// sorted by createdAt descending. Reading stops at q.Limit conversations or
// at the first one created before q.Since. A query with only an
// ExternalID gives nothing: the search needs her email.
func (a *API) History(ctx context.Context, q plusone.HistoryQuery) ([]plusone.Event, error) {
	email := plusone.NormalizeEmail(q.Email)
	if email == "" || strings.ContainsAny(email, `"()`) {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultHistoryLimit
	}
	var objects [][]plusone.Event
	for page := 1; page <= maxConversationPages; page++ {
		var list struct {
			Embedded struct {
				Conversations []json.RawMessage `json:"conversations"`
			} `json:"_embedded"`
			Page struct {
				TotalPages int `json:"totalPages"`
			} `json:"page"`
		}
		params := url.Values{"query": {`(email:"` + email + `")`}, "status": {"all"}, "embed": {"threads"},
			"sortField": {"createdAt"}, "sortOrder": {"desc"}, "page": {strconv.Itoa(page)}}
		if _, err := a.do(ctx, http.MethodGet, "/v2/conversations", params, nil, &list); err != nil {
			return nil, fmt.Errorf("helpscout history of %s: %w", email, err)
		}
		for _, raw := range list.Embedded.Conversations {
			d, err := parseConversation("convo.created", created, raw)
			if err != nil || len(d.Events) == 0 {
				a.log.DebugContext(ctx, "helpscout history: conversation skipped", "err", err)
				continue
			}
			d.Events[0].ID = "history:conversation:" + d.Events[0].Ticket.ID
			e := d.Events[0]
			if !q.Since.IsZero() && e.OccurredAt.Before(q.Since) {
				return vendorapi.NewestObjects(objects, limit), nil
			}
			objects = append(objects, d.Events)
			if len(objects) >= limit {
				return vendorapi.NewestObjects(objects, limit), nil
			}
		}
		if page >= list.Page.TotalPages {
			break
		}
	}
	return vendorapi.NewestObjects(objects, limit), nil
}
