package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUnfurlCustomDomainAndShopifyAdmin: a Zendesk ticket link on a host of
// the policy's link_domains and an order link of Shopify's current admin
// (admin.shopify.com/store/<shop>/orders/<id>) unfurl into the customer's
// summary; the same ticket path on a host not listed does not.
func TestUnfurlCustomDomainAndShopifyAdmin(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte("link_domains: [Support.Acme.example]\n"), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	app := startApp(t, env)

	app.send(zendeskTrigger("inv-l", `{"plusone":"zendesk-trigger/1","event":"created","ticket":{"id":"9002","subject":"Refund","status":"Open"},
		"requester":{"id":"6","email":"jane@example.com","name":"Jane Doe"}}`))
	app.send(shopifyEvent("orders/create", "lo-1", `{"id":5940139491003,"name":"#1003","email":"rob@example.com","created_at":"2026-11-02T10:00:00Z",
		"currency":"USD","total_price":"75.00","customer":{"id":89,"email":"rob@example.com","first_name":"Rob","last_name":"Roe"}}`))
	settled(t, inspectStore(t, app.dbPath))

	shared := `{"token":"x","team_id":"T0OURS","type":"event_callback","event_id":"Ev0LINKS","event_time":1763636645,
		"event":{"type":"link_shared","channel":"C0CARDS","user":"U0ANA","message_ts":"1700000400.000100",
		"links":[{"domain":"support.acme.example","url":"https://support.acme.example/agent/tickets/9002"},
			{"domain":"admin.shopify.com","url":"https://admin.shopify.com/store/tires-co/orders/5940139491003"},
			{"domain":"other.example","url":"https://other.example/agent/tickets/9002"}]}}`
	if status, _ := slackPost(t, app, "/slack/events", "application/json", shared); status != 200 {
		t.Fatalf("link_shared: %d", status)
	}
	eventually(t, 30*time.Second, "chat.unfurl", func() bool { return len(slack.callsTo("chat.unfurl")) == 1 })
	u := slack.callsTo("chat.unfurl")[0].Body
	for _, want := range []string{"https://support.acme.example/agent/tickets/9002", "Jane Doe",
		"https://admin.shopify.com/store/tires-co/orders/5940139491003", "Rob Roe"} {
		if !strings.Contains(u, want) {
			t.Errorf("chat.unfurl lacks %q: %s", want, u)
		}
	}
	if strings.Contains(u, "other.example") {
		t.Errorf("a host outside link_domains unfurled: %s", u)
	}
}
