package shopify_test

import (
	"context"
	"testing"

	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

// Check makes one authenticated read: it passes when the API answers it,
// and after a 401 names the credentials to check.
func TestCheck(t *testing.T) {
	t.Parallel()
	historytest.RunCheck(t, historytest.CheckCase{
		Path: "graphql.json", Answer: `{"data":{"shop":{"name":"Tires Co"}}}`, Credentials: "PLUSONE_SHOPIFY_ACCESS_TOKEN",
		Check: func(ctx context.Context, url string) error {
			return shopify.NewAPI(url, "token", option.WithRetries(0)).Check(ctx)
		},
	})
}
