package freshdesk

import (
	"log/slog"
	"regexp"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/option"
)

// Describe describes Freshdesk to the packages that range over sources: the
// shapes of its links, its environment variables and how to build its
// integration from them.
func Describe() plusone.SourceInfo {
	return plusone.SourceInfo{
		Source: plusone.SourceFreshdesk,
		Links: []plusone.LinkPattern{
			{Pattern: regexp.MustCompile(`\.freshdesk\.com/(?:a/tickets|helpdesk/tickets)/(\d+)`), Domain: "freshdesk.com",
				Path: regexp.MustCompile(`^/(?:a/tickets|helpdesk/tickets)/(\d+)`)},
		},
		Env: plusone.SourceEnv{
			WebhookSecret:  "PLUSONE_FRESHDESK_WEBHOOK_SECRET",
			APIURL:         "PLUSONE_FRESHDESK_URL",
			APICredentials: []string{"PLUSONE_FRESHDESK_API_KEY"},
		},
		New: func(env func(string) string, _ *slog.Logger) plusone.Integration {
			return New(env("PLUSONE_FRESHDESK_WEBHOOK_SECRET"))
		},
		NewAPI: func(env func(string) string, log *slog.Logger, calls plusone.APICalls) plusone.History {
			url, key := env("PLUSONE_FRESHDESK_URL"), env("PLUSONE_FRESHDESK_API_KEY")
			if url == "" || key == "" {
				return nil
			}
			return NewAPI(url, key, option.WithLogger(log), option.WithCalls(calls))
		},
	}
}
