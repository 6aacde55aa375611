package shopify

import (
	"log/slog"
	"regexp"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/option"
)

// Describe describes Shopify to the packages that range over sources: the
// shapes of its links, its environment variables and how to build its
// integration from them.
func Describe() plusone.SourceInfo {
	return plusone.SourceInfo{
		Source: plusone.SourceShopify,
		Links: []plusone.LinkPattern{
			// The admin as it is now, admin.shopify.com/store/<shop>/orders/<id>,
			// and as it was, <shop>.myshopify.com/admin/orders/<id>.
			{Pattern: regexp.MustCompile(`^admin\.shopify\.com/store/[^/]+/orders/(\d+)`), Order: true, Domain: "shopify.com"},
			{Pattern: regexp.MustCompile(`/admin/orders/(\d+)`), Order: true, Domain: "myshopify.com"},
		},
		Env: plusone.SourceEnv{
			WebhookSecret:  "PLUSONE_SHOPIFY_WEBHOOK_SECRET",
			APIURL:         "PLUSONE_SHOPIFY_URL",
			APICredentials: []string{"PLUSONE_SHOPIFY_ACCESS_TOKEN"},
		},
		New: func(env func(string) string, _ *slog.Logger) plusone.Integration {
			return New(env("PLUSONE_SHOPIFY_WEBHOOK_SECRET"))
		},
		NewAPI: func(env func(string) string, log *slog.Logger, calls plusone.APICalls) plusone.History {
			url, token := env("PLUSONE_SHOPIFY_URL"), env("PLUSONE_SHOPIFY_ACCESS_TOKEN")
			if url == "" || token == "" {
				return nil
			}
			return NewAPI(url, token, option.WithLogger(log), option.WithCalls(calls))
		},
	}
}
