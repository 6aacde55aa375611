package helpscout

import (
	"context"
	"errors"
	"net/http"
)

// Check makes one authenticated read (GET /v2/users/me), after fetching an
// access token, for `plusone check --live`: an error says what to fix, such
// as the app's credentials after a 401.
func (a *API) Check(ctx context.Context) error {
	found, err := a.do(ctx, http.MethodGet, "/v2/users/me", nil, nil, nil)
	if err != nil {
		return err
	}
	if !found {
		return errors.New("GET /v2/users/me: not found; check PLUSONE_HELPSCOUT_URL")
	}
	return nil
}
