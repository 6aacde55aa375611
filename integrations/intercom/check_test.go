package intercom_test

import (
	"context"
	"testing"

	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

// Check makes one authenticated read: it passes when the API answers it,
// and after a 401 names the credentials to check.
func TestCheck(t *testing.T) {
	t.Parallel()
	historytest.RunCheck(t, historytest.CheckCase{
		Path: "/me", Answer: `{"type":"admin","id":"1"}`, Credentials: "PLUSONE_INTERCOM_ACCESS_TOKEN",
		Check: func(ctx context.Context, url string) error {
			return intercom.NewAPI(url, "token", option.WithRetries(0)).Check(ctx)
		},
	})
}
