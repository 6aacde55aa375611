package zendesk

import (
	"log/slog"
	"regexp"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/option"
)

// Describe describes Zendesk to the packages that range over sources: the
// shapes of its links, its environment variables and how to build its
// integration from them.
func Describe() plusone.SourceInfo {
	return plusone.SourceInfo{
		Source: plusone.SourceZendesk,
		Links: []plusone.LinkPattern{
			{Pattern: regexp.MustCompile(`\.zendesk\.com/(?:agent/tickets|tickets|hc/[^/]+/requests)/(\d+)`), Domain: "zendesk.com",
				Path: regexp.MustCompile(`^/(?:agent/tickets|tickets|hc/[^/]+/requests)/(\d+)`)},
		},
		Env: plusone.SourceEnv{
			WebhookSecret:  "PLUSONE_ZENDESK_WEBHOOK_SECRET",
			APIURL:         "PLUSONE_ZENDESK_URL",
			APICredentials: []string{"PLUSONE_ZENDESK_EMAIL", "PLUSONE_ZENDESK_API_TOKEN"},
		},
		New: func(env func(string) string, log *slog.Logger) plusone.Integration {
			return New(env("PLUSONE_ZENDESK_WEBHOOK_SECRET"), WithBaseURL(env("PLUSONE_ZENDESK_URL")), WithLogger(log))
		},
		NewAPI: func(env func(string) string, log *slog.Logger, calls plusone.APICalls) plusone.History {
			url, email, token := env("PLUSONE_ZENDESK_URL"), env("PLUSONE_ZENDESK_EMAIL"), env("PLUSONE_ZENDESK_API_TOKEN")
			if url == "" || token == "" {
				return nil
			}
			return NewAPI(url, email, token, option.WithLogger(log), option.WithCalls(calls))
		},
	}
}
