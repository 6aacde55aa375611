package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Every series whose labels are known is there, at zero, from the first
// scrape: before any event, decision or model call.
func TestMetricsPresentFromTheStart(t *testing.T) {
	t.Parallel()
	app := startApp(t, baseEnv(t, nil))
	m := app.metrics()
	for _, want := range []string{
		`plusone_build_info{goversion="go`,
		`plusone_events_total{outcome="accepted",source="generic"} 0`,
		`plusone_events_total{outcome="duplicate",source="shopify"} 0`,
		`plusone_events_processed_total{outcome="processed",source="zendesk"} 0`,
		`plusone_events_processed_total{outcome="parked",source="generic"} 0`,
		`plusone_webhook_rejects_total{reason="unauthorized",source="shopify"} 0`,
		`plusone_gestures_total{outcome="granted"} 0`,
		`plusone_gestures_total{outcome="pending_approval"} 0`,
		`plusone_gestures_total{outcome="refused"} 0`,
		`plusone_gestures_total{outcome="expired"} 0`,
		`plusone_spend_total{scope="agent"} 0`,
		`plusone_spend_total{scope="team"} 0`,
		`plusone_llm_calls_total{outcome="failed"} 0`,
		`plusone_llm_failures_total{reason="refusal"} 0`,
		`plusone_llm_skipped_total{reason="budget"} 0`,
		`plusone_llm_guard_drops_total{failure="mention",what="reply"} 0`,
		`plusone_queue_depth{queue="llm.card"} 0`,
		`plusone_llm_tokens_total{kind="prompt"} 0`,
		`plusone_llm_seconds_count 0`,
		`plusone_pending_approvals 0`,
		`plusone_queue_depth{queue="approvals"} 0`,
		`plusone_queue_oldest_seconds{queue="events"} 0`,
		`plusone_queue_depth{queue="backfill"} 0`,
		`plusone_queue_oldest_seconds{queue="writeback"} 0`,
		`plusone_queue_depth{queue="slack.message"} 0`,
		`plusone_queue_depth{queue="retention"} 0`,
		`plusone_queue_oldest_seconds{queue="shop_redact"} 0`,
		`plusone_slack_deliveries_total{method="chat.update",outcome="rate_limited"} 0`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics at start lack %s", want)
		}
	}
}

// After a scripted run through the real program (three tickets, two
// grants within the agent's budget of 30 and one offer over it), the new
// series say what happened, and each event is counted once by intake and
// once by processing, under two names.
func TestMetricsAfterAScriptedRun(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app, store, ids := gestureApp(t, slack, "30", 3, nil)
	settled(t, store)
	for i, g := range []string{"free_express_shipping", "loyalty_discount", "free_express_shipping"} {
		if status := click(t, app, slack, "U0ANA", ids[i], i, g, "r"); status != 200 {
			t.Fatalf("click %d: %d", i, status)
		}
		// A click is decided after Slack has its answer; the next one waits
		// for it, so the decisions come in this order (15, 10, then 15 over
		// the budget of 30) and not in the order the workers happen to run.
		eventually(t, 30*time.Second, fmt.Sprintf("decision %d", i), func() bool {
			return len(ledger(t, app, "?agent=U0ANA")) == i+1
		})
	}
	// The counters move just after each decision's commit, so the ledger
	// showing three entries is not enough: wait for the counters.
	eventually(t, 30*time.Second, "three decisions counted", func() bool {
		m := app.metrics()
		return len(ledger(t, app, "?agent=U0ANA")) == 3 &&
			strings.Contains(m, `plusone_gestures_total{outcome="granted"} 2`) &&
			strings.Contains(m, `plusone_gestures_total{outcome="pending_approval"} 1`)
	})
	m := app.metrics()
	for _, want := range []string{
		`plusone_build_info{goversion="go`,
		`plusone_events_total{outcome="accepted",source="generic"} 3`,
		`plusone_events_total{outcome="duplicate",source="generic"} 0`,
		`plusone_events_processed_total{outcome="processed",source="generic"} 3`,
		`plusone_gestures_total{outcome="granted"} 2`,
		`plusone_gestures_total{outcome="pending_approval"} 1`,
		`plusone_gestures_total{outcome="refused"} 0`,
		`plusone_spend_total{scope="agent"} 25`,
		`plusone_spend_total{scope="customer"} 25`,
		`plusone_spend_total{scope="team"} 0`,
		`plusone_pending_approvals 1`,
		`plusone_queue_depth{queue="approvals"} 1`,
		`plusone_queue_depth{queue="events"} 0`,
		`plusone_queue_oldest_seconds{queue="events"} 0`,
		`plusone_llm_calls_total{outcome="ok"} 0`,
	} {
		if !strings.Contains(m, want) {
			name, _, _ := strings.Cut(want, "{")
			t.Errorf("metrics lack %s; they hold:\n%s", want, grepLines(m, name))
		}
	}
	// The approval has waited some time since it was asked: a positive age.
	if !regexp.MustCompile(`(?m)^plusone_queue_oldest_seconds\{queue="approvals"\} [0-9.e+-]+$`).MatchString(m) ||
		strings.Contains(m, `plusone_queue_oldest_seconds{queue="approvals"} 0`+"\n") {
		t.Errorf("the pending approval's age is missing or zero:\n%s", grepLines(m, "plusone_queue_oldest_seconds"))
	}
	// The info log follows what happened, with ids and no personal data.
	logs := app.logs.String()
	for _, want := range []string{`"msg":"card posted"`, `"msg":"gesture decided"`, `"status":"pending_approval"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("info log lacks %s", want)
		}
	}
	for _, personal := range []string{"g0@example.com", "Guest 0", "Question 0"} {
		if strings.Contains(logs, personal) {
			t.Errorf("info log holds personal data %q", personal)
		}
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
