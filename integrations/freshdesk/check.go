package freshdesk

import (
	"context"
	"errors"
)

// Check makes one authenticated read (GET /api/v2/agents/me), for
// `plusone check --live`: an error says what to fix, such as the API key
// to check after a 401.
func (a *API) Check(ctx context.Context) error {
	found, err := a.api.Get(ctx, "/api/v2/agents/me", nil, nil)
	if err != nil {
		return err
	}
	if !found {
		return errors.New("GET /api/v2/agents/me: not found; check PLUSONE_FRESHDESK_URL")
	}
	return nil
}
