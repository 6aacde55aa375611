package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// budgetsOf is GET /api/v1/budgets, by scope and key.
func budgetsOf(t *testing.T, app *testApp) map[string]float64 {
	t.Helper()
	status, out := apiCall(t, app, "GET", "/api/v1/budgets", apiToken, "")
	if status != 200 {
		t.Fatalf("budgets: %d %v", status, out)
	}
	spent := map[string]float64{}
	for _, b := range out["budgets"].([]any) {
		m := b.(map[string]any)
		spent[fmt.Sprint(m["scope"], ":", m["key"])] = m["spent"].(float64)
	}
	return spent
}

// exported is GET /api/v1/customers/export for email: its customers.
func exported(t *testing.T, app *testApp, email string) []any {
	t.Helper()
	status, out := apiCall(t, app, "GET", "/api/v1/customers/export?email="+email, apiToken, "")
	if status != 200 || out["email"] != email {
		t.Fatalf("export %s: %d %v", email, status, out)
	}
	return out["customers"].([]any)
}

// jobsNaming lists the job rows of the app's store (ticket work, the
// outbox, back-fills, …) whose payload holds any of needles, whatever
// their case: "kind key state payload".
func jobsNaming(t *testing.T, app *testApp, needles ...string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+app.dbPath+"?_pragma=busy_timeout(10000)&mode=ro")
	must(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT kind, key, state, payload FROM jobs ORDER BY id`)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, key, state, payload string
		must(t, rows.Scan(&kind, &key, &state, &payload))
		for _, n := range needles {
			if n != "" && strings.Contains(strings.ToLower(payload), strings.ToLower(n)) {
				out = append(out, strings.Join([]string{kind, key, state, payload}, " "))
				break
			}
		}
	}
	must(t, rows.Err())
	return out
}

// erasedEverywhere checks what an erased customer (id, email, name) leaves:
// the API and /plusone find nothing, the export is empty, her card in
// Slack says she was erased and nothing else, no job of the store (ticket
// work, a notice sent or not) holds her email, her name or any of secrets
// (what was written to her), the audit names her id and how, and one info
// line logs it, without her email.
func erasedEverywhere(t *testing.T, app *testApp, slack *fakeSlack, store plusone.Store, id int64, email, name, ticket, via string, secrets ...string) {
	t.Helper()
	if left := jobsNaming(t, app, append([]string{email, name}, secrets...)...); len(left) > 0 {
		t.Errorf("jobs that still name her after erasure:\n%s", strings.Join(left, "\n"))
	}
	if status, out := apiCall(t, app, "GET", "/api/v1/customers?email="+email, apiToken, ""); status != 404 {
		t.Errorf("lookup by API after erasure: %d %v", status, out)
	}
	if _, body := command(t, app, slack, "U0ANA", email); strings.Contains(body, name) || !strings.Contains(body, "ephemeral") {
		t.Errorf("/plusone %s after erasure: %s", email, body)
	}
	if _, body := command(t, app, slack, "U0ANA", name); strings.Contains(body, name+"*") || strings.Contains(body, view.ActionShowCustomer) {
		t.Errorf("/plusone %s after erasure: %s", name, body)
	}
	if got := exported(t, app, email); len(got) != 0 {
		t.Errorf("export after erasure: %v", got)
	}
	eventually(t, 30*time.Second, "her card replaced in Slack", func() bool {
		m, ok := slack.message(ticket)
		return ok && strings.Contains(m.Text, view.ErasedText)
	})
	m, _ := slack.message(ticket)
	if strings.Contains(m.Text+m.Blocks, name) || strings.Contains(m.Text+m.Blocks, email) {
		t.Errorf("her card still shows her: %s %s", m.Text, m.Blocks)
	}
	var audit []plusone.AuditRecord
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		var err error
		audit, err = tx.AuditLog(context.Background(), 50)
		return err
	}))
	found := false
	for _, a := range audit {
		if a.Action == plusone.AuditErase && a.Target == fmt.Sprint("customer:", id) {
			found = strings.Contains(a.Outcome, "via "+via)
			if strings.Contains(a.Actor+a.Target+a.Outcome, email) {
				t.Errorf("audit names her: %+v", a)
			}
		}
	}
	if !found {
		t.Errorf("no audit of erasing customer %d via %s: %+v", id, via, audit)
	}
	eventually(t, 10*time.Second, "the erasure's log line", func() bool {
		return strings.Contains(app.logs.String(), fmt.Sprintf(`"msg":"customer erased","customer_id":%d`, id))
	})
	for _, line := range strings.Split(app.logs.String(), "\n") {
		if strings.Contains(line, "customer erased") && strings.Contains(line, email) {
			t.Errorf("the log names her: %s", line)
		}
	}
}

// Erasure through the API: everything of hers goes, her posted card says
// she was erased, the reply Ana sent her from a Zendesk ticket's card is
// no longer in the store, the ledger and every budget keep their totals,
// the other customer keeps everything; an event of hers after the erasure
// makes a new customer.
func TestEraseThroughTheAPI(t *testing.T) {
	t.Parallel()
	slack := slackWithAna(t)
	desk := newFakeDesk(t, "zendesk", nil)
	app, store, ids := gestureApp(t, slack, "100", 2, map[string]string{"PLUSONE_HISTORY_DAYS": "0",
		"PLUSONE_ZENDESK_URL": desk.srv.URL, "PLUSONE_ZENDESK_EMAIL": "bot@acme.example", "PLUSONE_ZENDESK_API_TOKEN": "zd-token"})
	if status, body := command(t, app, slack, "U0ANA", "note g0@example.com Allergic to nuts"); status != 200 || !strings.Contains(body, "Guest 0") {
		t.Fatalf("note: %d %s", status, body)
	}
	if click(t, app, slack, "U0ANA", ids[0], 0, "free_express_shipping", "r0") != 200 {
		t.Fatal("click")
	}
	eventually(t, 30*time.Second, "the grant", func() bool { return len(ledger(t, app, "")) == 1 })
	settled(t, store)
	before, spent := ledger(t, app, ""), budgetsOf(t, app)
	if before[0]["status"] != "granted" || spent["agent:U0ANA"] != 15 {
		t.Fatalf("before erasure: ledger %v, budgets %v", before, spent)
	}
	got := exported(t, app, "g0@example.com")
	if len(got) != 1 {
		t.Fatalf("export before erasure: %v", got)
	}
	her := got[0].(map[string]any)
	if her["name"] != "Guest 0" || len(her["notes"].([]any)) != 1 || len(her["ledger"].([]any)) != 1 ||
		len(her["tickets"].([]any)) != 1 || len(her["timeline"].([]any)) == 0 || len(her["cards"].([]any)) != 1 {
		t.Errorf("export before erasure: %v", her)
	}

	if status, out := apiCall(t, app, "DELETE", "/api/v1/customers?email=g0@example.com", "", ""); status != 401 {
		t.Errorf("erasure without the token: %d %v", status, out)
	}
	if status, out := apiCall(t, app, "DELETE", "/api/v1/customers", apiToken, ""); status != 400 || !strings.Contains(fmt.Sprint(out["error"]), "email") {
		t.Errorf("erasure without an email: %d %v", status, out)
	}
	if status, out := apiCall(t, app, "GET", "/api/v1/customers/export?email=a-b", apiToken, ""); status != 400 {
		t.Errorf("export of a non-email: %d %v", status, out)
	}
	if status, out := apiCall(t, app, "DELETE", "/api/v1/customers?email=nobody@example.com", apiToken, ""); status != 404 {
		t.Errorf("erasing nobody: %d %v", status, out)
	}
	// Her Zendesk ticket, and Ana's reply to her from its card.
	const reply = "Your tires ship today, tracking 1Z999AA1"
	app.send(zendeskTrigger("inv-e", `{"plusone":"zendesk-trigger/1","event":"created","ticket":{"id":"9003","subject":"Refund","status":"Open"},
		"requester":{"id":"6","email":"g0@example.com","name":"Guest 0"}}`))
	eventually(t, 30*time.Second, "her Zendesk card", func() bool { return len(slack.posts()["zendesk:9003"]) == 1 })
	zcard := slack.posts()["zendesk:9003"][0]
	status, body := interaction(t, app, map[string]any{"type": "view_submission", "user": map[string]string{"id": "U0ANA"},
		"view": map[string]any{"id": "V-ERASE", "callback_id": view.ViewReplyTicket,
			"private_metadata": view.ReplyMetadata(view.ReplyMeta{Ticket: "zendesk:9003", Channel: cardChannel}),
			"state": map[string]any{"values": map[string]any{
				view.BlockReplyText: map[string]any{view.ActionReplyText: map[string]string{"type": "plain_text_input", "value": reply}}}}}})
	if status != 200 || strings.Contains(body, "errors") {
		t.Fatalf("reply: %d %s", status, body)
	}
	eventually(t, 30*time.Second, "the reply's result in her card's thread", func() bool {
		for _, c := range slack.callsTo("chat.postMessage") {
			if c.Thread == zcard.TS && strings.Contains(c.Blocks, "Replied by Ana Agent") {
				return true
			}
		}
		return false
	})
	settled(t, store)
	if len(jobsNaming(t, app, reply)) != 1 || desk.writes("reply") != 1 {
		t.Fatalf("the reply is not stored as ticket work: %v", jobsNaming(t, app, reply))
	}

	if status, out := apiCall(t, app, "DELETE", "/api/v1/customers?email=G0@Example.com", apiToken, ""); status != 200 || out["erased"] != true {
		t.Fatalf("erase: %d %v", status, out)
	}
	erasedEverywhere(t, app, slack, store, ids[0], "g0@example.com", "Guest 0", "generic:G-0", "api", reply)
	eventually(t, 30*time.Second, "her Zendesk card replaced", func() bool {
		m, ok := slack.message("zendesk:9003")
		return ok && strings.Contains(m.Text, view.ErasedText)
	})

	// The ledger keeps her gesture under her id, and every total.
	after := ledger(t, app, "")
	if len(after) != 1 || after[0]["id"] != before[0]["id"] || after[0]["charge"] != before[0]["charge"] || after[0]["customer"] != float64(ids[0]) {
		t.Errorf("ledger after erasure: %v, was %v", after, before)
	}
	if now := budgetsOf(t, app); fmt.Sprint(now) != fmt.Sprint(spent) {
		t.Errorf("budgets after erasure: %v, were %v", now, spent)
	}
	// Guest 1 keeps everything.
	if status, out := apiCall(t, app, "GET", "/api/v1/customers?email=g1@example.com", apiToken, ""); status != 200 || out["name"] != "Guest 1" {
		t.Errorf("the other customer: %d %v", status, out)
	}
	if m, _ := slack.message("generic:G-1"); !strings.Contains(m.Text, "Guest 1") {
		t.Errorf("the other card: %s", m.Text)
	}
	// She writes in again: somebody new, with only what came since.
	app.send(genericEvent(`{"id":"again","type":"ticket.updated","customer":{"email":"g0@example.com","name":"Guest 0"},
		"ticket":{"id":"G-0","subject":"Question 0","status":"open"}}`))
	settled(t, store)
	status, out := apiCall(t, app, "GET", "/api/v1/customers?email=g0@example.com", apiToken, "")
	if status != 200 || out["id"] == float64(ids[0]) || len(out["notes"].([]any)) != 0 {
		t.Errorf("after she wrote in again: %d %v", status, out)
	}
}

// Shopify's compliance webhooks, signed: customers/redact erases her (by
// her Shopify id and her email), customers/data_request tells the
// supervisors how to fetch the export, shop/redact erases every customer
// known through Shopify and nobody else.
func TestShopifyComplianceWebhooks(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app, store, ids := gestureApp(t, slack, "100", 3, nil)
	// Guests 0 and 1 are Shopify customers too; guest 2 is not.
	for i := range 2 {
		app.send(shopifyEvent("orders/create", fmt.Sprint("o", i), fmt.Sprintf(`{"id":%d,"name":"#%d","email":"g%d@example.com",
			"created_at":"2026-11-02T10:00:00Z","currency":"USD","total_price":"75.00",
			"customer":{"id":%d,"email":"g%d@example.com","first_name":"Guest","last_name":"%d"}}`, 9900+i, 9900+i, i, 880+i, i, i)))
	}
	settled(t, store)
	if click(t, app, slack, "U0ANA", ids[0], 0, "free_express_shipping", "r0") != 200 {
		t.Fatal("click")
	}
	eventually(t, 30*time.Second, "the grant", func() bool { return len(ledger(t, app, "")) == 1 })
	spent := budgetsOf(t, app)

	// A data request: the supervisors' channel hears of it, with her email
	// and how to fetch the export; nothing is erased.
	app.send(shopifyEvent("customers/data_request", "dr1", `{"shop_id":954889,"shop_domain":"tires-co.myshopify.com",
		"orders_requested":[9901],"customer":{"id":881,"email":"g1@example.com","phone":"555-625-1199"},"data_request":{"id":9999}}`))
	eventually(t, 30*time.Second, "the data request's message", func() bool {
		for _, c := range slack.callsTo("chat.postMessage") {
			if c.Channel == "C0SUPERVISORS" && strings.Contains(c.Blocks, "9999") {
				return true
			}
		}
		return false
	})
	for _, c := range slack.callsTo("chat.postMessage") {
		if c.Channel == "C0SUPERVISORS" && strings.Contains(c.Blocks, "9999") &&
			(!strings.Contains(c.Blocks, "export?email=g1%40example.com") || strings.Contains(c.Blocks, "Guest")) {
			t.Errorf("data request message: %s", c.Blocks)
		}
	}
	if got := exported(t, app, "g1@example.com"); len(got) != 1 {
		t.Errorf("export after the data request: %v", got)
	}

	// customers/redact by her Shopify id (the email is not hers: the id
	// finds her) and its redelivery.
	redact := shopifyEvent("customers/redact", "rd1", `{"shop_id":954889,"shop_domain":"tires-co.myshopify.com",
		"customer":{"id":880,"email":"someone.else@example.com"},"orders_to_redact":[9900]}`)
	app.send(redact)
	if ans := app.send(redact); !ans.Duplicate {
		t.Errorf("redelivery: %+v", ans)
	}
	settled(t, store)
	erasedEverywhere(t, app, slack, store, ids[0], "g0@example.com", "Guest 0", "generic:G-0", "shopify")
	if now := budgetsOf(t, app); fmt.Sprint(now) != fmt.Sprint(spent) {
		t.Errorf("budgets after erasure: %v, were %v", now, spent)
	}

	// shop/redact: Guest 1 goes, Guest 2 (not a Shopify customer) stays.
	app.send(shopifyEvent("shop/redact", "sr1", `{"shop_id":954889,"shop_domain":"tires-co.myshopify.com"}`))
	eventually(t, 30*time.Second, "the shop's erasure", func() bool {
		status, _ := apiCall(t, app, "GET", "/api/v1/customers?email=g1@example.com", apiToken, "")
		return status == 404
	})
	erasedEverywhere(t, app, slack, store, ids[1], "g1@example.com", "Guest 1", "generic:G-1", "shopify")
	if status, out := apiCall(t, app, "GET", "/api/v1/customers?email=g2@example.com", apiToken, ""); status != 200 || out["name"] != "Guest 2" {
		t.Errorf("the customer Shopify does not know: %d %v", status, out)
	}
}

// The command line and Slack: `plusone erase EMAIL` beside the running
// service, and `/plusone erase` for supervisors only, after Slack's
// confirmation dialog. The approval request and the to-do posted about
// her are replaced (chat.update) by a line saying she was erased.
func TestEraseByCommandAndSlack(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app, store, ids := gestureApp(t, slack, "10", 2, nil)
	// Over Ana's budget: an approval request; within it: a to-do.
	if click(t, app, slack, "U0ANA", ids[0], 0, "free_express_shipping", "r-approval") != 200 ||
		click(t, app, slack, "U0ANA", ids[0], 0, "handwritten_note", "r-todo") != 200 {
		t.Fatal("click")
	}
	posted := func(action string) string {
		for _, c := range slack.callsTo("chat.postMessage") {
			if c.Status == 200 && strings.Contains(c.Blocks, action) && strings.Contains(c.Blocks+c.Text, "Guest 0") {
				return c.TS
			}
		}
		return ""
	}
	eventually(t, 30*time.Second, "her approval request and to-do", func() bool {
		return posted(view.ActionApproveGesture) != "" && posted(view.ActionMarkSent) != ""
	})
	approvalTS, todoTS := posted(view.ActionApproveGesture), posted(view.ActionMarkSent)
	settled(t, store)
	env := baseEnv(t, slack)
	env["PLUSONE_DATABASE_URL"] = "sqlite:" + app.dbPath
	getenv := func(k string) string { return env[k] }

	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"plusone", "erase"}, getenv, &out, &errOut); exitCode(err) != 2 {
		t.Errorf("erase without an email: %v", err)
	}
	if err := run(context.Background(), []string{"plusone", "erase", "nobody@example.com"}, getenv, &out, &errOut); err == nil ||
		!strings.Contains(err.Error(), "no customer with the email nobody@example.com") {
		t.Errorf("erasing nobody: %v", err)
	}
	if err := run(context.Background(), []string{"plusone", "erase", "g0@example.com"}, getenv, &out, &errOut); err != nil {
		t.Fatalf("plusone erase: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), fmt.Sprint("erased customer ", ids[0])) {
		t.Errorf("plusone erase said: %s", out.String())
	}
	if status, _ := apiCall(t, app, "GET", "/api/v1/customers?email=g0@example.com", apiToken, ""); status != 404 {
		t.Errorf("lookup after plusone erase: %d", status)
	}
	eventually(t, 30*time.Second, "her card replaced by the running service", func() bool {
		m, ok := slack.message("generic:G-0")
		return ok && strings.Contains(m.Text, view.ErasedText)
	})
	for what, ts := range map[string]string{"approval request": approvalTS, "to-do": todoTS} {
		eventually(t, 30*time.Second, "her "+what+" replaced", func() bool {
			m, ok := slack.messageAt(ts)
			return ok && strings.Contains(m.Text, view.ErasedText)
		})
		if m, _ := slack.messageAt(ts); strings.Contains(m.Text+m.Blocks, "Guest 0") || strings.Contains(m.Blocks, "gesture") {
			t.Errorf("her %s after erasure: %s %s", what, m.Text, m.Blocks)
		}
	}

	// In Slack: an agent may not; a supervisor is asked to confirm first.
	if _, body := command(t, app, slack, "U0SUP", "erase jane"); !strings.Contains(body, "for example `/plusone erase jane@example.com`") {
		t.Errorf("erase without an email: %s", body)
	}
	if _, body := command(t, app, slack, "U0ANA", "erase g1@example.com"); !strings.Contains(body, "only supervisors") {
		t.Errorf("an agent's erase: %s", body)
	}
	_, body := command(t, app, slack, "U0SUP", "erase g1@example.com")
	if !strings.Contains(body, view.ActionEraseCustomer) || !strings.Contains(body, `"confirm"`) {
		t.Fatalf("a supervisor's erase: %s", body)
	}
	if status, _ := apiCall(t, app, "GET", "/api/v1/customers?email=g1@example.com", apiToken, ""); status != 200 {
		t.Fatalf("erased before the confirmation: %d", status)
	}
	confirm := func(user, respond string) {
		status, _ := interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": user},
			"team": map[string]string{"id": "T0OURS"}, "trigger_id": "trig", "response_url": slack.srv.URL + "/response/" + respond,
			"actions": []map[string]string{{"action_id": view.ActionEraseCustomer, "value": "g1@example.com", "block_id": "b"}}})
		if status != 200 {
			t.Fatalf("erase click: %d", status)
		}
		eventually(t, 30*time.Second, "the answer to "+respond, func() bool { return len(slack.callsTo("response/"+respond)) == 1 })
	}
	confirm("U0ANA", "agent") // a forged click by an agent changes nothing
	if got := slack.callsTo("response/agent")[0].Body; !strings.Contains(got, "only supervisors") {
		t.Errorf("an agent's click: %s", got)
	}
	confirm("U0SUP", "sup")
	if got := slack.callsTo("response/sup")[0].Body; !strings.Contains(got, "Erased g1@example.com") {
		t.Errorf("the supervisor's click: %s", got)
	}
	erasedEverywhere(t, app, slack, store, ids[1], "g1@example.com", "Guest 1", "generic:G-1", "slack")
}

// The policy's retention, set while the service runs: the customer with no
// event for longer is erased (her card too), the one seen lately is kept.
func TestRetentionErasesTheUnseen(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	env["PLUSONE_API_TOKEN"] = apiToken
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte("currency: USD\n"), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	app := startApp(t, env)
	old := time.Now().AddDate(0, 0, -40).UTC().Format(time.RFC3339)
	app.send(genericEvent(`{"id":"old","type":"ticket.created","occurred_at":"` + old + `","customer":{"email":"old@example.com","name":"Olga Old"},
		"ticket":{"id":"OLD-1","subject":"Long ago","status":"open"}}`))
	app.send(genericEvent(`{"id":"new","type":"ticket.created","customer":{"email":"new@example.com","name":"Nina New"},
		"ticket":{"id":"NEW-1","subject":"Today"}}`))
	store := inspectStore(t, app.dbPath)
	settled(t, store)
	var olga int64
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(context.Background(), plusone.Identity{Kind: "email", Value: "old@example.com"})
		if c != nil {
			olga = c.ID
		}
		return err
	}))
	if status, _ := apiCall(t, app, "GET", "/api/v1/customers?email=old@example.com", apiToken, ""); status != 200 {
		t.Fatalf("kept without a retention: %d", status)
	}
	must(t, os.WriteFile(policy, []byte("currency: USD\nretention: 30d\n"), 0o600))
	eventually(t, 30*time.Second, "retention to erase her", func() bool {
		status, _ := apiCall(t, app, "GET", "/api/v1/customers?email=old@example.com", apiToken, "")
		return status == 404
	})
	erasedEverywhere(t, app, slack, store, olga, "old@example.com", "Olga Old", "generic:OLD-1", "retention")
	if status, out := apiCall(t, app, "GET", "/api/v1/customers?email=new@example.com", apiToken, ""); status != 200 || out["name"] != "Nina New" {
		t.Errorf("the customer seen lately: %d %v", status, out)
	}
	if !strings.Contains(app.logs.String(), `"msg":"erasure job done","job":"retention:`) {
		t.Errorf("no log of the day's retention:\n%s", app.logs.String())
	}
}
