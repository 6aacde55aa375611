package helpscout

import (
	"log/slog"
	"regexp"

	"github.com/plusone-hq/plusone"
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
			WebhookSecret: "PLUSONE_HELPSCOUT_WEBHOOK_SECRET",
		},
		New: func(env func(string) string, _ *slog.Logger) plusone.Integration {
			return New(env("PLUSONE_HELPSCOUT_WEBHOOK_SECRET"))
		},
	}
}
