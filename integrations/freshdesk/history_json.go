package freshdesk

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// apiContact is a Freshdesk contact as the Contacts API returns it. Only the
// fields plusone uses are read.
type apiContact struct {
	ID        webhook.ID `json:"id"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Phone     string     `json:"phone"`
	Mobile    string     `json:"mobile"`
	CreatedAt string     `json:"created_at"`
}

// ref describes the contact as the customer of an event, as the webhook
// parser does the requester.
func (c *apiContact) ref() plusone.CustomerRef {
	r := plusone.CustomerRef{
		Email:      strings.TrimSpace(c.Email),
		Name:       strings.TrimSpace(c.Name),
		Phone:      strings.TrimSpace(c.Phone),
		ExternalID: string(c.ID),
	}
	if r.Phone == "" {
		r.Phone = strings.TrimSpace(c.Mobile)
	}
	if t, ok := parseTime(c.CreatedAt); ok {
		r.Since = t
	}
	return r
}

// apiTicket is a ticket as GET /api/v2/tickets returns it, with
// include=description.
type apiTicket struct {
	ID          webhook.ID `json:"id"`
	Subject     string     `json:"subject"`
	Status      int        `json:"status"`
	Priority    int        `json:"priority"`
	Source      int        `json:"source"`
	Tags        []string   `json:"tags"`
	RequesterID webhook.ID `json:"requester_id"`
	Description string     `json:"description"` // HTML
	CreatedAt   string     `json:"created_at"`
	UpdatedAt   string     `json:"updated_at"`
}

// statusName is what {{ticket.status}} renders for Freshdesk's built-in
// statuses, lower case as the webhook parser keeps it. A custom status has
// a name only the admin knows: "".
func statusName(code int) string {
	switch code {
	case 2:
		return "open"
	case 3:
		return "pending"
	case 4:
		return "resolved"
	case 5:
		return "closed"
	}
	return ""
}

// priorityName is what {{ticket.priority}} renders, lower case.
func priorityName(code int) string {
	switch code {
	case 1:
		return "low"
	case 2:
		return "medium"
	case 3:
		return "high"
	case 4:
		return "urgent"
	}
	return ""
}

// sourceName is what {{ticket.source}} renders, lower case: the channel.
func sourceName(code int) string {
	switch code {
	case 1:
		return "email"
	case 2:
		return "portal"
	case 3:
		return "phone"
	case 7:
		return "chat"
	case 9:
		return "feedback widget"
	case 10:
		return "outbound email"
	}
	return ""
}

// nextPage reads the number of the next page from the Link header
// (`<https://…/api/v2/tickets?page=2&per_page=100>; rel="next"`), 0 when
// there is none. Only the number is taken, so that no request goes to
// another host.
func nextPage(h http.Header) int {
	for _, v := range h.Values("Link") {
		for part := range strings.SplitSeq(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			if !ok || !strings.Contains(strings.ReplaceAll(strings.ToLower(params), " ", ""), `rel="next"`) &&
				!strings.Contains(strings.ReplaceAll(strings.ToLower(params), " ", ""), "rel=next") {
				continue
			}
			u, err := url.Parse(strings.Trim(strings.TrimSpace(target), "<>"))
			if err != nil {
				continue
			}
			if n, err := strconv.Atoi(u.Query().Get("page")); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}
