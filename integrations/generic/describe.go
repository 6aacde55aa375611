package generic

import (
	"log/slog"

	"github.com/plusone-hq/plusone"
)

// Describe describes the generic source to the packages that range over
// sources: its environment variable and how to build its integration. Its
// links are the sender's own, of no shape plusone knows.
func Describe() plusone.SourceInfo {
	return plusone.SourceInfo{
		Source: plusone.SourceGeneric,
		Env:    plusone.SourceEnv{WebhookSecret: "PLUSONE_GENERIC_WEBHOOK_SECRET"},
		New: func(env func(string) string, _ *slog.Logger) plusone.Integration {
			return New(env("PLUSONE_GENERIC_WEBHOOK_SECRET"))
		},
	}
}
