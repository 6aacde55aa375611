package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func ticketFor(i int) webhook {
	return genericEvent(fmt.Sprintf(`{"id":"t-%d","type":"ticket.created","customer":{"email":"c%d@example.com","name":"Customer %d"},
		"ticket":{"id":"T-%d","subject":"Question %d"}}`, i, i, i, i, i))
}

// Slack answers 429 with Retry-After for a while, then 500s, then recovers:
// every card arrives once, and no request is sent before Retry-After allows.
func TestSlackRateLimitsAndOutage(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	const limited, failing = 3, 3
	slack.setScript(func(c *slackCall, n int) (int, string, http.Header, bool) {
		switch {
		case n < limited:
			return 429, `{"ok":false,"error":"ratelimited"}`, http.Header{"Retry-After": {"1"}}, true
		case n < limited+failing:
			return 500, `{"ok":false,"error":"internal_error"}`, nil, true
		}
		return 0, "", nil, false
	})
	app := startApp(t, baseEnv(t, slack))
	const tickets = 4
	for i := range tickets {
		app.send(ticketFor(i))
	}
	store := inspectStore(t, app.dbPath)
	eventually(t, 30*time.Second, "every card", func() bool { return len(slack.posts()) == tickets })
	settled(t, store)

	posts := slack.posts()
	for i := range tickets {
		if n := len(posts[fmt.Sprintf("generic:T-%d", i)]); n != 1 {
			t.Errorf("ticket T-%d has %d cards", i, n)
		}
	}
	calls := slack.allCalls()
	var limitedSeen, failedSeen int
	for i, c := range calls {
		switch c.Status {
		case 429:
			limitedSeen++
			if i+1 < len(calls) {
				if next := calls[i+1]; next.At.Before(c.At.Add(time.Second)) {
					t.Errorf("call %d (%s) came %v after a 429 with Retry-After: 1", i+1, next.Method, next.At.Sub(c.At))
				}
			}
		case 500:
			failedSeen++
		}
	}
	if limitedSeen != limited || failedSeen != failing {
		t.Errorf("saw %d rate limits and %d failures, want %d and %d", limitedSeen, failedSeen, limited, failing)
	}
	m := app.metrics()
	for _, want := range []string{
		fmt.Sprintf(`plusone_slack_deliveries_total{method="chat.postMessage",outcome="rate_limited"} %d`, limited),
		fmt.Sprintf(`plusone_slack_deliveries_total{method="chat.postMessage",outcome="transient"} %d`, failing),
		fmt.Sprintf(`plusone_slack_deliveries_total{method="chat.postMessage",outcome="ok"} %d`, tickets),
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// A card Slack refuses for good (channel_not_found) is recorded, logged and
// counted, and the others are delivered all the same.
func TestPermanentSlackErrorsDoNotBlockOthers(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	slack.setScript(func(c *slackCall, n int) (int, string, http.Header, bool) {
		if c.Channel == "C0GONE" {
			return 200, `{"ok":false,"error":"channel_not_found"}`, nil, true
		}
		return 0, "", nil, false
	})
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte("routing:\n  - {when: {tag: lost}, channel: C0GONE}\n"), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	app := startApp(t, env)
	app.send(genericEvent(`{"id":"lost-1","type":"ticket.created","customer":{"email":"l@example.com"},"ticket":{"id":"L-1","subject":"Lost","tags":["lost"]}}`))
	for i := range 3 {
		app.send(ticketFor(i))
	}
	store := inspectStore(t, app.dbPath)
	eventually(t, 20*time.Second, "the deliverable cards", func() bool { return len(slack.posts()) == 3 })
	settled(t, store)
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		c, err := tx.Card(context.Background(), "generic:L-1")
		if err != nil {
			return err
		}
		if c.State != plusone.CardFailed || !strings.Contains(c.LastError, "channel_not_found") || c.Channel != "C0GONE" {
			t.Errorf("refused card = %+v", c)
		}
		return nil
	}))
	if _, failed, err := store.CardStats(context.Background()); err != nil || failed != 1 {
		t.Errorf("failed cards = %d (%v)", failed, err)
	}
	m := app.metrics()
	if !strings.Contains(m, `plusone_slack_deliveries_total{method="chat.postMessage",outcome="permanent"} 1`) ||
		!strings.Contains(m, `plusone_queue_depth{queue="cards_failed"} 1`) {
		t.Errorf("permanent failure not counted:\n%s", grep(m, "plusone_"))
	}
	if !strings.Contains(app.logs.String(), "channel_not_found") {
		t.Error("permanent failure not logged")
	}
}

func grep(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
