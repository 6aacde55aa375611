package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/chart"
)

// digestPolicy is the gesture policy with outcomes: agent feedback on, a
// first window of 30 days, and digest (a YAML mapping, or "" for none).
func digestPolicy(digest string) string {
	p := fmt.Sprintf(gesturePolicy, "100") + "outcomes:\n  windows: [30d]\n  agent_feedback: true\n"
	if digest != "" {
		p += "  digest: " + digest + "\n"
	}
	return p
}

// outboxDrained waits until no Slack message waits in the outbox.
func outboxDrained(t *testing.T, s plusone.Store) {
	t.Helper()
	eventually(t, 30*time.Second, "the outbox to drain", func() bool {
		pending, _, err := s.JobStats(context.Background(), plusone.JobNotice)
		return err == nil && pending == 0
	})
}

// postsTo returns the messages posted to channel.
func (f *fakeSlack) postsTo(channel string) []slackCall {
	var out []slackCall
	for _, c := range f.callsTo("chat.postMessage") {
		if c.Channel == channel && c.Status == 200 {
			out = append(out, c)
		}
	}
	return out
}

// A customer an agent granted a gesture orders again: the agent gets one
// direct message naming her and what she did, however often she orders;
// an agent who turned them off in App Home gets none. Supervisors see the
// digest with /plusone digest (others are refused politely), and, once the
// policy schedules it, in the digest channel, with the period's figures.
func TestDigestAndAgentFeedback(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte(digestPolicy("")), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	env["PLUSONE_API_TOKEN"] = apiToken
	app := startApp(t, env)
	store := inspectStore(t, app.dbPath)

	// Jane writes three times about her order; Bob once about a tire.
	earlier := time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)
	for i := range 3 {
		app.send(genericEvent(fmt.Sprintf(`{"id":"j%d","type":"ticket.created","occurred_at":%q,
			"customer":{"email":"jane@example.com","name":"Jane Doe"},
			"ticket":{"id":"J-%d","subject":"Where is my order #10%d?","tags":["shipping"]}}`, i, earlier, i, i)))
	}
	app.send(genericEvent(fmt.Sprintf(`{"id":"b0","type":"ticket.created","occurred_at":%q,
		"customer":{"email":"bob@example.com","name":"Bob Roe"},"ticket":{"id":"B-0","subject":"Broken tire","tags":["damage"]}}`, earlier)))
	eventually(t, 30*time.Second, "four cards", func() bool { return len(slack.posts()) == 4 })
	settled(t, store)
	cardOf := func(key string) *plusone.CardState {
		var c *plusone.CardState
		must(t, store.View(context.Background(), func(tx plusone.Tx) (err error) {
			c, err = tx.Card(context.Background(), key)
			return err
		}))
		return c
	}
	jane, bob := cardOf("generic:J-0"), cardOf("generic:B-0")
	offer := func(user string, card *plusone.CardState, respond string) {
		v := view.EncodeOffer(view.OfferValue{CustomerID: card.CustomerID, Gesture: "free_express_shipping", TicketKey: card.Key})
		ts := slack.posts()[card.Key][0].TS
		interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": user},
			"team": map[string]string{"id": "T0OURS"}, "response_url": slack.srv.URL + "/response/" + respond,
			"container": map[string]string{"type": "message", "message_ts": ts, "channel_id": cardChannel},
			"channel":   map[string]string{"id": cardChannel}, "message": map[string]string{"ts": ts},
			"actions": []map[string]string{{"action_id": view.OfferActionID("free_express_shipping"), "value": v, "block_id": "offers"}}})
	}
	offer("U0ANA", jane, "ana")
	eventually(t, 20*time.Second, "Ana's grant", func() bool { return len(ledger(t, app, "?agent=U0ANA")) == 1 })

	// Ben turns his feedback messages off in App Home, then grants Bob.
	interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0BEN"},
		"team": map[string]string{"id": "T0OURS"}, "view": map[string]string{"type": "home"},
		"actions": []map[string]string{{"action_id": view.ActionFeedbackMessages, "value": "off", "block_id": "feedback"}}})
	eventually(t, 20*time.Second, "Ben's setting", func() bool {
		var v string
		_ = store.View(context.Background(), func(tx plusone.Tx) (err error) {
			v, err = tx.AgentSetting(context.Background(), "U0BEN", plusone.AgentFeedbackSetting)
			return err
		})
		return v == "off"
	})
	eventually(t, 20*time.Second, "Ben's App Home shows it off", func() bool {
		for _, c := range slack.callsTo("views.publish") {
			if strings.Contains(c.Body+c.Blocks, "come back:* off") {
				return true
			}
		}
		return false
	})
	offer("U0BEN", bob, "ben")
	eventually(t, 20*time.Second, "Ben's grant", func() bool { return len(ledger(t, app, "?agent=U0BEN")) == 1 })

	// Both order again, Jane twice.
	now := time.Now().Add(time.Second).UTC().Format(time.RFC3339) // after the grants, in whole seconds
	for i, who := range []string{"jane", "jane", "bob"} {
		app.send(genericEvent(fmt.Sprintf(`{"id":"o%d","type":"order.created","occurred_at":%q,"customer":{"email":"%s@example.com"},
			"order":{"id":"O-%d","total":420.00,"currency":"USD"}}`, i, now, who, i)))
	}
	settled(t, store)
	outboxDrained(t, store)
	dms := slack.postsTo("U0ANA")
	if len(dms) != 1 || !strings.Contains(dms[0].Text, "Jane Doe ordered again ($420)") ||
		!strings.Contains(dms[0].Text, "Free express shipping on the next order") {
		t.Fatalf("Ana's feedback messages: %+v", dms)
	}
	if got := slack.postsTo("U0BEN"); len(got) != 0 {
		t.Errorf("Ben turned them off but got %+v", got)
	}

	// /plusone digest: the supervisor sees this week so far; Ana is
	// refused.
	status, body := command(t, app, slack, "U0SUP", "digest")
	for _, want := range []string{"ephemeral", "$30 granted in 2 gestures", "Free express shipping on the next order — 2 × · $30",
		"4 tickets opened", "#shipping — 3", "“where is my order” — 3", "Jane Doe — 3 contacts", "Repeat contact — 1 customer"} {
		if status != 200 || !strings.Contains(body, want) {
			t.Errorf("/plusone digest lacks %q: %d %s", want, status, body)
		}
	}
	status, body = command(t, app, slack, "U0ANA", "digest")
	if status != 200 || !strings.Contains(body, "the digest is for the supervisors") || !strings.Contains(body, "ephemeral") {
		t.Errorf("/plusone digest by an agent: %d %s", status, body)
	}

	// The policy now schedules a daily digest at the last minute passed:
	// it covers the day before it, Jane's and Bob's tickets in it.
	at := time.Now().UTC().Add(-time.Minute).Format("15:04")
	must(t, os.WriteFile(policy, []byte(digestPolicy(`{channel: C0DIGEST, every: day, at: "`+at+`"}`)), 0o600))
	eventually(t, 30*time.Second, "the scheduled digest", func() bool { return len(slack.postsTo("C0DIGEST")) == 1 })
	d := slack.postsTo("C0DIGEST")[0]
	for _, want := range []string{"#shipping — 3", "Jane Doe — 3 contacts", "4 tickets opened"} {
		if !strings.Contains(d.Blocks, want) {
			t.Errorf("scheduled digest lacks %q: %s", want, d.Blocks)
		}
	}
}

// Two replicas on one PostgreSQL both find the digest due: the supervisor
// gets it once, as a direct message.
func TestReplicasSendTheDigestOnce(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	at := time.Now().UTC().Add(-time.Minute).Format("15:04")
	must(t, os.WriteFile(policy, []byte(digestPolicy(`{every: day, at: "`+at+`"}`)), 0o600))
	c := startReplicas(t, slack, 2, map[string]string{"PLUSONE_POLICY_FILE": policy})
	eventually(t, 30*time.Second, "the digest", func() bool { return len(slack.postsTo("U0SUP")) > 0 })
	outboxDrained(t, c.store)
	// Both replicas looked at the schedule since its send time: one queued
	// the digest, the other found it queued.
	eventually(t, 30*time.Second, "both replicas to look", func() bool {
		for _, a := range c.apps {
			if !strings.Contains(a.logs.String(), "digest queued") && !strings.Contains(a.logs.String(), "digest already queued") {
				return false
			}
		}
		return true
	})
	outboxDrained(t, c.store)
	if got := slack.postsTo("U0SUP"); len(got) != 1 || !strings.Contains(got[0].Blocks, "plusone digest") {
		t.Errorf("the supervisor got %d digests: %+v\n%s", len(got), got, c.logs())
	}
}

// The chart goes to Slack in the three steps of its file upload API, into
// the direct message with a supervisor when it goes to one.
func TestChartUploadedToSlack(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	b, err := chart.EffectsPNG("Effects", "percentage points", []chart.Bar{{Label: "g", Diff: 20, Low: 10, High: 30}})
	if err != nil {
		t.Fatal(err)
	}
	client := bot.NewClient("xoxb-test", slack.url(), nil)
	must(t, client.UploadFile(context.Background(), "U0SUP", "plusone-effects.png", "Effects", "The effects", b))
	files := slack.sharedFiles()
	if len(files) != 1 || files[0].Channel != "DU0SUP" || files[0].Title != "Effects" || files[0].Comment != "The effects" {
		t.Fatalf("shared %+v", files)
	}
	if _, err := png.Decode(bytes.NewReader(files[0].Data)); err != nil {
		t.Errorf("the uploaded chart is not a PNG: %v", err)
	}
	for _, m := range []string{"conversations.open", "files.getUploadURLExternal", "files.completeUploadExternal"} {
		if len(slack.callsTo(m)) != 1 {
			t.Errorf("%s called %d times", m, len(slack.callsTo(m)))
		}
	}
}

// digestSimPolicy measures two gestures with half of the customers held
// out, in a window of 3 seconds; digest is "" or a digest mapping.
func digestSimPolicy(digest string) string {
	p := `gestures:
  - {id: gesture_a, title: Free express shipping, kind: shipping, value: 15}
  - {id: gesture_b, title: Handwritten note, kind: note, value: 4}
approvals: {channel: C0SUPERVISORS, supervisors: [U0SUP]}
outcomes:
  holdout: 0.5
  windows: [3s]
  seed: digest
`
	if digest != "" {
		p += "  digest: " + digest + "\n"
	}
	return p
}

// A small simulation through the real program: 400 customers exposed to
// two gestures, half held out; A's treatment buys again with 60%, everyone
// else with 10%. Once every window closed, /plusone digest and the
// scheduled digest show each gesture's measured effect with the report's
// figures, and the scheduled one comes with the chart, a PNG uploaded with
// Slack's file upload API.
func TestDigestShowsMeasuredEffects(t *testing.T) {
	t.Parallel()
	const n = 400
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte(digestSimPolicy("")), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	env["PLUSONE_API_TOKEN"] = apiToken
	app := startApp(t, env)
	store := inspectStore(t, app.dbPath)
	email := func(i int) string { return fmt.Sprintf("d%03d@sim.example", i) }
	exposed := time.Now().UTC()
	hooks := make([]webhook, n)
	for i := range hooks {
		hooks[i] = genericEvent(fmt.Sprintf(`{"id":"u%d","type":"customer.updated","occurred_at":%q,"customer":{"email":%q}}`,
			i, exposed.Format(time.RFC3339Nano), email(i)))
	}
	sendAll(app, hooks)
	settled(t, store)

	hooks = nil
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		for i := range n {
			c, err := tx.CustomerByIdentity(context.Background(), plusone.Identity{Kind: plusone.IdentityEmail, Value: email(i)})
			if err != nil {
				return err
			}
			as, err := tx.Assignments(context.Background(), c.ID)
			if err != nil {
				return err
			}
			treated := false
			for _, a := range as {
				treated = treated || a.Gesture == "gesture_a" && a.Arm == plusone.ArmTreatment
			}
			// Deterministic: 60% of A's treatment buy, 10% of the others.
			if buys := i%10 < 1 || treated && i%10 < 6; buys {
				hooks = append(hooks, genericEvent(fmt.Sprintf(`{"id":"o%d","type":"order.created","occurred_at":%q,
					"customer":{"email":%q},"order":{"id":"O-%d","total":50.00,"currency":"USD"}}`,
					i, exposed.Add(time.Second).Format(time.RFC3339Nano), email(i), i)))
			}
		}
		return nil
	}))
	sendAll(app, hooks)
	settled(t, store)
	var rep plusone.OutcomesReport
	eventually(t, 30*time.Second, "every window to close", func() bool {
		_, rep = outcomesOf(t, app, "3s")
		g := byGesture(t, rep, "gesture_a")
		return g.Treatment.Customers+g.Holdout.Customers == n
	})
	line := func(id, title string) string {
		g := byGesture(t, rep, id)
		e := g.Effects[plusone.MetricRepeatPurchase]
		return "• " + title + ": " + view.EffectWords(plusone.GestureEffect{Diff: float64(e.Diff), Low: float64(e.CI[0]),
			High: float64(e.CI[1]), Granted: g.Treatment.Granted}, "USD")
	}
	wantA, wantB := line("gesture_a", "Free express shipping"), line("gesture_b", "Handwritten note")
	t.Logf("digest lines: %s | %s", wantA, wantB)
	// 60% against 10%: A's interval is far from 0; B's holds 0.
	ea := byGesture(t, rep, "gesture_a").Effects[plusone.MetricRepeatPurchase]
	eb := byGesture(t, rep, "gesture_b").Effects[plusone.MetricRepeatPurchase]
	if !(ea.CI[0] > 0.3 && ea.CI[1] < 0.7) || !(eb.CI[0] < 0 && eb.CI[1] > 0) {
		t.Errorf("effects: A %+v, B %+v", ea, eb)
	}

	_, body := command(t, app, slack, "U0SUP", "digest")
	for _, want := range []string{wantA, wantB} {
		if !strings.Contains(body, want) {
			t.Errorf("/plusone digest lacks %q:\n%s", want, body)
		}
	}

	at := time.Now().UTC().Add(-time.Minute).Format("15:04")
	must(t, os.WriteFile(policy, []byte(digestSimPolicy(`{channel: C0DIGEST, every: day, at: "`+at+`"}`)), 0o600))
	eventually(t, 30*time.Second, "the scheduled digest and its chart", func() bool {
		return len(slack.postsTo("C0DIGEST")) == 1 && len(slack.sharedFiles()) == 1
	})
	if d := slack.postsTo("C0DIGEST")[0]; !strings.Contains(d.Blocks, jsonText(wantA)) {
		t.Errorf("the scheduled digest lacks %q: %s", wantA, d.Blocks)
	}
	f := slack.sharedFiles()[0]
	if f.Channel != "C0DIGEST" || !strings.Contains(f.Title, "Effect of each gesture") {
		t.Errorf("chart shared as %+v", f)
	}
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	t.Logf("chart: %d bytes, %v", len(f.Data), img.Bounds())
}
