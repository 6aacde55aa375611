package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("chat.postMessage C1: %w", err) }
	slackErr := func(code string) error { return wrap(slack.SlackErrorResponse{Err: code}) }
	tests := []struct {
		name string
		err  error
		kind string
	}{
		{"nil", nil, ""},
		{"rate limited", wrap(&slack.RateLimitedError{RetryAfter: 7 * time.Second}), "rate_limited"},
		{"502", wrap(slack.StatusCodeError{Code: 502, Status: "502 Bad Gateway"}), "transient"},
		{"408", wrap(slack.StatusCodeError{Code: 408}), "transient"},
		{"400", wrap(slack.StatusCodeError{Code: 400}), "permanent"},
		{"refused", wrap(&url.Error{Op: "Post", URL: "http://x/", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}), "transient"},
		{"deadline", wrap(context.DeadlineExceeded), "transient"},
		{"canceled", wrap(context.Canceled), "transient"},
		{"truncated body", wrap(io.ErrUnexpectedEOF), "transient"},
		{"limit", wrap(&view.LimitError{Path: "blocks", Limit: "blocks per message", Got: 51, Max: 50}), "permanent"},
		{"unknown", errors.New("something odd"), "permanent"},
	}
	for _, code := range []string{"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"} {
		tests = append(tests, struct {
			name string
			err  error
			kind string
		}{code, slackErr(code), "transient"})
	}
	for _, code := range []string{"channel_not_found", "invalid_auth", "not_in_channel", "is_archived", "msg_too_long",
		"invalid_blocks", "account_inactive", "token_revoked", "missing_scope", "message_not_found"} {
		tests = append(tests, struct {
			name string
			err  error
			kind string
		}{code, slackErr(code), "permanent"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := Classify(tt.err)
			if got := kindOf(f); got != tt.kind {
				t.Errorf("Classify(%v) is %q (%+v), want %q", tt.err, got, f, tt.kind)
			}
			if f.RetryAfter > 0 && f.Permanent {
				t.Errorf("Classify(%v) both rate limited and permanent", tt.err)
			}
			if tt.err != nil && f.Reason == "" {
				t.Error("no reason")
			}
		})
	}
	if got := Classify(&slack.RateLimitedError{RetryAfter: 0}); got.RetryAfter != time.Second {
		t.Errorf("Retry-After 0 gave RetryAfter %v, want the 1s minimum", got.RetryAfter)
	}
}

// kindOf names how f is to be treated: "" for no failure.
func kindOf(f plusone.Failure) string {
	switch {
	case f.RetryAfter > 0:
		return "rate_limited"
	case f.Permanent:
		return "permanent"
	case f.Reason != "":
		return "transient"
	}
	return ""
}
