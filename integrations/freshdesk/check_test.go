package freshdesk_test

import (
	"context"
	"testing"

	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

// Check makes one authenticated read: it passes when the API answers it,
// and after a 401 names the credentials to check.
func TestCheck(t *testing.T) {
	t.Parallel()
	historytest.RunCheck(t, historytest.CheckCase{
		Path: "/api/v2/agents/me", Answer: `{"id":1}`, Credentials: "PLUSONE_FRESHDESK_API_KEY",
		Check: func(ctx context.Context, url string) error {
			return freshdesk.NewAPI(url, "key", option.WithRetries(0)).Check(ctx)
		},
	})
}
