package intercom

import (
	"log/slog"
	"regexp"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/option"
)

// Describe describes Intercom to the packages that range over sources: the
// shapes of its links, its environment variables and how to build its
// integration from them.
func Describe() plusone.SourceInfo {
	return plusone.SourceInfo{
		Source: plusone.SourceIntercom,
		Links: []plusone.LinkPattern{
			{Pattern: regexp.MustCompile(`intercom\.com/.*/conversations?/(\d+)`), Domain: "intercom.com"},
		},
		Env: plusone.SourceEnv{
			WebhookSecret:  "PLUSONE_INTERCOM_WEBHOOK_SECRET",
			APIURL:         "PLUSONE_INTERCOM_URL",
			APICredentials: []string{"PLUSONE_INTERCOM_ACCESS_TOKEN"},
		},
		New: func(env func(string) string, _ *slog.Logger) plusone.Integration {
			return New(env("PLUSONE_INTERCOM_WEBHOOK_SECRET"))
		},
		// The URL has a default (the US region): the token alone
		// configures the API.
		NewAPI: func(env func(string) string, log *slog.Logger, calls plusone.APICalls) plusone.History {
			token := env("PLUSONE_INTERCOM_ACCESS_TOKEN")
			if token == "" {
				return nil
			}
			return NewAPI(env("PLUSONE_INTERCOM_URL"), token, option.WithLogger(log), option.WithCalls(calls))
		},
	}
}
