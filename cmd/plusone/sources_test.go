package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/helpscout"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/slackchat"
)

const (
	intercomSecret  = "intercom-client-secret"
	helpscoutSecret = "helpscout-secret"
)

// vendorSample reads a documented payload from an integration's testdata.
func vendorSample(t *testing.T, source, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "integrations", source, "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// send signs d for the sources this file adds, then sends it.
func (a *testApp) sendSigned(source string, body string, header map[string]string) answer {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.base+"/webhooks/"+source, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	switch source {
	case "intercom":
		intercom.Sign(req.Header, intercomSecret, []byte(body), time.Now())
	case "helpscout":
		helpscout.Sign(req.Header, helpscoutSecret, []byte(body), time.Now())
	default:
		a.t.Fatalf("sendSigned: %s", source)
	}
	ans := a.do(req)
	if ans.Status/100 != 2 {
		a.t.Fatalf("%s webhook: %d %s", source, ans.Status, ans.Error)
	}
	return ans
}

// One customer with the same email in Zendesk, Shopify, Intercom and Help
// Scout is one customer with one timeline in order; the card of her
// Intercom conversation shows her Shopify orders and her Zendesk ticket.
func TestOneCustomerAcrossFourVendors(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	env["PLUSONE_INTERCOM_WEBHOOK_SECRET"] = intercomSecret
	env["PLUSONE_HELPSCOUT_WEBHOOK_SECRET"] = helpscoutSecret
	app := startApp(t, env)

	app.send(shopifyEvent("orders/create", "o-1", `{"id":7101,"name":"#7101","email":"jane.doe@example.com","created_at":"2025-01-02T10:00:00Z",
		"currency":"USD","total_price":"240.00","fulfillment_status":"fulfilled","customer":{"id":91,"email":"jane.doe@example.com","first_name":"Jane","last_name":"Doe"},
		"line_items":[{"title":"Winter tire","quantity":2,"price":"120.00"}]}`))
	app.send(zendeskTrigger("zd-1", `{"plusone":"zendesk-trigger/1","event":"created",
		"ticket":{"id":"8801","subject":"Billing address change","url":"https://acme.zendesk.com/agent/tickets/8801","status":"Open","created_at":"2025-01-05T09:00:00Z","updated_at":"2025-01-05T09:00:00Z"},
		"requester":{"id":"991","email":"Jane.Doe@example.com","name":"Jane Doe"}}`))
	app.sendSigned("helpscout", vendorSample(t, "helpscout", "convo.created.json"), map[string]string{helpscout.HeaderEvent: "convo.created"})
	// The workers apply events side by side, so two that arrive within
	// milliseconds may be applied in either order, and a card shows what
	// was known when it was built: her earlier contacts are in before her
	// Intercom conversation opens, as they would be minutes apart.
	store := inspectStore(t, app.dbPath)
	settled(t, store)
	app.sendSigned("intercom", vendorSample(t, "intercom", "conversation.user.created.json"), nil)

	eventually(t, 15*time.Second, "the Intercom conversation's card", func() bool { return len(slack.posts()["intercom:215473853299345"]) == 1 })
	settled(t, store)
	ctx := context.Background()
	must(t, store.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "email", Value: "jane.doe@example.com"})
		if err != nil {
			return err
		}
		ids, err := tx.Identities(ctx, c.ID)
		if err != nil {
			return err
		}
		kinds := map[string]bool{}
		for _, id := range ids {
			other, err := tx.CustomerByIdentity(ctx, id)
			if err != nil || other.ID != c.ID {
				t.Errorf("%s:%s is customer %v, want %d", id.Kind, id.Value, other, c.ID)
			}
			kinds[id.Kind] = true
		}
		for _, k := range []string{"email", "shopify", "zendesk", "helpscout", "intercom"} {
			if !kinds[k] {
				t.Errorf("no %s identity: %+v", k, ids)
			}
		}
		tl, err := tx.Timeline(ctx, c.ID, 100)
		if err != nil {
			return err
		}
		sources := map[plusone.Source]bool{}
		for i, tp := range tl {
			sources[tp.Source] = true
			if i > 0 && tp.OccurredAt.After(tl[i-1].OccurredAt) {
				t.Errorf("timeline out of order at %d: %s after %s", i, tp.OccurredAt, tl[i-1].OccurredAt)
			}
		}
		if len(sources) != 4 {
			t.Errorf("timeline sources = %v, want 4", sources)
		}
		return nil
	}))
	card, _ := slack.message("intercom:215473853299345")
	for _, want := range []string{"Jane Doe", `*Orders*\n1`, `*Lifetime value*\n$240`, "Billing address change", "Other open tickets", "Help Scout"} {
		if !strings.Contains(card.Blocks, want) {
			t.Errorf("Intercom card lacks %q:\n%s", want, card.Blocks)
		}
	}
}

func slackEvent(t *testing.T, a *testApp, body string, retry string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.base+"/slack/events", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if retry != "" {
		req.Header.Set(slackchat.HeaderRetryNum, retry)
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	slackchat.Sign(req.Header, "slack-signing-secret", []byte(body), time.Now())
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// A message in a customer's shared Slack channel lands on her timeline
// once, even when Slack retries it.
func TestSlackChatSource(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte("customer_channels:\n  C0JANE: jane@example.com\n"), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	app := startApp(t, env)

	if status, out := slackEvent(t, app, `{"token":"x","challenge":"ch4ll3nge","type":"url_verification"}`, ""); status != 200 || out["challenge"] != "ch4ll3nge" {
		t.Fatalf("url_verification: %d %v", status, out)
	}
	app.send(genericEvent(`{"id":"t1","type":"ticket.created","occurred_at":"2026-11-20T09:00:00Z","customer":{"email":"jane@example.com","name":"Jane Doe"},"ticket":{"id":"T-1","subject":"Pallet"}}`))
	msg := `{"token":"x","team_id":"T0OURS","api_app_id":"A0P","type":"event_callback","event_id":"Ev0CHAT1","event_time":1763636645,
		"event":{"type":"message","text":"Is the pallet on its way?","user":"U0JANE","team":"T0JANECO","user_team":"T0JANECO",
		"ts":"1763636645.000100","channel":"C0JANE","channel_type":"channel"}}`
	if status, out := slackEvent(t, app, msg, ""); status != 202 || out["duplicate"] != false {
		t.Fatalf("message: %d %v", status, out)
	}
	for _, retry := range []string{"1", "2"} {
		if status, out := slackEvent(t, app, msg, retry); status != 200 || out["duplicate"] != true {
			t.Errorf("retry %s: %d %v", retry, status, out)
		}
	}
	// Noise is answered and not stored: a bot, another channel, an edit.
	for _, body := range []string{
		`{"team_id":"T0OURS","type":"event_callback","event_id":"Ev0BOT","event":{"type":"message","subtype":"bot_message","bot_id":"B1","text":"card","ts":"1.2","channel":"C0JANE"}}`,
		`{"team_id":"T0OURS","type":"event_callback","event_id":"Ev0ELSE","event":{"type":"message","user":"U1","text":"hi","ts":"1.3","channel":"C0OTHER"}}`,
		`{"team_id":"T0OURS","type":"event_callback","event_id":"Ev0HOME","event":{"type":"app_home_opened","user":"U1","tab":"home"}}`,
	} {
		if status, _ := slackEvent(t, app, body, ""); status != 200 {
			t.Errorf("noise answered %d: %s", status, body)
		}
	}
	// A bad signature is refused.
	req, _ := http.NewRequest(http.MethodPost, app.base+"/slack/events", strings.NewReader(msg))
	slackchat.Sign(req.Header, "wrong", []byte(msg), time.Now())
	if ans := app.do(req); ans.Status != 401 {
		t.Errorf("bad signature: %d", ans.Status)
	}

	store := inspectStore(t, app.dbPath)
	settled(t, store)
	ctx := context.Background()
	must(t, store.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "email", Value: "jane@example.com"})
		if err != nil {
			return err
		}
		tl, err := tx.Timeline(ctx, c.ID, 100)
		if err != nil {
			return err
		}
		n := 0
		for _, tp := range tl {
			if tp.Source == plusone.SourceSlack {
				n++
				if !strings.Contains(tp.Summary, "Is the pallet on its way?") {
					t.Errorf("chat touchpoint %q", tp.Summary)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d chat touchpoints, want 1", n)
		}
		st, err := store.InboxStats(ctx)
		if err != nil || st.Done != 2 {
			t.Errorf("inbox %+v (%v): want the ticket and one chat message", st, err)
		}
		return nil
	}))
	// Her open ticket's card shows the chat.
	eventually(t, 30*time.Second, "the card to show the chat", func() bool {
		m, _ := slack.message("generic:T-1")
		return strings.Contains(m.Blocks, "Is the pallet on its way?")
	})
}
