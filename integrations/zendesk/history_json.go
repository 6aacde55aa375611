package zendesk

import (
	"net/url"
	"strings"

	"github.com/plusone-hq/plusone"
)

// apiUser is a Zendesk user as the Users API returns it. Only the fields
// plusone uses are read.
type apiUser struct {
	ID        text   `json:"id"`
	Name      string `json:"name"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Role      string `json:"role"`
	CreatedAt string `json:"created_at"`
}

// ref describes the user as the customer of an event.
func (u *apiUser) ref() plusone.CustomerRef {
	r := plusone.CustomerRef{
		Email:      strings.TrimSpace(u.Email),
		Name:       strings.TrimSpace(u.Name),
		Phone:      strings.TrimSpace(u.Phone),
		ExternalID: string(u.ID),
	}
	if t, ok := parseTime(u.CreatedAt); ok {
		r.Since = t
	}
	return r
}

// userEnvelope is the body of GET /api/v2/users/{id}.json.
type userEnvelope struct {
	User *apiUser `json:"user"`
}

// usersEnvelope is the body of GET /api/v2/users/search.json.
type usersEnvelope struct {
	Users []apiUser `json:"users"`
}

// apiTicket is a ticket as the Tickets API returns it.
type apiTicket struct {
	ID                 text     `json:"id"`
	Subject            string   `json:"subject"`
	Status             string   `json:"status"`
	Priority           string   `json:"priority"`
	Tags               []string `json:"tags"`
	RequesterID        text     `json:"requester_id"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	Via                *apiVia  `json:"via"`
	SatisfactionRating *struct {
		Score   string `json:"score"`
		Comment string `json:"comment"`
	} `json:"satisfaction_rating"`
}

type apiVia struct {
	Channel string `json:"channel"`
}

// ticketsPage is one page of a ticket list with cursor pagination.
type ticketsPage struct {
	Tickets []apiTicket `json:"tickets"`
	cursorPage
}

// cursorPage is what every page of a list with cursor pagination
// (page[size], page[after]) says of the next one.
type cursorPage struct {
	Meta struct {
		HasMore     bool   `json:"has_more"`
		AfterCursor string `json:"after_cursor"`
	} `json:"meta"`
	Links struct {
		Next string `json:"next"`
	} `json:"links"`
}

// nextCursor is the cursor of the next page: meta.after_cursor, or the
// page[after] of links.next. Only the cursor is taken from links.next, so
// that no request ever goes to a host other than the configured one.
func (p cursorPage) nextCursor() string {
	if c := strings.TrimSpace(p.Meta.AfterCursor); c != "" {
		return c
	}
	if u, err := url.Parse(p.Links.Next); err == nil && p.Links.Next != "" {
		return u.Query().Get("page[after]")
	}
	return ""
}
