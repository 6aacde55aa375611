package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/helpscout"
)

// slackWithAna is a fake Slack whose users.info knows Ana (U0ANA) and her
// email, as the helpdesks know her.
func slackWithAna(t *testing.T) *fakeSlack {
	slack := newFakeSlack(t)
	slack.setScript(func(c *slackCall, _ int) (int, string, http.Header, bool) {
		if c.Method != "users.info" {
			return 0, "", nil, false
		}
		return 200, `{"ok":true,"user":{"id":"U0ANA","real_name":"Ana Agent","profile":{"email":"Ana@acme.example","display_name":"ana"}}}`, nil, true
	})
	return slack
}

// TestWorkTicketsFromCard: on a Zendesk, an Intercom and a Freshdesk
// ticket's card, Ana's public reply and internal note (from the Reply
// modal), "Assign to me" and a status change, all signed Slack
// interactions, reach the helpdesk's API exactly once each, although it
// first answers each with a 429 or a 500 (the reply's 500 after storing
// it), and although Slack sends the reply's submission twice; the card's
// thread says what was done ("Replied by Ana Agent · 14:02").
func TestWorkTicketsFromCard(t *testing.T) {
	t.Parallel()
	fail := map[string]failure{
		"reply":  {status: http.StatusInternalServerError, stored: true},
		"note":   {status: http.StatusTooManyRequests},
		"assign": {status: http.StatusInternalServerError},
		"status": {status: http.StatusTooManyRequests},
	}
	for _, tc := range []struct {
		vendor, key string
		env         func(url string) map[string]string
		ticket      func(app *testApp)
		status      plusone.TicketStatus
		statusSent  string
	}{
		{vendor: "zendesk", key: "zendesk:9003", status: plusone.StatusSolved, statusSent: "solved",
			env: func(url string) map[string]string {
				return map[string]string{"PLUSONE_ZENDESK_URL": url, "PLUSONE_ZENDESK_EMAIL": "bot@acme.example", "PLUSONE_ZENDESK_API_TOKEN": "zd-token"}
			},
			ticket: func(app *testApp) {
				app.send(zendeskTrigger("inv-w", `{"plusone":"zendesk-trigger/1","event":"created","ticket":{"id":"9003","subject":"Refund","status":"Open"},
					"requester":{"id":"6","email":"jane@example.com","name":"Jane Doe"}}`))
			}},
		{vendor: "intercom", key: "intercom:215473853299345", status: plusone.StatusSnoozed, statusSent: "snoozed",
			env: func(url string) map[string]string {
				return map[string]string{"PLUSONE_INTERCOM_URL": url, "PLUSONE_INTERCOM_ACCESS_TOKEN": "ic-token", "PLUSONE_INTERCOM_WEBHOOK_SECRET": intercomSecret}
			},
			ticket: func(app *testApp) {
				app.sendSigned("intercom", vendorSample(app.t, "intercom", "conversation.user.created.json"), nil)
			}},
		{vendor: "freshdesk", key: "freshdesk:42", status: plusone.StatusPending, statusSent: "3",
			env: func(url string) map[string]string {
				return map[string]string{"PLUSONE_FRESHDESK_URL": url, "PLUSONE_FRESHDESK_API_KEY": "fd-key", "PLUSONE_FRESHDESK_WEBHOOK_SECRET": "fd-token"}
			},
			ticket: func(app *testApp) {
				req, err := http.NewRequest(http.MethodPost, app.base+"/webhooks/freshdesk", strings.NewReader(vendorSample(app.t, "freshdesk", "ticket_created.json")))
				must(app.t, err)
				req.Header.Set(freshdesk.HeaderToken, "fd-token")
				if ans := app.do(req); ans.Status/100 != 2 {
					app.t.Fatalf("freshdesk webhook: %d %s", ans.Status, ans.Error)
				}
			}},
		{vendor: "helpscout", key: "helpscout:2391938111", status: plusone.StatusSolved, statusSent: "closed",
			env: func(url string) map[string]string {
				return map[string]string{"PLUSONE_HELPSCOUT_URL": url, "PLUSONE_HELPSCOUT_APP_ID": "hs-app", "PLUSONE_HELPSCOUT_APP_SECRET": "hs-secret",
					"PLUSONE_HELPSCOUT_WEBHOOK_SECRET": helpscoutSecret}
			},
			ticket: func(app *testApp) {
				app.sendSigned("helpscout", vendorSample(app.t, "helpscout", "convo.created.json"), map[string]string{helpscout.HeaderEvent: "convo.created"})
			}},
	} {
		t.Run(tc.vendor, func(t *testing.T) {
			t.Parallel()
			desk := newFakeDesk(t, tc.vendor, fail)
			slack := slackWithAna(t)
			env := baseEnv(t, slack)
			env["PLUSONE_HISTORY_DAYS"] = "0"
			env["PLUSONE_MAX_ATTEMPTS"] = "5"
			for k, v := range tc.env(desk.srv.URL) {
				env[k] = v
			}
			app := startApp(t, env)
			tc.ticket(app)
			eventually(t, 30*time.Second, "the card", func() bool { return len(slack.posts()[tc.key]) == 1 })
			card := slack.posts()[tc.key][0]
			if !strings.Contains(card.Blocks, view.ActionReplyTicket) || !strings.Contains(card.Blocks, view.ActionAssignTicket) ||
				!strings.Contains(card.Blocks, view.EncodeStatus(tc.key, tc.status)) {
				t.Fatalf("the card has no ticket controls: %s", card.Blocks)
			}
			_, _ = command(t, app, slack, "U0ANA", "note jane@example.com Prefers email, mornings")
			_, _ = command(t, app, slack, "U0ANA", "note jane.doe@example.com Prefers email, mornings")

			click := func(action map[string]any) {
				t.Helper()
				status, _ := interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0ANA"},
					"team": map[string]string{"id": "T0OURS"}, "trigger_id": "trig-" + tc.vendor, "response_url": slack.srv.URL + "/response/" + tc.vendor,
					"container": map[string]string{"type": "message", "message_ts": card.TS, "channel_id": cardChannel},
					"channel":   map[string]string{"id": cardChannel}, "message": map[string]string{"ts": card.TS},
					"actions": []map[string]any{action}})
				if status != 200 {
					t.Fatalf("block_actions: %d", status)
				}
			}
			// Reply: the modal shows her notes above the text box.
			click(map[string]any{"action_id": view.ActionReplyTicket, "value": tc.key, "block_id": "work", "action_ts": "1.1"})
			eventually(t, 30*time.Second, "the reply modal", func() bool { return len(slack.callsTo("views.open")) == 1 })
			var opened struct {
				View struct {
					PrivateMetadata string `json:"private_metadata"`
					CallbackID      string `json:"callback_id"`
				} `json:"view"`
			}
			modal := slack.callsTo("views.open")[0].Body
			must(t, json.Unmarshal([]byte(modal), &opened))
			if opened.View.CallbackID != view.ViewReplyTicket || !strings.Contains(modal, "Prefers email, mornings") {
				t.Errorf("reply modal: %s", modal)
			}
			submit := func(viewID, kind, text string) {
				t.Helper()
				status, body := interaction(t, app, map[string]any{"type": "view_submission", "user": map[string]string{"id": "U0ANA"},
					"view": map[string]any{"id": viewID, "callback_id": view.ViewReplyTicket, "private_metadata": opened.View.PrivateMetadata,
						"state": map[string]any{"values": map[string]any{
							view.BlockReplyKind: map[string]any{view.ActionReplyKind: map[string]any{"type": "radio_buttons",
								"selected_option": map[string]any{"value": kind}}},
							view.BlockReplyText: map[string]any{view.ActionReplyText: map[string]string{"type": "plain_text_input", "value": text}}}}}})
				if status != 200 || strings.Contains(body, "errors") {
					t.Fatalf("submit %s: %d %s", kind, status, body)
				}
			}
			submit("V-REPLY", "reply", "Your tires ship today.")
			submit("V-REPLY", "reply", "Your tires ship today.") // Slack's retry
			submit("V-NOTE", "note", "Called her back; refund approved.")
			click(map[string]any{"action_id": view.ActionAssignTicket, "value": tc.key, "block_id": "work", "action_ts": "1.2"})
			click(map[string]any{"action_id": view.ActionTicketStatus, "block_id": "work", "action_ts": "1.3", "type": "static_select",
				"selected_option": map[string]any{"value": view.EncodeStatus(tc.key, tc.status)}})

			inThread := func(text string) bool {
				for _, c := range slack.callsTo("chat.postMessage") {
					if c.Thread == card.TS && strings.Contains(c.Blocks, text) {
						return true
					}
				}
				return false
			}
			eventually(t, 60*time.Second, "four results in the card's thread", func() bool {
				return inThread("Replied by Ana Agent") && inThread("Internal note by Ana Agent") && inThread("Assigned to Ana Agent") &&
					inThread(tc.status.Title()+" by Ana Agent")
			})
			settled(t, inspectStore(t, app.dbPath))
			for _, kind := range []string{"reply", "note", "assign", "status"} {
				if n := desk.writes(kind); n != 1 {
					t.Errorf("%s reached %s %d times, want once: %s", kind, tc.vendor, n, desk.state())
				}
			}
			if n := desk.issued(); tc.vendor == "helpscout" && n != 2 {
				t.Errorf("help scout issued %d access tokens, want 2 (the first refused, the second kept): %s", n, desk.state())
			}
			if !strings.Contains(desk.state(), "status "+tc.statusSent) {
				t.Errorf("status sent: %s", desk.state())
			}
			if n := len(slack.callsTo("chat.postEphemeral")); n != 0 {
				t.Errorf("%d errors told to the agent", n)
			}
		})
	}
}

// TestTicketWorkFailsInPlainWords: an agent the helpdesk does not know is
// told so, by a message only she sees; nothing reaches the helpdesk.
func TestTicketWorkFailsInPlainWords(t *testing.T) {
	t.Parallel()
	desk := newFakeDesk(t, "zendesk", nil)
	slack := newFakeSlack(t)
	slack.setScript(func(c *slackCall, _ int) (int, string, http.Header, bool) {
		if c.Method != "users.info" {
			return 0, "", nil, false
		}
		return 200, `{"ok":true,"user":{"id":"U0BOB","real_name":"Bob","profile":{"email":"bob@elsewhere.example"}}}`, nil, true
	})
	env := baseEnv(t, slack)
	env["PLUSONE_HISTORY_DAYS"] = "0"
	env["PLUSONE_ZENDESK_URL"], env["PLUSONE_ZENDESK_EMAIL"], env["PLUSONE_ZENDESK_API_TOKEN"] = desk.srv.URL, "bot@acme.example", "zd-token"
	app := startApp(t, env)
	app.send(zendeskTrigger("inv-f", `{"plusone":"zendesk-trigger/1","event":"created","ticket":{"id":"9003","subject":"Refund","status":"Open"},
		"requester":{"id":"6","email":"jane@example.com","name":"Jane Doe"}}`))
	eventually(t, 30*time.Second, "the card", func() bool { return len(slack.posts()["zendesk:9003"]) == 1 })
	card := slack.posts()["zendesk:9003"][0]
	status, _ := interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0BOB"},
		"team": map[string]string{"id": "T0OURS"}, "trigger_id": "trig", "response_url": slack.srv.URL + "/response/bob",
		"container": map[string]string{"type": "message", "message_ts": card.TS, "channel_id": cardChannel},
		"channel":   map[string]string{"id": cardChannel}, "message": map[string]string{"ts": card.TS},
		"actions": []map[string]any{{"action_id": view.ActionAssignTicket, "value": "zendesk:9003", "block_id": "work", "action_ts": "2.1"}}})
	if status != 200 {
		t.Fatalf("block_actions: %d", status)
	}
	eventually(t, 30*time.Second, "the error, for Bob alone", func() bool { return len(slack.callsTo("chat.postEphemeral")) == 1 })
	e := slack.callsTo("chat.postEphemeral")[0]
	form := e.Blocks + e.Text
	if e.Channel != cardChannel || !strings.Contains(form, "Zendesk has no agent with your Slack email bob@elsewhere.example") {
		t.Errorf("ephemeral: %+v", e)
	}
	if n := desk.writes("assign"); n != 0 {
		t.Errorf("assign reached Zendesk %d times", n)
	}
}
