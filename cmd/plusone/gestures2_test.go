package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// A discount granted on a Zendesk ticket's card is written back once to
// each vendor, also when their APIs fail first: an internal note on the
// ticket and a Shopify discount code.
func TestWritebackToZendeskAndShopify(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var notes []string
	puts := 0
	zd := newVendorAPI(t, func(w http.ResponseWriter, r *http.Request, n int) int {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/comments.json"):
			var cs []string
			for i, n := range notes {
				cs = append(cs, fmt.Sprintf(`{"id":%d,"body":%q,"public":false}`, i+1, n))
			}
			return writeJSONStatus(w, 200, `{"comments":[`+strings.Join(cs, ",")+`],"meta":{"has_more":false},"links":{"next":null}}`)
		case r.Method == http.MethodPut && r.URL.Path == "/api/v2/tickets/5158.json":
			puts++
			if puts == 1 {
				return writeJSONStatus(w, 500, `{"error":"InternalError"}`)
			}
			var body struct {
				Ticket struct {
					Comment struct {
						Body   string `json:"body"`
						Public bool   `json:"public"`
					} `json:"comment"`
				} `json:"ticket"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			if body.Ticket.Comment.Public {
				t.Errorf("the note is public")
			}
			notes = append(notes, body.Ticket.Comment.Body)
			return writeJSONStatus(w, 200, `{"ticket":{"id":5158}}`)
		}
		return writeJSONStatus(w, 404, `{"error":"RecordNotFound"}`)
	})
	var codes []string
	creates := 0
	shop := newVendorAPI(t, func(w http.ResponseWriter, r *http.Request, n int) int {
		var body struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		defer mu.Unlock()
		cost := `"extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":2000,"currentlyAvailable":1990,"restoreRate":100}}}`
		switch {
		case strings.Contains(body.Query, "discountCodeBasicCreate"):
			creates++
			if creates == 1 {
				return writeJSONStatus(w, 502, `bad gateway`)
			}
			b, _ := json.Marshal(body.Variables)
			codes = append(codes, string(b))
			return writeJSONStatus(w, 200, `{"data":{"discountCodeBasicCreate":{"codeDiscountNode":{"id":"gid://shopify/DiscountCodeNode/1"},"userErrors":[]}},`+cost+`}`)
		case strings.Contains(body.Query, "currencyCode"):
			return writeJSONStatus(w, 200, `{"data":{"shop":{"currencyCode":"USD"}},`+cost+`}`)
		case strings.Contains(body.Query, "customers("):
			return writeJSONStatus(w, 200, `{"data":{"customers":{"nodes":[]}},`+cost+`}`)
		}
		return writeJSONStatus(w, 200, `{"data":{},`+cost+`}`)
	})
	slack := newFakeSlack(t)
	extra := map[string]string{
		"PLUSONE_ZENDESK_URL": zd.srv.URL, "PLUSONE_ZENDESK_EMAIL": "agent@example.com", "PLUSONE_ZENDESK_API_TOKEN": "zd-token",
		"PLUSONE_SHOPIFY_URL": shop.srv.URL, "PLUSONE_SHOPIFY_ACCESS_TOKEN": "shpat", "PLUSONE_HISTORY_DAYS": "0",
	}
	app, _, _ := gestureApp(t, slack, "90", 0, extra)
	// Her Zendesk ticket, and her Shopify identity.
	app.send(zendeskTrigger("wb-1", `{"plusone":"zendesk-trigger/1","event":"created","ticket":{"id":"5158","subject":"Where is my order?","status":"Open"},
		"requester":{"id":"777","email":"jane@example.com","name":"Jane Doe"}}`))
	app.send(shopifyEvent("customers/update", "wb-c", `{"id":61,"email":"jane@example.com","first_name":"Jane","last_name":"Doe"}`))
	eventually(t, 30*time.Second, "her card", func() bool { return len(slack.posts()["zendesk:5158"]) == 1 })
	settled(t, inspectStore(t, app.dbPath))
	card := slack.posts()["zendesk:5158"][0]
	var customer int64
	_, out := apiCall(t, app, "GET", "/api/v1/customers?email=jane@example.com", apiToken, "")
	customer = int64(out["id"].(float64))
	v := view.EncodeOffer(view.OfferValue{CustomerID: customer, Gesture: "loyalty_discount", TicketKey: "zendesk:5158"})
	status, _ := interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0ANA"},
		"response_url": slack.srv.URL + "/response/wb", "container": map[string]string{"message_ts": card.TS},
		"actions": []map[string]string{{"action_id": view.OfferActionID("loyalty_discount"), "value": v, "block_id": "offers"}}})
	if status != 200 {
		t.Fatal(status)
	}
	defer func() {
		if t.Failed() {
			t.Logf("logs:\n%s\nzendesk: %+v\nshopify: %+v\nledger: %v\nresponse: %+v", tail(app.logs.String(), 30), zd.log(), shop.log(), ledger(t, app, "?agent=U0ANA"), slack.callsTo("response/wb"))
		}
	}()
	eventually(t, 30*time.Second, "both write-backs", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(notes) == 1 && len(codes) == 1
	})
	eventually(t, 30*time.Second, "the fulfilment in the ledger", func() bool {
		for _, e := range ledger(t, app, "?agent=U0ANA") {
			if e["status"] == "fulfilled" {
				return true
			}
		}
		return false
	})
	mu.Lock()
	note, code := notes[0], codes[0]
	mu.Unlock()
	if !strings.Contains(note, "Granted: 10 dollars off the next order, $10") || !strings.Contains(note, "[plusone request") {
		t.Errorf("note = %q", note)
	}
	if !strings.Contains(code, "PLUS1-") || !strings.Contains(code, "gid://shopify/Customer/61") {
		t.Errorf("discount = %s", code)
	}
	// Nothing more is written afterwards: a retry finds its work done.
	settled(t, inspectStore(t, app.dbPath))
	mu.Lock()
	defer mu.Unlock()
	if len(notes) != 1 || len(codes) != 1 || puts != 2 || creates != 2 {
		t.Errorf("notes %d (puts %d), codes %d (creates %d): want each once, after one failure", len(notes), puts, len(codes), creates)
	}
	eventually(t, 30*time.Second, "write-back results in the card's thread", func() bool {
		n := 0
		for _, c := range slack.callsTo("chat.postMessage") {
			if c.Channel == cardChannel && c.TS != card.TS && (strings.Contains(c.Text, "Zendesk") || strings.Contains(c.Text, "Shopify")) {
				n++
			}
		}
		return n == 2
	})
	// The vendor API calls are counted by vendor and status: Zendesk's
	// failed PUT among them, and series at zero for what did not happen.
	m := app.metrics()
	for _, want := range []string{
		`plusone_vendor_api_calls_total{status="5xx",vendor="zendesk"} 1`,
		`plusone_vendor_api_calls_total{status="401",vendor="zendesk"} 0`,
		`plusone_vendor_api_calls_total{status="none",vendor="shopify"} 0`,
		`plusone_vendor_api_seconds_count{vendor="shopify"}`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(m, "plusone_vendor_api"))
		}
	}
	if regexp.MustCompile(`plusone_vendor_api_calls_total\{status="2xx",vendor="zendesk"\} 0\n`).MatchString(m) {
		t.Errorf("no successful Zendesk call counted:\n%s", grepLines(m, "plusone_vendor_api"))
	}
}

// A supervisor's change in the App Home modal takes effect on the next
// decision and is audited; anyone else's is refused.
func TestSupervisorChangesALimitInSlack(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app, store, ids := gestureApp(t, slack, "10", 2, nil)
	submit := func(user, path, value string) (int, string) {
		return interaction(t, app, map[string]any{"type": "view_submission", "user": map[string]string{"id": user},
			"view": map[string]any{"callback_id": view.ViewEditPolicy, "state": map[string]any{"values": map[string]any{
				view.BlockPolicySetting: map[string]any{view.ActionPolicySetting: map[string]any{"type": "static_select", "selected_option": map[string]any{"value": path}}},
				view.BlockPolicyValue:   map[string]any{view.ActionPolicyValue: map[string]any{"type": "plain_text_input", "value": value}}}}}})
	}
	click(t, app, slack, "U0ANA", ids[0], 0, "free_express_shipping", "before")
	eventually(t, 30*time.Second, "the first decision", func() bool { return len(ledger(t, app, "?agent=U0ANA")) == 1 })
	if e := ledger(t, app, "?agent=U0ANA")[0]; e["status"] != "pending_approval" {
		t.Fatalf("over a $10 budget: %v", e)
	}
	if status, body := submit("U0ANA", "roles.agent.budget", "500/day"); status != 200 || !strings.Contains(body, "supervisor") {
		t.Errorf("an agent's change: %d %s", status, body)
	}
	if status, body := submit("U0SUP", "roles.agent.budget", "lots"); status != 200 || !strings.Contains(body, view.BlockPolicyValue) {
		t.Errorf("a bad value: %d %s", status, body)
	}
	if status, body := submit("U0SUP", "roles.agent.budget", "500/day"); status != 200 || strings.Contains(body, "errors") {
		t.Fatalf("the supervisor's change: %d %s", status, body)
	}
	click(t, app, slack, "U0ANA", ids[1], 1, "free_express_shipping", "after")
	eventually(t, 30*time.Second, "the next decision", func() bool { return len(ledger(t, app, "?agent=U0ANA")) == 2 })
	if e := ledger(t, app, "?agent=U0ANA")[0]; e["status"] != "granted" {
		t.Errorf("after the change: %v", e)
	}
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		os, err := tx.Overrides(context.Background())
		if err != nil || len(os) != 1 || os[0].OldValue != "10/day" || os[0].NewValue != "500/day" || os[0].By != "U0SUP" {
			t.Errorf("overrides = %+v %v", os, err)
		}
		log, err := tx.AuditLog(context.Background(), 10)
		if err != nil {
			return err
		}
		var sup, agent bool
		for _, a := range log {
			sup = sup || (a.Actor == "U0SUP" && a.Action == "edit policy" && strings.Contains(a.Target, "10/day -> 500/day"))
			agent = agent || (a.Actor == "U0ANA" && a.Action == "edit policy" && strings.HasPrefix(a.Outcome, "refused"))
		}
		if !sup || !agent {
			t.Errorf("audit = %+v", log)
		}
		return nil
	}))
}

// SIGHUP reloads the policy file; a file with an error in a nested field is
// refused with its line, and the policy in force stays.
func TestSighupKeepsTheOldPolicyOnErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := buildBinary(t)
	env := baseEnv(t, nil)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	write := func(budget string) {
		must(t, os.WriteFile(policy, []byte(fmt.Sprintf(gesturePolicy, budget)), 0o600))
	}
	write("90")
	env["PLUSONE_POLICY_FILE"] = policy
	env["PLUSONE_API_TOKEN"] = apiToken
	p := startProcess(t, bin, env)
	agentBudget := func() float64 {
		req, _ := http.NewRequest(http.MethodGet, p.base+"/api/v1/budgets", nil)
		req.Header.Set("Authorization", "Bearer "+apiToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out struct {
			Budgets []struct {
				Scope  string  `json:"scope"`
				Key    string  `json:"key"`
				Amount float64 `json:"amount"`
			} `json:"budgets"`
		}
		_ = json.Unmarshal(b, &out)
		for _, l := range out.Budgets {
			if l.Scope == "agent" && l.Key == "U0ANA" {
				return l.Amount
			}
		}
		return -1
	}
	// Name the agent in the file so that the budgets API lists her.
	addMember := func() {
		b, _ := os.ReadFile(policy)
		must(t, os.WriteFile(policy, append(b, []byte("members: {U0ANA: agent}\n")...), 0o600))
	}
	addMember()
	hup := func() { must(t, p.cmd.Process.Signal(syscall.SIGHUP)) }
	hup()
	eventually(t, 30*time.Second, "the first reload", func() bool { return agentBudget() == 90 })

	must(t, os.WriteFile(policy, []byte(strings.Replace(fmt.Sprintf(gesturePolicy, "90"), "per: day", "per: fortnight", 1)+"members: {U0ANA: agent}\n"), 0o600))
	hup()
	eventually(t, 30*time.Second, "the refusal in the logs", func() bool {
		return strings.Contains(p.logs.String(), "policy reload refused") && strings.Contains(p.logs.String(), "roles.agent.budget.per")
	})
	if got := agentBudget(); got != 90 {
		t.Errorf("after a bad file the budget is %v, want the old 90", got)
	}
	if !strings.Contains(p.logs.String(), "policy.yaml:17") {
		t.Errorf("the refusal does not name the line:\n%s", tail(p.logs.String(), 5))
	}
	write("120")
	addMember()
	hup()
	eventually(t, 30*time.Second, "the good file", func() bool { return agentBudget() == 120 })
}
