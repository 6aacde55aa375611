package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/helpscout"
)

// sharedChannel is the Slack Connect channel shared with Jane's company.
const sharedChannel = "C0SHAREDACME"

// slackWithJane is a fake Slack whose users.info knows Ana (U0ANA), the
// agent, and Jane (U0JANE), the customer in the shared channel.
func slackWithJane(t *testing.T) *fakeSlack {
	slack := newFakeSlack(t)
	slack.setScript(func(c *slackCall, _ int) (int, string, http.Header, bool) {
		if c.Method != "users.info" {
			return 0, "", nil, false
		}
		if c.User == "U0JANE" {
			return 200, `{"ok":true,"user":{"id":"U0JANE","real_name":"Jane Doe","profile":{"email":"Jane.Doe@example.com"}}}`, nil, true
		}
		return 200, `{"ok":true,"user":{"id":"U0ANA","real_name":"Ana Agent","profile":{"email":"Ana@acme.example","display_name":"ana"}}}`, nil, true
	})
	return slack
}

// TestCreateTicketFromSlackMessage: Ana uses the create_ticket shortcut
// on Jane's message in the Slack Connect channel shared with her company
// (customer_channels, by her email or her company's domain). The modal
// offers the configured helpdesk, Jane's email and the message's first
// line as the subject; its submission, sent twice by Slack, creates
// exactly one ticket at the helpdesk's API although the API first answers
// 429 and then 500 after creating it (an answer lost); the ticket's card
// appears once, and the helpdesk's own webhook for the ticket updates that
// card rather than posting another; Ana alone is told the ticket's link.
// The shortcut on a message in the card's thread knows Jane too.
func TestCreateTicketFromSlackMessage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		vendor, title, customerChannel string
		env                            func(url string) map[string]string
		webhook                        func(app *testApp)
		link                           string
	}{
		{vendor: "zendesk", title: "Zendesk", customerChannel: "example.com", link: "/agent/tickets/9200",
			env: func(url string) map[string]string {
				return map[string]string{"PLUSONE_ZENDESK_URL": url, "PLUSONE_ZENDESK_EMAIL": "bot@acme.example", "PLUSONE_ZENDESK_API_TOKEN": "zd-token"}
			},
			webhook: func(app *testApp) {
				app.send(zendeskTrigger("inv-c", `{"plusone":"zendesk-trigger/1","event":"created","ticket":{"id":"9200","subject":"My tires have not arrived","status":"New"},
					"requester":{"id":"6","email":"jane.doe@example.com","name":"Jane Doe"}}`))
			}},
		{vendor: "intercom", title: "Intercom", customerChannel: "jane.doe@example.com", link: "app.intercom.com/a/inbox/abc1def2/",
			env: func(url string) map[string]string {
				return map[string]string{"PLUSONE_INTERCOM_URL": url, "PLUSONE_INTERCOM_ACCESS_TOKEN": "ic-token", "PLUSONE_INTERCOM_WEBHOOK_SECRET": intercomSecret}
			},
			webhook: func(app *testApp) {
				app.sendSigned("intercom", vendorSample(app.t, "intercom", "conversation.user.created.json"), nil)
			}},
		{vendor: "freshdesk", title: "Freshdesk", customerChannel: "jane.doe@example.com", link: "/helpdesk/tickets/42",
			env: func(url string) map[string]string {
				return map[string]string{"PLUSONE_FRESHDESK_URL": url, "PLUSONE_FRESHDESK_API_KEY": "fd-key", "PLUSONE_FRESHDESK_WEBHOOK_SECRET": "fd-token"}
			},
			webhook: func(app *testApp) {
				req, err := http.NewRequest(http.MethodPost, app.base+"/webhooks/freshdesk", strings.NewReader(vendorSample(app.t, "freshdesk", "ticket_created.json")))
				must(app.t, err)
				req.Header.Set(freshdesk.HeaderToken, "fd-token")
				if ans := app.do(req); ans.Status/100 != 2 {
					app.t.Fatalf("freshdesk webhook: %d %s", ans.Status, ans.Error)
				}
			}},
		{vendor: "helpscout", title: "Help Scout", customerChannel: "example.com", link: "secure.helpscout.net/conversation/2391938111",
			env: func(url string) map[string]string {
				return map[string]string{"PLUSONE_HELPSCOUT_URL": url, "PLUSONE_HELPSCOUT_APP_ID": "hs-app", "PLUSONE_HELPSCOUT_APP_SECRET": "hs-secret",
					"PLUSONE_HELPSCOUT_WEBHOOK_SECRET": helpscoutSecret}
			},
			webhook: func(app *testApp) {
				app.sendSigned("helpscout", vendorSample(app.t, "helpscout", "convo.created.json"), map[string]string{helpscout.HeaderEvent: "convo.created"})
			}},
	} {
		t.Run(tc.vendor, func(t *testing.T) {
			t.Parallel()
			desk := newFakeDesk(t, tc.vendor, nil)
			desk.createFails = []failure{{status: http.StatusTooManyRequests}, {status: http.StatusInternalServerError, stored: true}}
			slack := slackWithJane(t)
			env := baseEnv(t, slack)
			env["PLUSONE_HISTORY_DAYS"] = "0"
			env["PLUSONE_MAX_ATTEMPTS"] = "5"
			policy := filepath.Join(t.TempDir(), "policy.yaml")
			must(t, os.WriteFile(policy, []byte("customer_channels:\n  "+sharedChannel+": "+tc.customerChannel+"\n"), 0o600))
			env["PLUSONE_POLICY_FILE"] = policy
			for k, v := range tc.env(desk.srv.URL) {
				env[k] = v
			}
			app := startApp(t, env)
			key := tc.vendor + ":" + createdIDs[tc.vendor]

			shortcut := func(channel, ts, thread, trigger string) {
				t.Helper()
				status, _ := interaction(t, app, map[string]any{"type": "message_action", "callback_id": view.ShortcutCreateTicket,
					"user": map[string]string{"id": "U0ANA"}, "team": map[string]string{"id": "T0OURS", "domain": "acme"},
					"channel": map[string]string{"id": channel}, "trigger_id": trigger, "response_url": slack.srv.URL + "/response/create",
					"message": map[string]string{"type": "message", "user": "U0JANE", "ts": ts, "thread_ts": thread,
						"text": "My tires have not arrived\nOrder #1001 &amp; I leave on Friday. <@U0ANA> can you check?"}})
				if status != 200 {
					t.Fatalf("create_ticket shortcut: %d", status)
				}
			}
			type modal struct {
				View struct {
					CallbackID      string `json:"callback_id"`
					PrivateMetadata string `json:"private_metadata"`
					Blocks          []struct {
						BlockID string `json:"block_id"`
						Element struct {
							InitialValue  string `json:"initial_value"`
							InitialOption struct {
								Value string `json:"value"`
							} `json:"initial_option"`
						} `json:"element"`
					} `json:"blocks"`
				} `json:"view"`
			}
			opened := func(n int) (m modal, values map[string]string) {
				t.Helper()
				eventually(t, 30*time.Second, "the create-ticket modal", func() bool { return len(slack.callsTo("views.open")) == n })
				must(t, json.Unmarshal([]byte(slack.callsTo("views.open")[n-1].Body), &m))
				values = map[string]string{}
				for _, b := range m.View.Blocks {
					values[b.BlockID] = b.Element.InitialValue + b.Element.InitialOption.Value
				}
				return m, values
			}

			shortcut(sharedChannel, "1700000100.000100", "", "trig-1")
			m, values := opened(1)
			if m.View.CallbackID != view.ViewCreateTicket || values[view.BlockTicketDesk] != tc.vendor ||
				values[view.BlockCustomerEmail] != "jane.doe@example.com" || values[view.BlockTicketSubject] != "My tires have not arrived" ||
				values[view.BlockTicketText] != "My tires have not arrived\nOrder #1001 & I leave on Friday. @U0ANA can you check?" {
				t.Fatalf("create-ticket modal: %+v %v", m.View, values)
			}
			submit := func() {
				t.Helper()
				status, body := interaction(t, app, map[string]any{"type": "view_submission", "user": map[string]string{"id": "U0ANA"},
					"view": map[string]any{"id": "V-CREATE", "callback_id": view.ViewCreateTicket, "private_metadata": m.View.PrivateMetadata,
						"state": map[string]any{"values": map[string]any{
							view.BlockTicketDesk: map[string]any{view.ActionTicketDesk: map[string]any{"type": "static_select",
								"selected_option": map[string]any{"value": tc.vendor}}},
							view.BlockCustomerEmail: map[string]any{view.ActionCustomerEmail: map[string]string{"type": "email_text_input", "value": "jane.doe@example.com"}},
							view.BlockTicketSubject: map[string]any{view.ActionTicketSubject: map[string]string{"type": "plain_text_input", "value": "My tires have not arrived"}},
							view.BlockTicketText: map[string]any{view.ActionTicketText: map[string]string{"type": "plain_text_input",
								"value": "My tires have not arrived\nOrder #1001, I leave on Friday."}}}}}})
				if status != 200 || strings.Contains(body, "errors") {
					t.Fatalf("submit: %d %s", status, body)
				}
			}
			submit()
			submit() // Slack's retry

			eventually(t, 60*time.Second, "the ticket's link, to Ana alone", func() bool { return len(slack.callsTo("chat.postEphemeral")) == 1 })
			e := slack.callsTo("chat.postEphemeral")[0]
			if e.Channel != sharedChannel || !strings.Contains(e.Text+e.Blocks, "Created "+tc.title+" ticket "+createdIDs[tc.vendor]) ||
				!strings.Contains(e.Text+e.Blocks, tc.link) {
				t.Errorf("confirmation: %+v", e)
			}
			eventually(t, 30*time.Second, "the card", func() bool { return len(slack.posts()[key]) == 1 })
			card := slack.posts()[key][0]
			if card.Channel != cardChannel || !strings.Contains(card.Text, "My tires have not arrived") {
				t.Errorf("card: %+v", card)
			}

			// The helpdesk's own webhook for the ticket: the same card.
			updates := len(slack.callsTo("chat.update"))
			tc.webhook(app)
			settled(t, inspectStore(t, app.dbPath))
			eventually(t, 30*time.Second, "the card updated", func() bool { return len(slack.callsTo("chat.update")) > updates })
			if n := len(slack.posts()[key]); n != 1 {
				t.Errorf("%d cards for %s, want 1", n, key)
			}
			if got := desk.created(); len(got) != 1 || got[0].email != "jane.doe@example.com" || got[0].subject != "My tires have not arrived" ||
				!strings.Contains(got[0].text, "Order #1001, I leave on Friday.") {
				t.Errorf("tickets created at %s: %+v", tc.vendor, got)
			}

			// In the card's thread, the card's customer.
			shortcut(cardChannel, "1700000200.000100", card.TS, "trig-2")
			if _, values := opened(2); values[view.BlockCustomerEmail] != "jane.doe@example.com" {
				t.Errorf("create-ticket modal in the card's thread: %v", values)
			}
		})
	}
}

// TestCreateTicketFailsInPlainWords: a modal with no customer email is
// sent back with the error under its input and nothing created; a ticket
// the helpdesk refuses (422) is not tried again, and Ana alone is told
// why, in the channel where she used the shortcut.
func TestCreateTicketFailsInPlainWords(t *testing.T) {
	t.Parallel()
	desk := newFakeDesk(t, "zendesk", nil)
	desk.createFails = []failure{{status: http.StatusUnprocessableEntity}}
	slack := slackWithJane(t)
	env := baseEnv(t, slack)
	env["PLUSONE_HISTORY_DAYS"] = "0"
	env["PLUSONE_ZENDESK_URL"], env["PLUSONE_ZENDESK_EMAIL"], env["PLUSONE_ZENDESK_API_TOKEN"] = desk.srv.URL, "bot@acme.example", "zd-token"
	app := startApp(t, env)
	submit := func(email string) string {
		t.Helper()
		status, body := interaction(t, app, map[string]any{"type": "view_submission", "user": map[string]string{"id": "U0ANA"},
			"view": map[string]any{"id": "V-" + email, "callback_id": view.ViewCreateTicket,
				"private_metadata": view.CreateTicketMetadata(view.CreateTicketMeta{Channel: sharedChannel}),
				"state": map[string]any{"values": map[string]any{
					view.BlockTicketDesk: map[string]any{view.ActionTicketDesk: map[string]any{"type": "static_select",
						"selected_option": map[string]any{"value": "zendesk"}}},
					view.BlockCustomerEmail: map[string]any{view.ActionCustomerEmail: map[string]string{"type": "email_text_input", "value": email}},
					view.BlockTicketSubject: map[string]any{view.ActionTicketSubject: map[string]string{"type": "plain_text_input", "value": "Tires"}},
					view.BlockTicketText:    map[string]any{view.ActionTicketText: map[string]string{"type": "plain_text_input", "value": "Late"}}}}}})
		if status != 200 {
			t.Fatalf("submit: %d %s", status, body)
		}
		return body
	}
	if body := submit("jane"); !strings.Contains(body, `"errors"`) || !strings.Contains(body, view.BlockCustomerEmail) {
		t.Errorf("a modal without an email: %s", body)
	}
	if body := submit("jane.doe@example.com"); strings.Contains(body, "errors") {
		t.Fatalf("submit: %s", body)
	}
	eventually(t, 30*time.Second, "the error, for Ana alone", func() bool { return len(slack.callsTo("chat.postEphemeral")) == 1 })
	e := slack.callsTo("chat.postEphemeral")[0]
	if form := e.Text + e.Blocks; e.Channel != sharedChannel ||
		!strings.Contains(form, `Could not create the Zendesk ticket \"Tires\" for jane.doe@example.com: Zendesk refused the ticket`) {
		t.Errorf("ephemeral: %+v", e)
	}
	settled(t, inspectStore(t, app.dbPath))
	if got := desk.created(); len(got) != 0 {
		t.Errorf("tickets created: %+v", got)
	}
	if n := len(slack.posts()); n != 0 {
		t.Errorf("%d cards posted", n)
	}
}
