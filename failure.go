package plusone

import "time"

// Failure says how to treat an error from Slack (bot.Classify): what the
// card and notice sender does about a failed call.
type Failure struct {
	// RetryAfter > 0: Slack answered 429; send nothing before it passed.
	RetryAfter time.Duration
	// Permanent errors (channel_not_found, invalid_auth, not_in_channel…)
	// cannot succeed by retrying the same call.
	Permanent bool
	// Reason is short and safe to log or store: "channel_not_found",
	// "http 503", "network".
	Reason string
}
