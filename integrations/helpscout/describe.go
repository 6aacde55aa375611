package helpscout

import (
	"log/slog"
	"regexp"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/option"
)

// Describe describes Help Scout to the packages that range over sources: the
// shapes of its links, its environment variables and how to build its
// integration from them.
func Describe() plusone.SourceInfo {
	return plusone.SourceInfo{
		Source: plusone.SourceHelpScout,
		Links: []plusone.LinkPattern{
			{Pattern: regexp.MustCompile(`helpscout\.net/conversation/(\d+)`), Domain: "helpscout.net"},
		},
		Env: plusone.SourceEnv{
			WebhookSecret:  "PLUSONE_HELPSCOUT_WEBHOOK_SECRET",
			APIURL:         "PLUSONE_HELPSCOUT_URL",
			APICredentials: []string{"PLUSONE_HELPSCOUT_APP_ID", "PLUSONE_HELPSCOUT_APP_SECRET"},
		},
		New: func(env func(string) string, _ *slog.Logger) plusone.Integration {
			return New(env("PLUSONE_HELPSCOUT_WEBHOOK_SECRET"))
		},
		// The URL has a default (DefaultAPIURL): the app's id and secret
		// alone configure the API.
		NewAPI: func(env func(string) string, log *slog.Logger, calls plusone.APICalls) plusone.History {
			id, secret := env("PLUSONE_HELPSCOUT_APP_ID"), env("PLUSONE_HELPSCOUT_APP_SECRET")
			if id == "" || secret == "" {
				return nil
			}
			return NewAPI(env("PLUSONE_HELPSCOUT_URL"), id, secret, option.WithLogger(log), option.WithCalls(calls))
		},
	}
}
