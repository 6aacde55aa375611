package intercom

import (
	"context"
	"strings"

	"github.com/plusone-hq/plusone"
)

// apiContact is an Intercom contact (a user or a lead) as the Contacts API
// returns it. Only the fields plusone uses are read.
type apiContact struct {
	ID        text     `json:"id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Phone     string   `json:"phone"`
	CreatedAt unixTime `json:"created_at"`
}

// complete fills what an event's customer lacks from the contact, when she
// is that contact.
func (c apiContact) complete(ref *plusone.CustomerRef) {
	if ref.ExternalID != string(c.ID) {
		return
	}
	if ref.Email == "" && plusone.NormalizeEmail(c.Email) != "" {
		ref.Email = strings.TrimSpace(c.Email)
	}
	if ref.Name == "" {
		ref.Name = strings.TrimSpace(c.Name)
	}
	if ref.Phone == "" {
		ref.Phone = strings.TrimSpace(c.Phone)
	}
	if ref.Since.IsZero() {
		ref.Since = c.CreatedAt.Time()
	}
}

// maxContacts bounds the contacts of one email whose conversations are
// read: Intercom allows 15 conditions in a group.
const maxContacts = 15

// findContacts finds the customer of a history query: her contact when
// q.ExternalID is set, otherwise every contact with her email (a user and a
// lead may share it). It returns none when Intercom does not know her.
func (a *API) findContacts(ctx context.Context, q plusone.HistoryQuery) ([]apiContact, error) {
	if id := strings.TrimSpace(q.ExternalID); id != "" {
		if !urlSafe(id) {
			return nil, nil // not an Intercom contact id
		}
		var c apiContact
		found, err := a.api.Get(ctx, "/contacts/"+id, nil, &c)
		if err != nil || !found || c.ID == "" {
			return nil, err
		}
		return []apiContact{c}, nil
	}
	email := plusone.NormalizeEmail(q.Email)
	if email == "" {
		return nil, nil
	}
	var res struct {
		Data []apiContact `json:"data"`
	}
	body := searchRequest{Query: filter{Field: "email", Operator: "=", Value: email}, Pagination: &pagination{PerPage: 50}}
	if _, err := a.api.Post(ctx, "/contacts/search", body, &res); err != nil {
		return nil, err
	}
	var out []apiContact
	for _, c := range res.Data {
		if c.ID != "" && urlSafe(string(c.ID)) && plusone.NormalizeEmail(c.Email) == email && len(out) < maxContacts {
			out = append(out, c)
		}
	}
	return out, nil
}

// workspace returns the app id of the workspace, which conversation links
// need: option.WithAppID's, or GET /me's app.id_code, asked once. Without one the
// conversations have no links.
func (a *API) workspace(ctx context.Context) (string, error) {
	a.mu.Lock()
	id := a.appID
	a.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var me struct {
		App struct {
			IDCode string `json:"id_code"`
		} `json:"app"`
	}
	if _, err := a.api.Get(ctx, "/me", nil, &me); err != nil {
		return "", err
	}
	id = strings.TrimSpace(me.App.IDCode)
	if !urlSafe(id) || id == "" {
		a.log.Warn("intercom history: GET /me names no app; conversations will have no links")
		return "", nil
	}
	a.mu.Lock()
	a.appID = id
	a.mu.Unlock()
	return id, nil
}
