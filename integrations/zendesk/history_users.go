package zendesk

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/vendorapi"
)

// findUser finds the customer of a history query: by Zendesk user id when
// q.ExternalID is set, otherwise by email. It returns nil when Zendesk does
// not know her.
func (a *API) findUser(ctx context.Context, q plusone.HistoryQuery) (*apiUser, error) {
	if id := strings.TrimSpace(q.ExternalID); id != "" {
		return a.userByID(ctx, id)
	}
	email := plusone.NormalizeEmail(q.Email)
	if email == "" {
		return nil, nil
	}
	var res usersEnvelope
	if _, err := a.api.Get(ctx, "/api/v2/users/search.json", url.Values{"query": {"email:" + email}}, &res); err != nil {
		return nil, err
	}
	u := pickUser(res.Users, email)
	if u != nil {
		a.users.put(string(u.ID), u)
	}
	return u, nil
}

// pickUser chooses the user whose primary email is email or, failing that,
// the only user found (the search also matches secondary identities).
func pickUser(users []apiUser, email string) *apiUser {
	return vendorapi.PickByEmail(users, email, func(u *apiUser) (string, string) { return string(u.ID), u.Email })
}

// userByID returns the user with Zendesk id id, or nil if there is none,
// from the cache when it can.
func (a *API) userByID(ctx context.Context, id string) (*apiUser, error) {
	if !vendorapi.IsDigits(id) {
		return nil, nil // not a Zendesk user id
	}
	if u, ok := a.users.get(id); ok {
		return u, nil
	}
	var res userEnvelope
	found, err := a.api.Get(ctx, "/api/v2/users/"+id+".json", nil, &res)
	if err != nil {
		return nil, err
	}
	var u *apiUser
	if found && res.User != nil && vendorapi.IsDigits(string(res.User.ID)) {
		u = res.User
	}
	a.users.put(id, u) // an unknown id is remembered too
	return u, nil
}

// Enrich fills the email, name, phone and customer-since date of a Zendesk
// event's customer that is known only by her Zendesk user id (the requester
// id of event-subscribed webhooks), from GET /api/v2/users/{id}.json, and
// the name of the ticket's assignee that such a webhook names by id only
// (for the card), the same way. Users are cached (option.WithUserCache), so
// a requester's or an agent's many events cost one request. Events of other
// sources, customers who carry an email, tickets that name their assignee,
// and unknown users are left as they are. Only a transient failure
// (EUNAVAILABLE, or ctx done) is returned; refused credentials are logged,
// as retrying cannot help.
func (a *API) Enrich(ctx context.Context, e *plusone.Event) error {
	if e == nil || e.Source != plusone.SourceZendesk {
		return nil
	}
	if plusone.NormalizeEmail(e.Customer.Email) == "" {
		u, err := a.enrichUser(ctx, strings.TrimSpace(e.Customer.ExternalID))
		if err != nil {
			return err
		}
		if u != nil {
			r := u.ref()
			c := &e.Customer
			c.Email = r.Email
			fill(&c.Name, r.Name)
			fill(&c.Phone, r.Phone)
			if c.Since.IsZero() {
				c.Since = r.Since
			}
		}
	}
	if t := e.Ticket; t != nil && t.Assignee == "" && t.AssigneeID != "" {
		u, err := a.enrichUser(ctx, strings.TrimSpace(t.AssigneeID))
		if err != nil {
			return err
		}
		if u != nil {
			t.Assignee = strings.TrimSpace(u.Name)
		}
	}
	return nil
}

// enrichUser finds user id for Enrich: nil when Zendesk does not know her
// or refuses the credentials (logged); an error only when it is worth
// retrying.
func (a *API) enrichUser(ctx context.Context, id string) (*apiUser, error) {
	u, err := a.userByID(ctx, id)
	if err != nil {
		if ctx.Err() != nil || plusone.ErrorCode(err) == plusone.EUNAVAILABLE {
			return nil, fmt.Errorf("zendesk enrich user %s: %w", id, err)
		}
		a.log.Warn("zendesk enrich failed", "user_id", id, "error", err)
		return nil, nil
	}
	return u, nil
}

// fill sets *dst to v when *dst is empty.
func fill(dst *string, v string) {
	if strings.TrimSpace(*dst) == "" {
		*dst = v
	}
}
