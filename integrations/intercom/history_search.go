package intercom

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"
)

// searchRequest is the body of POST /conversations/search and
// /contacts/search.
type searchRequest struct {
	Query      any         `json:"query"`
	Pagination *pagination `json:"pagination,omitempty"`
	Sort       *searchSort `json:"sort,omitempty"`
}

// filter is one condition of a search: {"field", "operator", "value"}.
type filter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

// filterGroup joins conditions: {"operator": "AND", "value": [...]}.
type filterGroup struct {
	Operator string   `json:"operator"`
	Value    []filter `json:"value"`
}

type pagination struct {
	PerPage       int    `json:"per_page"`
	StartingAfter string `json:"starting_after,omitempty"`
}

// searchSort orders results. The 2.14 OpenAPI description leaves it out of
// the search request, but the search API accepts it (documented on the
// "Pagination & Sorting (Search)" page of earlier versions); the client
// does not rely on the order to be right.
type searchSort struct {
	Field string `json:"field"`
	Order string `json:"order"`
}

// sinceSlack widens the created_at condition: Intercom's search matches
// times by calendar day in the workspace's time zone, and ">" starts at the
// next day. The client drops what is older than Since itself.
const sinceSlack = 48 * time.Hour

// searchConversations asks for a page of the conversations of contacts
// created from since on (all when since is zero), newest first.
func searchConversations(contacts []apiContact, since time.Time, perPage int, cursor string) searchRequest {
	who := filter{Field: "contact_ids", Operator: "=", Value: contacts[0].ID}
	if len(contacts) > 1 {
		ids := make([]string, len(contacts))
		for i, c := range contacts {
			ids[i] = string(c.ID)
		}
		who = filter{Field: "contact_ids", Operator: "IN", Value: ids}
	}
	var query any = who
	if !since.IsZero() {
		query = filterGroup{Operator: "AND", Value: []filter{who,
			{Field: "created_at", Operator: ">", Value: max(since.Add(-sinceSlack).Unix(), 0)}}}
	}
	return searchRequest{
		Query:      query,
		Pagination: &pagination{PerPage: perPage, StartingAfter: cursor},
		Sort:       &searchSort{Field: "created_at", Order: "descending"},
	}
}

// conversationPage is one page of POST /conversations/search.
type conversationPage struct {
	Conversations []json.RawMessage `json:"conversations"`
	Pages         struct {
		Next json.RawMessage `json:"next"`
	} `json:"pages"`
}

// nextCursor is the starting_after of the next page: pages.next is an
// object with it in search answers, a link in list answers. Only the cursor
// is taken from a link, so that no request goes to another host.
func (p conversationPage) nextCursor() string {
	var next struct {
		StartingAfter string `json:"starting_after"`
	}
	if json.Unmarshal(p.Pages.Next, &next) == nil {
		return strings.TrimSpace(next.StartingAfter)
	}
	var link string
	if json.Unmarshal(p.Pages.Next, &link) == nil && link != "" {
		if u, err := url.Parse(link); err == nil {
			return u.Query().Get("starting_after")
		}
	}
	return ""
}
