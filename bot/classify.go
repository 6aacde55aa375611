package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone/bot/view"
)

// FailureKind says how a caller should treat a failed Slack call.
type FailureKind string

// Failure kinds.
const (
	// RateLimited: Slack answered 429; send nothing more before RetryAfter.
	RateLimited FailureKind = "rate_limited"
	// Transient: Slack or the network failed; retry with backoff.
	Transient FailureKind = "transient"
	// Permanent: retrying the same call cannot succeed (bad channel, token,
	// scope or message); wait for something to change.
	Permanent FailureKind = "permanent"
)

// minRetryAfter is the least wait after a 429, also when Slack gives none;
// slack-go's own retry uses the same minimum.
const minRetryAfter = time.Second

// Failure is the classification of an error from Client.
type Failure struct {
	Kind FailureKind
	// RetryAfter is set, at least one second, when Kind is RateLimited.
	RetryAfter time.Duration
	// Reason is short and safe to log or store: "channel_not_found",
	// "http 503", "network".
	Reason string
}

// Classify tells a caller what to do about err from a Client call: wait for
// a rate limit, retry a transient failure, or give up on a permanent one.
// Classify(nil) is the zero Failure.
func Classify(err error) Failure {
	if err == nil {
		return Failure{}
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return Failure{Kind: RateLimited, RetryAfter: max(rl.RetryAfter, minRetryAfter), Reason: "ratelimited"}
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		reason := fmt.Sprintf("http %d", sc.Code)
		switch {
		case sc.Code == http.StatusTooManyRequests: // without a Retry-After header
			return Failure{Kind: RateLimited, RetryAfter: minRetryAfter, Reason: reason}
		case sc.Code >= 500, sc.Code == http.StatusRequestTimeout:
			return Failure{Kind: Transient, Reason: reason}
		}
		return Failure{Kind: Permanent, Reason: reason}
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		reason := se.Err
		if se.Needed != "" {
			reason += " (needed: " + se.Needed + ")"
		}
		if transientSlackError(se.Err) {
			return Failure{Kind: Transient, Reason: reason}
		}
		return Failure{Kind: Permanent, Reason: reason}
	}
	if _, ok := errors.AsType[*view.LimitError](err); ok {
		return Failure{Kind: Permanent, Reason: "message breaks a Slack limit"}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return Failure{Kind: Transient, Reason: "timeout"}
	case errors.Is(err, context.Canceled):
		return Failure{Kind: Transient, Reason: "canceled"}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return Failure{Kind: Transient, Reason: "connection closed"}
	}
	// *url.Error (every failure of http.Client.Do: refused, reset, DNS,
	// TLS, timeouts) and *net.OpError are net.Errors.
	if _, ok := errors.AsType[net.Error](err); ok {
		return Failure{Kind: Transient, Reason: "network"}
	}
	return Failure{Kind: Permanent, Reason: "unexpected error"}
}

// transientSlackError reports whether an ok:false error code from Slack
// means "try again later" rather than "this call is wrong".
// https://docs.slack.dev/reference/methods/chat.postMessage#errors
func transientSlackError(code string) bool {
	switch code {
	case "internal_error", "fatal_error", "service_unavailable", "request_timeout",
		"ratelimited", "rate_limited", "team_added_to_org":
		return true
	}
	return false
}
