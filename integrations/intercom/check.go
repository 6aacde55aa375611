package intercom

import (
	"context"
	"errors"
)

// Check makes one authenticated read (GET /me), for `plusone check
// --live`: an error says what to fix, such as the access token to check
// after a 401.
func (a *API) Check(ctx context.Context) error {
	found, err := a.api.Get(ctx, "/me", nil, nil)
	if err != nil {
		return err
	}
	if !found {
		return errors.New("GET /me: not found; check PLUSONE_INTERCOM_URL")
	}
	return nil
}
