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

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// minRetryAfter is the least wait after a 429, also when Slack gives none;
// slack-go's own retry uses the same minimum.
const minRetryAfter = time.Second

// Classify tells a caller what to do about err from a Client call: wait for
// a rate limit, retry a transient failure, or give up on a permanent one.
// Classify(nil) is the zero Failure; a rate limit has RetryAfter of at
// least one second, a transient failure neither RetryAfter nor Permanent.
func Classify(err error) plusone.Failure {
	if err == nil {
		return plusone.Failure{}
	}
	if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok {
		return plusone.Failure{RetryAfter: max(rl.RetryAfter, minRetryAfter), Reason: "ratelimited"}
	}
	if sc, ok := errors.AsType[slack.StatusCodeError](err); ok {
		reason := fmt.Sprintf("http %d", sc.Code)
		switch {
		case sc.Code == http.StatusTooManyRequests: // without a Retry-After header
			return plusone.Failure{RetryAfter: minRetryAfter, Reason: reason}
		case sc.Code >= 500, sc.Code == http.StatusRequestTimeout:
			return plusone.Failure{Reason: reason}
		}
		return plusone.Failure{Permanent: true, Reason: reason}
	}
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		reason := se.Err
		if se.Needed != "" {
			reason += " (needed: " + se.Needed + ")"
		}
		if transientSlackError(se.Err) {
			return plusone.Failure{Reason: reason}
		}
		return plusone.Failure{Permanent: true, Reason: reason}
	}
	if _, ok := errors.AsType[*view.LimitError](err); ok {
		return plusone.Failure{Permanent: true, Reason: "message breaks a Slack limit"}
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return plusone.Failure{Reason: "timeout"}
	case errors.Is(err, context.Canceled):
		return plusone.Failure{Reason: "canceled"}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return plusone.Failure{Reason: "connection closed"}
	}
	// *url.Error (every failure of http.Client.Do: refused, reset, DNS,
	// TLS, timeouts) and *net.OpError are net.Errors.
	if _, ok := errors.AsType[net.Error](err); ok {
		return plusone.Failure{Reason: "network"}
	}
	return plusone.Failure{Permanent: true, Reason: "unexpected error"}
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
