package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/memory"
)

// janeJourney is one customer across every source of the spine: two
// Shopify orders, one order from another system, an abandoned cart, a
// Zendesk ticket opened through a trigger (email and requester id) and
// followed by an event-subscribed webhook that knows only the requester id.
func janeJourney() []webhook {
	return []webhook{
		shopifyEvent("orders/create", "se-1", `{"id":5001,"name":"#5001","email":"jane@example.com","created_at":"2026-09-01T10:00:00Z",
			"currency":"USD","total_price":"120.00","financial_status":"paid","fulfillment_status":"fulfilled",
			"customer":{"id":61,"email":"jane@example.com","first_name":"Jane","last_name":"Doe"},
			"line_items":[{"id":1,"title":"All-season tire","quantity":1,"price":"120.00"}]}`),
		shopifyEvent("orders/create", "se-2", `{"id":5002,"name":"#5002","email":"jane@example.com","created_at":"2026-10-01T10:00:00Z",
			"currency":"USD","total_price":"100.00","financial_status":"paid","fulfillment_status":"fulfilled",
			"customer":{"id":61,"email":"jane@example.com","first_name":"Jane","last_name":"Doe"},
			"line_items":[{"id":2,"title":"Wiper blades","quantity":2,"price":"50.00"}]}`),
		genericEvent(`{"id":"evt-order-77","type":"order.created","occurred_at":"2026-10-15T10:00:00Z",
			"customer":{"email":"jane@example.com","name":"Jane Doe","external_id":"crm-42"},
			"order":{"id":"POS-77","total":80.00,"currency":"USD","items":[{"title":"Valve caps","quantity":4,"price":20.00}]}}`),
		genericEvent(`{"id":"evt-cart-9","type":"cart.abandoned","occurred_at":"2026-11-18T10:00:00Z",
			"customer":{"email":"jane@example.com","name":"Jane Doe","preferences":{"contact":"email, mornings"}},
			"cart":{"id":"c-77","total":89.00,"currency":"USD","url":"https://shop.example.com/cart/c-77"}}`),
		zendeskTrigger("inv-1", `{"plusone":"zendesk-trigger/1","event":"created",
			"ticket":{"id":"5158","subject":"Where is my order?","url":"https://acme.zendesk.com/agent/tickets/5158","status":"New",
				"priority":"normal","tags":"shipping","via":"Web Form","created_at":"2026-11-20T09:00:00Z","updated_at":"2026-11-20T09:00:00Z"},
			"requester":{"id":"777","email":"jane@example.com","name":"Jane Doe","phone":"","external_id":""},
			"satisfaction":{"score":"unoffered","comment":""},
			"comment":{"id":"c1","author_id":"777","author":"Jane Doe","body":"My tires have not arrived."}}`),
	}
}

// janeFollowUp is a later event of the same ticket that knows only the
// requester id (an event-subscribed Zendesk webhook).
func janeFollowUp() webhook {
	return zendeskEvent(`{"type":"zen:event-type:ticket.comment_added","account_id":1,"id":"zd-evt-2",
		"time":"2026-11-20T10:00:00Z","zendesk_event_version":"2022-11-06","subject":"zen:ticket:5158",
		"detail":{"id":"5158","subject":"Where is my order?","status":"OPEN","requester_id":"777","tags":["shipping"]},
		"event":{"comment":{"id":99,"body":"Any news? The tracking link shows nothing.","is_public":true,
			"author":{"id":777,"is_staff":false,"name":"Jane Doe"}}}}`)
}

func TestOneCustomerAcrossSourcesGetsOneCard(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app := startApp(t, baseEnv(t, slack))
	for _, d := range janeJourney() {
		app.send(d)
	}
	eventually(t, 15*time.Second, "the card of zendesk:5158", func() bool { return len(slack.posts()["zendesk:5158"]) > 0 })
	store := inspectStore(t, app.dbPath)
	settled(t, store)

	card, _ := slack.message("zendesk:5158")
	if card.Channel != cardChannel {
		t.Errorf("card posted to %q, want %q", card.Channel, cardChannel)
	}
	if card.Text != "Jane Doe (Loyal) — Where is my order?" {
		t.Errorf("fallback text = %q", card.Text)
	}
	for _, want := range []string{"Jane Doe · Loyal", "$300", `*Orders*\n3`, "Abandoned cart", "$89", "https://shop.example.com/cart/c-77",
		"My tires have not arrived.", "email, mornings"} {
		if !strings.Contains(card.Blocks, want) {
			t.Errorf("card does not show %q:\n%s", want, card.Blocks)
		}
	}

	// A later event of the same ticket changes that card, never a second one.
	app.send(janeFollowUp())
	eventually(t, 15*time.Second, "the card to be updated", func() bool {
		m, _ := slack.message("zendesk:5158")
		return strings.Contains(m.Blocks, "Any news?")
	})
	settled(t, store)
	if posts := slack.posts(); len(posts) != 1 || len(posts["zendesk:5158"]) != 1 {
		t.Fatalf("posts = %v, want exactly one card", keysOf(posts))
	}
	updates := 0
	for _, c := range slack.allCalls() {
		if c.Method == "chat.update" && c.Status == 200 {
			updates++
			if c.TS != card.TS || c.Channel != cardChannel {
				t.Errorf("update went to %s/%s, want %s/%s", c.Channel, c.TS, cardChannel, card.TS)
			}
		}
	}
	if updates == 0 {
		t.Error("no chat.update")
	}
	// One customer holds everything.
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(context.Background(), plusone.Identity{Kind: "zendesk", Value: "777"})
		if err != nil {
			return err
		}
		for _, id := range []plusone.Identity{{Kind: "email", Value: "jane@example.com"}, {Kind: "shopify", Value: "61"}, {Kind: "generic", Value: "crm-42"}} {
			other, err := tx.CustomerByIdentity(context.Background(), id)
			if err != nil || other.ID != c.ID {
				t.Errorf("%s:%s belongs to %v (%v), want customer %d", id.Kind, id.Value, other, err, c.ID)
			}
		}
		if c.Profile.Orders != 3 || c.Profile.LifetimeValue != 300_00 || c.Profile.Tier != plusone.TierLoyal {
			t.Errorf("profile = %+v", c.Profile)
		}
		return nil
	}))
}

func keysOf[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// stateDigest describes what the store knows, without ids or times of
// processing, so that two runs can be compared.
func stateDigest(t *testing.T, s plusone.Store) string {
	t.Helper()
	var b strings.Builder
	ctx := context.Background()
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "email", Value: "jane@example.com"})
		if err != nil {
			return err
		}
		v, err := memory.LoadView(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		p := v.Customer.Profile
		fmt.Fprintf(&b, "customer %s <%s> since %s: orders=%d ltv=%d tier=%s open=%d first=%s last=%s\n", v.Customer.Name,
			v.Customer.Email, v.Customer.CreatedAt.Format(time.RFC3339), p.Orders, p.LifetimeValue, p.Tier, p.OpenTickets,
			p.FirstSeen.Format(time.RFC3339), p.LastSeen.Format(time.RFC3339))
		var ids []string
		for _, id := range v.Identities {
			ids = append(ids, id.Kind+":"+id.Value)
		}
		slices.Sort(ids)
		fmt.Fprintf(&b, "identities %v\n", ids)
		tl, err := tx.Timeline(ctx, c.ID, 1000)
		if err != nil {
			return err
		}
		for _, tp := range tl {
			fmt.Fprintf(&b, "tp %s %s %s %s %q %d\n", tp.OccurredAt.Format(time.RFC3339), tp.Source, tp.Kind, tp.DedupeKey, tp.Summary, tp.Amount)
		}
		for _, tk := range v.Tickets {
			fmt.Fprintf(&b, "ticket %s %s %q %v waiting=%s\n", tk.Key(), tk.Status, tk.Subject, tk.Tags, tk.WaitingSince.Format(time.RFC3339))
		}
		for _, o := range v.Orders {
			fmt.Fprintf(&b, "order %s:%s %d %s\n", o.Source, o.ID, o.Total, o.Status)
		}
		for _, p := range v.Preferences {
			fmt.Fprintf(&b, "pref %s=%s (%s)\n", p.Key, p.Value, p.Origin)
		}
		return nil
	}))
	st, err := s.InboxStats(ctx)
	must(t, err)
	fmt.Fprintf(&b, "inbox %+v\n", st)
	return b.String()
}

func TestEveryEventThreeTimesGivesTheSameState(t *testing.T) {
	t.Parallel()
	events := append(janeJourney(), janeFollowUp())

	// Once each, in order.
	slackA := newFakeSlack(t)
	appA := startApp(t, baseEnv(t, slackA))
	for _, d := range events {
		if ans := appA.send(d); ans.Duplicate {
			t.Fatalf("first delivery counted as duplicate: %+v", ans)
		}
	}
	storeA := inspectStore(t, appA.dbPath)
	settled(t, storeA)
	want := stateDigest(t, storeA)

	// Three times each, all at once.
	slackB := newFakeSlack(t)
	appB := startApp(t, baseEnv(t, slackB))
	var wg sync.WaitGroup
	var mu sync.Mutex
	fresh := map[string]int{}
	for i, d := range events {
		for range 3 {
			wg.Go(func() {
				ans := appB.do(appB.request(d))
				if ans.Status/100 != 2 {
					t.Errorf("event %d: %d %s", i, ans.Status, ans.Error)
					return
				}
				if !ans.Duplicate {
					mu.Lock()
					fresh[fmt.Sprint(i)]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for i := range events {
		if fresh[fmt.Sprint(i)] != 1 {
			t.Errorf("event %d stored %d times", i, fresh[fmt.Sprint(i)])
		}
	}
	storeB := inspectStore(t, appB.dbPath)
	settled(t, storeB)
	if got := stateDigest(t, storeB); got != want {
		t.Errorf("state after triple concurrent delivery differs:\n--- once\n%s--- three times\n%s", want, got)
	}
	// And once more, sequentially: nothing changes.
	for _, d := range events {
		if ans := appB.send(d); !ans.Duplicate {
			t.Errorf("redelivery not a duplicate: %+v", ans)
		}
	}
	settled(t, storeB)
	if got := stateDigest(t, storeB); got != want {
		t.Errorf("state after redelivery differs:\n%s", got)
	}
	for name, slack := range map[string]*fakeSlack{"once": slackA, "three times": slackB} {
		if posts := slack.posts(); len(posts) != 1 || len(posts["zendesk:5158"]) != 1 {
			t.Errorf("%s: posts = %v, want one card", name, keysOf(posts))
		}
	}
}

func TestWebhookRejections(t *testing.T) {
	t.Parallel()
	env := baseEnv(t, nil)
	env["PLUSONE_MAX_BODY_BYTES"] = "2048"
	app := startApp(t, env)
	valid := `{"id":"evt-1","type":"ticket.created","customer":{"email":"a@example.com"},"ticket":{"id":"T-1","subject":"Hi"}}`
	sign := func(body string, at time.Time, secret string) *http.Request {
		req := app.request(genericEvent(body))
		req.Header.Del("X-Plusone-Signature")
		req.Header.Del("X-Plusone-Timestamp")
		if secret != "" {
			sigReq, _ := http.NewRequest(http.MethodPost, "/", nil)
			signGeneric(sigReq.Header, secret, body, at)
			for k, v := range sigReq.Header {
				req.Header[k] = v
			}
		}
		return req
	}
	tests := []struct {
		name    string
		req     func() *http.Request
		status  int
		message string
	}{
		{"missing signature", func() *http.Request { return sign(valid, time.Now(), "") }, 401, "missing"},
		{"wrong secret", func() *http.Request { return sign(valid, time.Now(), "not-the-secret") }, 401, "signature"},
		{"stale timestamp", func() *http.Request { return sign(valid, time.Now().Add(-6*time.Minute), genericSecret) }, 401, "timestamp"},
		{"future timestamp", func() *http.Request { return sign(valid, time.Now().Add(6*time.Minute), genericSecret) }, 401, "timestamp"},
		{"tampered body", func() *http.Request {
			req := sign(valid, time.Now(), genericSecret)
			req.Body = http.NoBody
			req.ContentLength = 0
			return req
		}, 401, "signature"},
		{"malformed JSON", func() *http.Request { return sign(`{"id":"evt-2","type":`, time.Now(), genericSecret) }, 400, "invalid JSON"},
		{"missing customer", func() *http.Request {
			return sign(`{"id":"evt-3","type":"ticket.created","ticket":{"id":"T"}}`, time.Now(), genericSecret)
		}, 400, "customer"},
		{"unknown type", func() *http.Request {
			return sign(`{"id":"evt-4","type":"ticket.exploded","customer":{"email":"a@example.com"}}`, time.Now(), genericSecret)
		}, 400, "type"},
		{"too large", func() *http.Request {
			return sign(`{"id":"evt-5","type":"ticket.created","pad":"`+strings.Repeat("x", 4096)+`"}`, time.Now(), genericSecret)
		}, 413, "limit"},
		{"unknown source", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, app.base+"/webhooks/myspace", strings.NewReader(valid))
			return req
		}, 404, "unknown source"},
		{"unconfigured source", func() *http.Request {
			req, _ := http.NewRequest(http.MethodPost, app.base+"/webhooks/intercom", strings.NewReader(valid))
			return req
		}, 404, "PLUSONE_INTERCOM_WEBHOOK_SECRET"},
	}
	for _, tt := range tests {
		ans := app.do(tt.req())
		if ans.Status != tt.status || !strings.Contains(ans.Error, tt.message) {
			t.Errorf("%s: %d %q, want %d mentioning %q", tt.name, ans.Status, ans.Error, tt.status, tt.message)
		}
	}
	store := inspectStore(t, app.dbPath)
	st, err := store.InboxStats(context.Background())
	must(t, err)
	if st != (plusone.InboxStats{}) {
		t.Errorf("rejected requests stored something: %+v", st)
	}
	// The valid request is taken, once.
	if ans := app.send(genericEvent(valid)); ans.Status != http.StatusAccepted || ans.Duplicate {
		t.Errorf("valid event: %+v", ans)
	}
	if ans := app.send(genericEvent(valid)); ans.Status != http.StatusOK || !ans.Duplicate {
		t.Errorf("redelivery: %+v", ans)
	}
	m := app.metrics()
	for _, want := range []string{
		`plusone_webhook_rejects_total{reason="unauthorized",source="generic"} 5`,
		`plusone_webhook_rejects_total{reason="invalid",source="generic"} 3`,
		`plusone_webhook_rejects_total{reason="too_large",source="generic"} 1`,
		`plusone_webhook_rejects_total{reason="unknown_source",source="unknown"} 1`,
		`plusone_webhook_rejects_total{reason="unknown_source",source="intercom"} 1`,
		`plusone_events_total{outcome="accepted",source="generic"} 1`,
		`plusone_events_total{outcome="duplicate",source="generic"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func signGeneric(h http.Header, secret, body string, at time.Time) {
	generic.Sign(h, secret, []byte(body), at)
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	app := startApp(t, baseEnv(t, nil))
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200} {
		resp, err := app.client.Get(app.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s = %d", path, resp.StatusCode)
		}
	}
	app.send(genericEvent(`{"id":"e1","type":"ticket.created","customer":{"email":"m@example.com","name":"Mo"},"ticket":{"id":"T-9","subject":"Hello"}}`))
	eventually(t, 30*time.Second, "the card to print", func() bool { return strings.Contains(app.stdout.String(), "Mo · New") })
	m := app.metrics()
	for _, want := range []string{
		`plusone_events_processed_total{outcome="processed",source="generic"} 1`,
		`plusone_events_total{outcome="accepted",source="generic"} 1`,
		`plusone_event_processing_seconds_count{source="generic"} 1`,
		`plusone_queue_depth{queue="events"} 0`,
		`plusone_queue_depth{queue="parked"} 0`,
		`plusone_slack_deliveries_total{method="chat.postMessage",outcome="ok"} 1`,
		`plusone_card_delivery_seconds_count 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// Logs are JSON and carry no bodies or secrets at info level.
	logs := app.logs.String()
	for _, secret := range []string{genericSecret, "Hello", "m@example.com"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q:\n%s", secret, logs)
		}
	}
}

func TestGracefulShutdownLeavesTheRestClaimable(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	// Slack is down while we stop: cards must wait in the store.
	slack.setScript(func(c *slackCall, n int) (int, string, http.Header, bool) { return 503, `{"ok":false}`, nil, true })
	app := startApp(t, env)
	for i := range 20 {
		app.send(genericEvent(fmt.Sprintf(`{"id":"e%d","type":"ticket.created","customer":{"email":"c%d@example.com"},"ticket":{"id":"T-%d","subject":"Ticket %d"}}`, i, i, i, i)))
	}
	if err := app.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	if !strings.Contains(app.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop in the logs:\n%s", app.logs.String())
	}
	slack.setScript(nil)
	again := startApp(t, env)
	store := inspectStore(t, again.dbPath)
	settled(t, store)
	posts := slack.posts()
	for i := range 20 {
		if n := len(posts[fmt.Sprintf("generic:T-%d", i)]); n != 1 {
			t.Errorf("ticket T-%d has %d cards", i, n)
		}
	}
}

func TestDemoPrintsTheSampleCard(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	env := map[string]string{"TMPDIR": t.TempDir()}
	go func() {
		done <- run(ctx, []string{"plusone", "demo"}, func(k string) string { return env[k] }, out, &syncBuffer{})
	}()
	eventually(t, 30*time.Second, "the demo card", func() bool {
		s := out.String()
		return strings.Contains(s, "Maya Chen · Loyal") && strings.Contains(s, "Abandoned cart") && strings.Contains(s, "Where is my order?")
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo: %v", err)
	}
	if strings.Contains(out.String(), "✗") {
		t.Errorf("a demo step failed:\n%s", out.String())
	}
}

func TestCheckAndVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "policy.yaml")
	must(t, os.WriteFile(bad, []byte("currency: USD\ntiers:\n  loyal: {min_orders: -3}\n"+
		"gestures:\n  - id: free_express_shipping\n    title: Free express shipping\n    kind: shipping\n    value: 15\n"+
		"    eligible:\n      tiers: [loyal, gold]\n"), 0o600))
	var out syncBuffer
	err := run(context.Background(), []string{"plusone", "check"}, func(k string) string {
		return map[string]string{"PLUSONE_POLICY_FILE": bad, "PLUSONE_MAX_BODY_BYTES": "lots"}[k]
	}, &out, &out)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("check with problems: %v", err)
	}
	for _, want := range []string{"PLUSONE_MAX_BODY_BYTES", bad + ":3", "tiers.loyal.min_orders",
		bad + ":10", `gestures[0].eligible.tiers[1]: unknown tier "gold"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	out = syncBuffer{}
	if err := run(context.Background(), []string{"plusone", "check"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("check of the defaults: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "local") {
		t.Errorf("check output: %s", out.String())
	}
	out = syncBuffer{}
	if err := run(context.Background(), []string{"plusone", "version"}, func(string) string { return "" }, &out, &out); err != nil || !strings.HasPrefix(out.String(), "plusone ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"plusone", "frobnicate"}, func(string) string { return "" }, &out, &out); exitCode(err) != 2 {
		t.Errorf("unknown command: %v", err)
	}
	// A bad variable stops serve with the variable named.
	err = run(context.Background(), []string{"plusone", "serve"}, func(k string) string {
		return map[string]string{"PLUSONE_WORKERS": "many"}[k]
	}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "PLUSONE_WORKERS") {
		t.Errorf("serve with a bad variable: %v", err)
	}
}
