package zendesk

import (
	"context"
	"errors"
)

// Check makes one authenticated read (GET /api/v2/users/me.json), for
// `plusone check --live`: an error says what to fix, such as the
// credentials to check after a 401.
func (a *API) Check(ctx context.Context) error {
	var me struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
	}
	found, err := a.api.Get(ctx, "/api/v2/users/me.json", nil, &me)
	if err != nil {
		return err
	}
	if !found {
		return errors.New("GET /api/v2/users/me.json: not found; check PLUSONE_ZENDESK_URL")
	}
	if me.User.ID == 0 {
		// Zendesk answers an anonymous user to requests it did not authenticate.
		return errors.New("the request was not authenticated by Zendesk; check PLUSONE_ZENDESK_EMAIL and PLUSONE_ZENDESK_API_TOKEN")
	}
	return nil
}
