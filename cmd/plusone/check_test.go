package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check --live reaches what the configuration names: a routed channel the
// bot is not in, a database that does not answer and a vendor that refuses
// the credentials each fail on a line of their own that says what to do,
// and the exit status is 1.
func TestCheckLive(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	slack.setScript(func(c *slackCall, _ int) (int, string, http.Header, bool) {
		switch c.Method {
		case "auth.test":
			return 200, `{"ok":true,"url":"https://acme.slack.com/","team":"Acme","user":"plusone","team_id":"T1","user_id":"U0BOT"}`, nil, true
		case "conversations.info":
			switch c.Channel {
			case cardChannel:
				return 200, `{"ok":true,"channel":{"id":"C0CARDS","name":"cards","is_member":true}}`, nil, true
			case "C0VIP":
				return 200, `{"ok":true,"channel":{"id":"C0VIP","name":"vip","is_member":false}}`, nil, true
			}
			return 200, `{"ok":false,"error":"channel_not_found"}`, nil, true
		}
		return 0, "", nil, false
	})
	zendeskAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"Couldn't authenticate you"}`)
	}))
	t.Cleanup(zendeskAPI.Close)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte("currency: USD\nrouting:\n  - {when: {tier: advocate}, channel: C0VIP}\n"+
		"approvals: {channel: C0CARDS, supervisors: [U0SUPER01]}\ncustomer_channels: {C0GONE: acme.example}\n"), 0o600))
	env := baseEnv(t, slack)
	env["PLUSONE_POLICY_FILE"] = policy
	env["PLUSONE_DATABASE_URL"] = "postgres://plusone@127.0.0.1:1/test?connect_timeout=2"
	env["PLUSONE_ZENDESK_URL"] = zendeskAPI.URL
	env["PLUSONE_ZENDESK_EMAIL"] = "ops@example.com"
	env["PLUSONE_ZENDESK_API_TOKEN"] = "wrong-token"

	var out, errOut syncBuffer
	err := run(context.Background(), []string{"plusone", "check", "--live"}, func(k string) string { return env[k] }, &out, &errOut)
	if exitCode(err) != 1 {
		t.Fatalf("check --live: %v (exit %d), want exit 1\n%s", err, exitCode(err), out.String())
	}
	t.Logf("check --live:\n%s", out.String())
	lines := strings.Split(out.String(), "\n")
	for _, want := range []struct{ prefix, says string }{
		{"  FAIL  store:", "PLUSONE_DATABASE_URL"},
		{"  FAIL  slack channel C0VIP:", "the bot is not in #vip (C0VIP): /invite @plusone there"},
		{"  FAIL  zendesk API:", "check PLUSONE_ZENDESK_EMAIL and PLUSONE_ZENDESK_API_TOKEN"},
		{"  FAIL  slack channel C0GONE:", "channel C0GONE not found: check its ID in the environment or the policy, or, if it is private, /invite @plusone there"},
		{"  ok    slack auth.test:", "@plusone in Acme"},
		{"  ok    slack channel C0CARDS:", "#cards"},
		{"  skip  LLM:", "not configured"},
	} {
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, want.prefix) {
				n++
				if !strings.Contains(l, want.says) {
					t.Errorf("%q says %q, want %q", want.prefix, l, want.says)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d lines start %q, want one:\n%s", n, want.prefix, out.String())
		}
	}
	_, live, _ := strings.Cut(out.String(), "plusone check --live:\n")
	for _, l := range strings.Split(strings.TrimSuffix(live, "\n"), "\n") {
		if !strings.HasPrefix(l, "  ok    ") && !strings.HasPrefix(l, "  FAIL  ") && !strings.HasPrefix(l, "  skip  ") {
			t.Errorf("line %q is not a check's line of its own", l)
		}
	}
	if strings.Contains(out.String(), "wrong-token") {
		t.Errorf("the output shows a credential:\n%s", out.String())
	}
	if got := strings.Count(out.String(), "FAIL"); got != 4 {
		t.Errorf("%d failures, want 4:\n%s", got, out.String())
	}
}

// With everything reachable check --live passes: SQLite, Slack with the bot
// in its channel, no vendor API and no model configured (skipped).
func TestCheckLiveOK(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	slack.setScript(func(c *slackCall, _ int) (int, string, http.Header, bool) {
		switch c.Method {
		case "auth.test":
			return 200, `{"ok":true,"team":"Acme","user":"plusone","user_id":"U0BOT"}`, nil, true
		case "conversations.info":
			return 200, `{"ok":true,"channel":{"id":"C0CARDS","name":"cards","is_member":true}}`, nil, true
		}
		return 0, "", nil, false
	})
	env := baseEnv(t, slack)
	var out syncBuffer
	if err := run(context.Background(), []string{"plusone", "check", "--live"}, func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("check --live: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "  ok    store: sqlite, migrated, a write succeeded") {
		t.Errorf("output:\n%s", out.String())
	}
}

// check without webhook sources is ok with a warning that says so; with
// one it has no warning.
func TestCheckWarnsWithoutWebhookSource(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	if err := run(context.Background(), []string{"plusone", "check"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("check: %v", err)
	}
	if !strings.Contains(out.String(), "plusone check: ok, 1 warning(s)") ||
		!strings.Contains(out.String(), "warning: no webhook source configured") {
		t.Errorf("check without a webhook source:\n%s", out.String())
	}
	out = syncBuffer{}
	env := map[string]string{"PLUSONE_GENERIC_WEBHOOK_SECRET": "s"}
	if err := run(context.Background(), []string{"plusone", "check"}, func(k string) string { return env[k] }, &out, &out); err != nil {
		t.Fatalf("check: %v", err)
	}
	if strings.Contains(out.String(), "warning") {
		t.Errorf("check with a webhook source warns:\n%s", out.String())
	}
}

// A bare plusone prints the usage on stderr and exits 2, without serving
// or creating ./plusone.db; an unknown flag of check is a usage error too.
func TestNoCommandIsUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"PLUSONE_DATABASE_URL": "sqlite:" + filepath.Join(dir, "plusone.db"), "PLUSONE_ADDR": "127.0.0.1:0"}
	var out, errOut syncBuffer
	err := run(context.Background(), []string{"plusone"}, func(k string) string { return env[k] }, &out, &errOut)
	if exitCode(err) != 2 {
		t.Errorf("bare plusone: %v, want exit 2", err)
	}
	if !strings.Contains(errOut.String(), "Usage:") || out.String() != "" {
		t.Errorf("bare plusone wrote stdout %q, stderr %q; want the usage on stderr", out.String(), errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "plusone.db")); !os.IsNotExist(err) {
		t.Errorf("bare plusone created the database (%v)", err)
	}
	if err := run(context.Background(), []string{"plusone", "check", "--frobnicate"}, func(string) string { return "" }, &out, &errOut); exitCode(err) != 2 {
		t.Errorf("check --frobnicate: %v, want exit 2", err)
	}
}

// healthcheck answers for the server at PLUSONE_ADDR: 0 while it is
// ready, 1 once it is gone.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	env := baseEnv(t, nil)
	a := startApp(t, env)
	addr := strings.TrimPrefix(a.base, "http://")
	_, port, _ := strings.Cut(addr, ":")
	var out syncBuffer
	// As in the container: PLUSONE_ADDR=:PORT, all interfaces.
	if err := run(context.Background(), []string{"plusone", "healthcheck"}, func(k string) string {
		return map[string]string{"PLUSONE_ADDR": ":" + port}[k]
	}, &out, &out); err != nil {
		t.Fatalf("healthcheck of a running server: %v", err)
	}
	a.stop()
	err := run(context.Background(), []string{"plusone", "healthcheck"}, func(k string) string {
		return map[string]string{"PLUSONE_ADDR": addr}[k]
	}, &out, &out)
	if exitCode(err) != 1 {
		t.Errorf("healthcheck of a stopped server: %v, want exit 1", err)
	}
}
