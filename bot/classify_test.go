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

	"github.com/plusone-hq/plusone/bot/view"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("chat.postMessage C1: %w", err) }
	slackErr := func(code string) error { return wrap(slack.SlackErrorResponse{Err: code}) }
	tests := []struct {
		name string
		err  error
		kind FailureKind
	}{
		{"nil", nil, ""},
		{"rate limited", wrap(&slack.RateLimitedError{RetryAfter: 7 * time.Second}), RateLimited},
		{"502", wrap(slack.StatusCodeError{Code: 502, Status: "502 Bad Gateway"}), Transient},
		{"408", wrap(slack.StatusCodeError{Code: 408}), Transient},
		{"400", wrap(slack.StatusCodeError{Code: 400}), Permanent},
		{"refused", wrap(&url.Error{Op: "Post", URL: "http://x/", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}), Transient},
		{"deadline", wrap(context.DeadlineExceeded), Transient},
		{"canceled", wrap(context.Canceled), Transient},
		{"truncated body", wrap(io.ErrUnexpectedEOF), Transient},
		{"limit", wrap(&view.LimitError{Path: "blocks", Limit: "blocks per message", Got: 51, Max: 50}), Permanent},
		{"unknown", errors.New("something odd"), Permanent},
	}
	for _, code := range []string{"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"} {
		tests = append(tests, struct {
			name string
			err  error
			kind FailureKind
		}{code, slackErr(code), Transient})
	}
	for _, code := range []string{"channel_not_found", "invalid_auth", "not_in_channel", "is_archived", "msg_too_long",
		"invalid_blocks", "account_inactive", "token_revoked", "missing_scope", "message_not_found"} {
		tests = append(tests, struct {
			name string
			err  error
			kind FailureKind
		}{code, slackErr(code), Permanent})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := Classify(tt.err)
			if f.Kind != tt.kind {
				t.Errorf("Classify(%v).Kind = %q, want %q", tt.err, f.Kind, tt.kind)
			}
			if (f.Kind == RateLimited) != (f.RetryAfter > 0) {
				t.Errorf("RetryAfter = %v for %q", f.RetryAfter, f.Kind)
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
