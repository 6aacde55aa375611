package zendesk_test

import (
	"context"
	"testing"

	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

// Check makes one authenticated read: it passes when the API answers it,
// and after a 401 names the credentials to check.
func TestCheck(t *testing.T) {
	t.Parallel()
	historytest.RunCheck(t, historytest.CheckCase{
		Path: "/api/v2/users/me.json", Answer: `{"user":{"id":42}}`, Credentials: "PLUSONE_ZENDESK_API_TOKEN",
		Check: func(ctx context.Context, url string) error {
			return zendesk.NewAPI(url, "ops@example.com", "token", option.WithRetries(0)).Check(ctx)
		},
	})
}
