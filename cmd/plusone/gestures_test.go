package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

const gesturePolicy = `currency: USD
timezone: UTC
gestures:
  - id: free_express_shipping
    title: Free express shipping on the next order
    kind: shipping
    value: 15
  - id: loyalty_discount
    title: 10 dollars off the next order
    kind: discount
    value: 10
  - id: handwritten_note
    title: Handwritten thank-you note
    kind: note
    value: 4
roles:
  agent: {max_per_gesture: 25, budget: {amount: %s, per: day}}
customer_budget: {amount: 50, per: month}
approvals:
  channel: C0SUPERVISORS
  supervisors: [U0SUP]
`

// gestureApp starts the program with the gesture policy (agent budget as
// given) and n customers, each with an open ticket whose card is posted.
func gestureApp(t *testing.T, slack *fakeSlack, agentBudget string, n int, extra map[string]string) (*testApp, plusone.Store, []int64) {
	t.Helper()
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte(fmt.Sprintf(gesturePolicy, agentBudget)), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	env["PLUSONE_API_TOKEN"] = apiToken
	for k, v := range extra {
		env[k] = v
	}
	app := startApp(t, env)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			app.send(genericEvent(fmt.Sprintf(`{"id":"t%d","type":"ticket.created","customer":{"email":"g%d@example.com","name":"Guest %d"},
				"ticket":{"id":"G-%d","subject":"Question %d"}}`, i, i, i, i, i)))
		})
	}
	wg.Wait()
	eventually(t, 60*time.Second, "every card", func() bool { return len(slack.posts()) == n })
	store := inspectStore(t, app.dbPath)
	ids := make([]int64, n)
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		for i := range n {
			c, err := tx.Card(context.Background(), fmt.Sprint("generic:G-", i))
			if err != nil {
				return err
			}
			ids[i] = c.CustomerID
		}
		return nil
	}))
	return app, store, ids
}

// click sends a signed block_actions payload for an offer button.
func click(t *testing.T, app *testApp, slack *fakeSlack, user string, customer int64, i int, gesture, respond string) int {
	v := view.EncodeOffer(view.OfferValue{CustomerID: customer, Gesture: gesture, TicketKey: fmt.Sprint("generic:G-", i)})
	card := slack.posts()[fmt.Sprint("generic:G-", i)][0]
	status, _ := interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": user},
		"team": map[string]string{"id": "T0OURS"}, "trigger_id": "trig", "response_url": slack.srv.URL + "/response/" + respond,
		"container": map[string]string{"type": "message", "message_ts": card.TS, "channel_id": cardChannel},
		"channel":   map[string]string{"id": cardChannel}, "message": map[string]string{"ts": card.TS},
		"actions": []map[string]string{{"action_id": view.OfferActionID(gesture), "value": v, "block_id": "offers"}}})
	return status
}

func ledger(t *testing.T, app *testApp, query string) []map[string]any {
	t.Helper()
	status, out := apiCall(t, app, "GET", "/api/v1/ledger"+query, apiToken, "")
	if status != 200 {
		t.Fatalf("ledger: %d %v", status, out)
	}
	var entries []map[string]any
	for _, e := range out["entries"].([]any) {
		entries = append(entries, e.(map[string]any))
	}
	return entries
}

// 200 concurrent signed clicks by one agent on 200 customers' cards, with
// an agent budget for exactly 6 grants: exactly 6 granted, the rest sent
// for approval, the budget not overspent; the same click 5 times at once:
// one entry; the budgets and ledger APIs agree with the ledger.
func TestConcurrentClicksNeverOverspend(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app, _, ids := gestureApp(t, slack, "90", 200, nil)
	card := slack.posts()["generic:G-0"][0]
	if !strings.Contains(card.Blocks, "offer_gesture:free_express_shipping") {
		t.Fatalf("the card suggests no gesture: %s", card.Blocks)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if status := click(t, app, slack, "U0ANA", ids[i], i, "free_express_shipping", fmt.Sprint("ana-", i)); status != 200 {
				t.Errorf("click %d: %d", i, status)
			}
		})
	}
	for range 5 {
		wg.Go(func() { click(t, app, slack, "U0BEN", ids[7], 7, "handwritten_note", "ben") })
	}
	wg.Wait()
	eventually(t, 60*time.Second, "200 decisions", func() bool { return len(ledger(t, app, "?agent=U0ANA")) == 200 })
	count := map[string]int{}
	var charged float64
	for _, e := range ledger(t, app, "?agent=U0ANA") {
		count[e["status"].(string)]++
		charged += e["charge"].(float64)
	}
	if count["granted"] != 6 || count["pending_approval"] != 194 || charged != 90 {
		t.Errorf("outcomes %v, charged %v; want 6 granted, 194 pending, 90 charged", count, charged)
	}
	// Every one of the five deliveries is answered; then count.
	eventually(t, 30*time.Second, "answers to the five clicks", func() bool { return len(slack.callsTo("response/ben")) == 5 })
	if ben := ledger(t, app, "?agent=U0BEN"); len(ben) != 1 {
		t.Errorf("the same click 5 times gave %d entries", len(ben))
	}
	_, budgets := apiCall(t, app, "GET", "/api/v1/budgets", apiToken, "")
	var ana map[string]any
	customers := 0
	for _, b := range budgets["budgets"].([]any) {
		b := b.(map[string]any)
		switch {
		case b["scope"] == "agent" && b["key"] == "U0ANA":
			ana = b
		case b["scope"] == "customer":
			customers++
			if b["spent"].(float64) > 50 {
				t.Errorf("customer budget overspent: %v", b)
			}
		}
	}
	if ana == nil || ana["spent"] != charged || ana["remaining"] != float64(0) || ana["amount"] != float64(90) {
		t.Errorf("budgets API for U0ANA = %v, ledger charged %v", ana, charged)
	}
	if customers != 201 && customers != 200 {
		t.Errorf("%d customer budgets listed", customers)
	}
	// Every request for approval reached the supervisors' channel.
	eventually(t, 60*time.Second, "194 approval requests", func() bool {
		n := 0
		for _, c := range slack.allCalls() {
			if c.Method == "chat.postMessage" && c.Channel == "C0SUPERVISORS" && c.Status == 200 {
				n++
			}
		}
		return n == 194
	})
	// The agent heard the outcome privately for each click.
	if got := len(slack.callsTo("response/ana-0")); got != 1 {
		t.Errorf("clicker answered %d times", got)
	}
}

// The approval flow through HTTP: the request reaches the approvals
// channel, an agent's approval is refused and audited, a supervisor's
// grants and charges, the agent learns it in the card's thread.
func TestApprovalFlow(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app, store, ids := gestureApp(t, slack, "10", 1, nil)
	click(t, app, slack, "U0ANA", ids[0], 0, "free_express_shipping", "ask")
	var request map[string]any
	eventually(t, 30*time.Second, "the request", func() bool {
		entries := ledger(t, app, "?agent=U0ANA")
		if len(entries) == 1 {
			request = entries[0]
		}
		return request != nil
	})
	if request["status"] != "pending_approval" || !strings.Contains(request["reason"].(string), "budget") {
		t.Fatalf("request = %v", request)
	}
	requestID := fmt.Sprint(int64(request["request_id"].(float64)))
	var approval slackCall
	eventually(t, 30*time.Second, "the approval request in the approvals channel", func() bool {
		for _, c := range slack.callsTo("chat.postMessage") {
			if c.Channel == "C0SUPERVISORS" {
				approval = c
				return true
			}
		}
		return false
	})
	for _, want := range []string{"Guest 0", "Free express shipping", "approve_gesture", "decline_gesture", "U0ANA", "$15"} {
		if !strings.Contains(approval.Blocks+approval.Text, want) {
			t.Errorf("approval request lacks %q: %s", want, approval.Blocks)
		}
	}
	// What stands in the way is listed once, as the ledger says it.
	if n := strings.Count(approval.Blocks, "agent budget"); n != 1 {
		t.Errorf("the approval request names the agent budget %d times: %s", n, approval.Blocks)
	}
	decide := func(user, action, respond string) {
		status, _ := interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": user},
			"team": map[string]string{"id": "T0OURS"}, "response_url": slack.srv.URL + "/response/" + respond,
			"channel": map[string]string{"id": "C0SUPERVISORS"}, "message": map[string]string{"ts": approval.TS},
			"actions": []map[string]string{{"action_id": action, "value": requestID, "block_id": "decide"}}})
		if status != 200 {
			t.Fatalf("%s by %s: %d", action, user, status)
		}
	}
	decide("U0ANA", view.ActionApproveGesture, "not-sup")
	eventually(t, 30*time.Second, "the refusal", func() bool { return len(slack.callsTo("response/not-sup")) == 1 })
	if r := slack.callsTo("response/not-sup")[0].Body; !strings.Contains(r, "supervisor") {
		t.Errorf("refusal: %s", r)
	}
	if e := ledger(t, app, "?agent=U0ANA"); len(e) != 1 {
		t.Fatalf("a non-supervisor's click changed the ledger: %v", e)
	}
	decide("U0SUP", view.ActionApproveGesture, "sup")
	eventually(t, 30*time.Second, "the approval", func() bool { return len(ledger(t, app, "?agent=U0ANA")) == 2 })
	approved := ledger(t, app, "?agent=U0ANA")[0]
	if approved["status"] != "approved" || approved["by"] != "U0SUP" || approved["charge"] != float64(15) {
		t.Errorf("approval entry = %v", approved)
	}
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		log, err := tx.AuditLog(context.Background(), 10)
		if err != nil {
			return err
		}
		var refused, done bool
		for _, a := range log {
			refused = refused || (a.Actor == "U0ANA" && a.Outcome == "refused: not a supervisor")
			done = done || (a.Actor == "U0SUP" && a.Outcome == "approved")
		}
		if !refused || !done {
			t.Errorf("audit = %+v", log)
		}
		return nil
	}))
	card := slack.posts()["generic:G-0"][0]
	eventually(t, 30*time.Second, "the agent told in the card's thread", func() bool {
		for _, c := range slack.callsTo("chat.postMessage") {
			if c.Channel == cardChannel && c.TS != card.TS && strings.Contains(c.Text+c.Blocks, "approved") {
				return true
			}
		}
		return false
	})
	eventually(t, 30*time.Second, "the approval request replaced by its outcome", func() bool {
		for _, c := range slack.callsTo("chat.update") {
			if c.Channel == "C0SUPERVISORS" && c.TS == approval.TS && !strings.Contains(c.Blocks, "approve_gesture") {
				return true
			}
		}
		return false
	})
	eventually(t, 30*time.Second, "the card to show the outcome", func() bool {
		m, _ := slack.message("generic:G-0")
		return strings.Contains(m.Blocks, "U0SUP") && strings.Contains(m.Blocks, "Free express shipping")
	})
}
