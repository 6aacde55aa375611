package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/integrations/slackchat"
)

// slackPost sends a request signed as Slack signs it.
func slackPost(t *testing.T, a *testApp, path, contentType, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	slackchat.Sign(req.Header, "slack-signing-secret", []byte(body), time.Now())
	resp, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, mustRead(resp))
	return resp.StatusCode, b.String()
}

func mustRead(resp *http.Response) string {
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}

func command(t *testing.T, a *testApp, slack *fakeSlack, user, text string) (int, string) {
	form := url.Values{"command": {"/plusone"}, "text": {text}, "user_id": {user}, "user_name": {"ana"},
		"team_id": {"T0OURS"}, "channel_id": {"C0CARDS"}, "response_url": {slack.srv.URL + "/response/cmd"}, "trigger_id": {"trig-1"}}
	return slackPost(t, a, "/slack/commands", "application/x-www-form-urlencoded", form.Encode())
}

func interaction(t *testing.T, a *testApp, payload any) (int, string) {
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return slackPost(t, a, "/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(b)}}.Encode())
}

// customersForSlack gives the app Jane (with an open ticket and a card)
// and Janet.
func customersForSlack(t *testing.T, app *testApp, slack *fakeSlack) {
	app.send(genericEvent(`{"id":"j1","type":"ticket.created","occurred_at":"2026-11-20T09:00:00Z","customer":{"email":"jane@example.com","name":"Jane Doe"},
		"ticket":{"id":"T-1","subject":"Where is my order?","url":"https://acme.zendesk.com/agent/tickets/5158"}}`))
	app.send(genericEvent(`{"id":"j2","type":"order.created","occurred_at":"2026-11-01T09:00:00Z","customer":{"email":"jane@example.com"},
		"order":{"id":"O-1","total":120.00,"currency":"USD"}}`))
	app.send(genericEvent(`{"id":"j3","type":"customer.updated","customer":{"email":"janet@example.com","name":"Janet Roe"}}`))
	eventually(t, 30*time.Second, "Jane's card", func() bool { return len(slack.posts()["generic:T-1"]) == 1 })
	// Her order and Janet are applied by other workers, maybe after the card.
	settled(t, inspectStore(t, app.dbPath))
}

func TestSlashCommandLookup(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app := startApp(t, baseEnv(t, slack))
	customersForSlack(t, app, slack)

	status, body := command(t, app, slack, "U0ANA", "jane@example.com")
	if status != 200 || !strings.Contains(body, `"response_type":"ephemeral"`) || !strings.Contains(body, "Jane Doe") ||
		!strings.Contains(body, "Where is my order?") || !strings.Contains(body, `$120`) {
		t.Fatalf("lookup by email: %d %s", status, body)
	}
	status, body = command(t, app, slack, "U0ANA", "Jan")
	if status != 200 || !strings.Contains(body, "Jane Doe") || !strings.Contains(body, "Janet Roe") || !strings.Contains(body, view.ActionShowCustomer) {
		t.Fatalf("lookup by name prefix: %d %s", status, body)
	}
	status, body = command(t, app, slack, "U0ANA", "zebulon")
	if status != 200 || !strings.Contains(body, "ephemeral") {
		t.Errorf("no match: %d %s", status, body)
	}
	status, body = command(t, app, slack, "U0ANA", "help")
	if status != 200 || !strings.Contains(body, "save_note") && !strings.Contains(body, "Save as note") {
		t.Errorf("help: %d %s", status, body)
	}
	// Choosing from the list shows her card to the asker only.
	var choice map[string]any
	_ = json.Unmarshal([]byte(body), &choice)
	store := inspectStore(t, app.dbPath)
	var janet int64
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(context.Background(), plusone.Identity{Kind: "email", Value: "janet@example.com"})
		janet = c.ID
		return err
	}))
	status, _ = interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0ANA"},
		"team": map[string]string{"id": "T0OURS"}, "trigger_id": "trig-2", "response_url": slack.srv.URL + "/response/choice",
		"actions": []map[string]string{{"action_id": view.ActionShowCustomer, "value": fmt.Sprint(janet), "block_id": "b"}}})
	if status != 200 {
		t.Fatalf("show_customer: %d", status)
	}
	eventually(t, 30*time.Second, "the chosen card on the response URL", func() bool { return len(slack.callsTo("response/choice")) == 1 })
	resp := slack.callsTo("response/choice")[0].Body
	if !strings.Contains(resp, "Janet Roe") || !strings.Contains(resp, `"response_type":"ephemeral"`) || !strings.Contains(resp, `"replace_original":true`) {
		t.Errorf("chosen card: %s", resp)
	}
	// Bad signatures are refused.
	req, _ := http.NewRequest(http.MethodPost, app.base+"/slack/commands", strings.NewReader("command=%2Fplusone&text=jane"))
	slackchat.Sign(req.Header, "wrong", []byte("command=%2Fplusone&text=jane"), time.Now())
	if resp, err := app.client.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("bad signature: %v %v", resp.StatusCode, err)
	}
}

func TestNotesByCommandShortcutAndModal(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app := startApp(t, baseEnv(t, slack))
	customersForSlack(t, app, slack)
	card := slack.posts()["generic:T-1"][0]

	// 1. By command.
	if status, body := command(t, app, slack, "U0ANA", "note jane@example.com Prefers a call after 5pm"); status != 200 || !strings.Contains(body, "Jane Doe") {
		t.Fatalf("note command: %d %s", status, body)
	}
	if _, body := command(t, app, slack, "U0ANA", "note nobody@example.com hi"); !strings.Contains(body, "no customer with the email") {
		t.Errorf("note for an unknown email: %s", body)
	}
	// 2. By shortcut, on a message in the card's thread: no question asked.
	status, _ := interaction(t, app, map[string]any{"type": "message_action", "callback_id": view.ShortcutSaveNote,
		"user": map[string]string{"id": "U0BEN"}, "team": map[string]string{"id": "T0OURS", "domain": "acme"},
		"channel": map[string]string{"id": cardChannel}, "trigger_id": "trig-3", "response_url": slack.srv.URL + "/response/short",
		"message": map[string]string{"type": "message", "text": "She is moving house on the 28th", "ts": "1700000099.000100", "thread_ts": card.TS}})
	if status != 200 {
		t.Fatalf("shortcut: %d", status)
	}
	eventually(t, 30*time.Second, "the shortcut's confirmation", func() bool { return len(slack.callsTo("response/short")) == 1 })
	// 3. By the card's button and its modal.
	store := inspectStore(t, app.dbPath)
	var jane int64
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		c, err := tx.CustomerByIdentity(context.Background(), plusone.Identity{Kind: "email", Value: "jane@example.com"})
		jane = c.ID
		return err
	}))
	if !strings.Contains(card.Blocks, view.ActionAddNote) {
		t.Fatalf("the card has no add-note button: %s", card.Blocks)
	}
	status, _ = interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0CAT"},
		"team": map[string]string{"id": "T0OURS"}, "trigger_id": "trig-4", "channel": map[string]string{"id": cardChannel},
		"message": map[string]string{"ts": card.TS}, "response_url": slack.srv.URL + "/response/btn",
		"actions": []map[string]string{{"action_id": view.ActionAddNote, "value": fmt.Sprint(jane), "block_id": "b"}}})
	if status != 200 {
		t.Fatalf("add_note: %d", status)
	}
	eventually(t, 30*time.Second, "the note modal", func() bool { return len(slack.callsTo("views.open")) == 1 })
	modal := slack.callsTo("views.open")[0].Body
	if !strings.Contains(modal, view.ViewNote) || !strings.Contains(modal, `trig-4`) {
		t.Errorf("modal: %s", modal)
	}
	meta := view.NoteMetadata(view.NoteMeta{CustomerID: jane, Channel: cardChannel, ThreadTS: card.TS})
	submit := func(values map[string]map[string]map[string]string) (int, string) {
		return interaction(t, app, map[string]any{"type": "view_submission", "user": map[string]string{"id": "U0CAT"},
			"team": map[string]string{"id": "T0OURS"}, "view": map[string]any{"callback_id": view.ViewNote, "private_metadata": meta,
				"state": map[string]any{"values": values}}})
	}
	input := func(v string) map[string]string { return map[string]string{"type": "plain_text_input", "value": v} }
	status, body := submit(map[string]map[string]map[string]string{view.BlockPrefKey: {view.ActionPrefKey: input("size")}})
	if status != 200 || !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, view.BlockPrefValue) {
		t.Errorf("half a preference: %d %s", status, body)
	}
	status, body = submit(map[string]map[string]map[string]string{
		view.BlockNoteText:  {view.ActionNoteText: input("Loves the loyalty stickers")},
		view.BlockPrefKey:   {view.ActionPrefKey: input("tire size")},
		view.BlockPrefValue: {view.ActionPrefValue: input("225/45R17")}})
	if status != 200 || strings.Contains(body, "errors") {
		t.Fatalf("modal submission: %d %s", status, body)
	}
	// Her next card shows all three notes, with author and date, and the preference.
	eventually(t, 30*time.Second, "the card to show the notes", func() bool {
		m, _ := slack.message("generic:T-1")
		return strings.Contains(m.Blocks, "Prefers a call after 5pm") && strings.Contains(m.Blocks, "moving house") &&
			strings.Contains(m.Blocks, "loyalty stickers") && strings.Contains(m.Blocks, "225/45R17")
	})
	m, _ := slack.message("generic:T-1")
	blocks := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(m.Blocks)
	for _, want := range []string{"<@U0ANA>", "<@U0BEN>", "<@U0CAT>"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("card lacks the author %s: %s", want, m.Blocks)
		}
	}
	if len(slack.posts()["generic:T-1"]) != 1 {
		t.Error("notes made a second card")
	}
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		notes, err := tx.Notes(context.Background(), jane, 10)
		if err != nil {
			return err
		}
		vias := map[string]string{}
		for _, n := range notes {
			vias[n.Via] = n.Author
			if n.Via == plusone.NoteViaShortcut && n.Link != "https://acme.slack.com/archives/C0CARDS/p1700000099000100" {
				t.Errorf("shortcut note link %q", n.Link)
			}
		}
		if vias[plusone.NoteViaCommand] != "U0ANA" || vias[plusone.NoteViaShortcut] != "U0BEN" || vias[plusone.NoteViaModal] != "U0CAT" {
			t.Errorf("notes = %+v", notes)
		}
		return nil
	}))
	// A shortcut on a message elsewhere asks which customer, then saves.
	status, _ = interaction(t, app, map[string]any{"type": "message_action", "callback_id": view.ShortcutSaveNote,
		"user": map[string]string{"id": "U0DAN"}, "team": map[string]string{"id": "T0OURS", "domain": "acme"},
		"channel": map[string]string{"id": "C0OTHER"}, "trigger_id": "trig-5", "response_url": slack.srv.URL + "/response/else",
		"message": map[string]string{"type": "message", "text": "Jane called about the invoice", "ts": "1700000200.000100"}})
	if status != 200 {
		t.Fatal(status)
	}
	eventually(t, 30*time.Second, "the save-note modal", func() bool { return len(slack.callsTo("views.open")) == 2 })
	var opened struct {
		View struct {
			PrivateMetadata string `json:"private_metadata"`
			CallbackID      string `json:"callback_id"`
		} `json:"view"`
	}
	_ = json.Unmarshal([]byte(slack.callsTo("views.open")[1].Body), &opened)
	if opened.View.CallbackID != view.ViewSaveNote {
		t.Fatalf("second modal: %+v", opened)
	}
	saveMeta := opened.View.PrivateMetadata
	post := func(email string) (int, string) {
		return interaction(t, app, map[string]any{"type": "view_submission", "user": map[string]string{"id": "U0DAN"},
			"view": map[string]any{"callback_id": view.ViewSaveNote, "private_metadata": saveMeta,
				"state": map[string]any{"values": map[string]any{view.BlockCustomerEmail: map[string]any{view.ActionCustomerEmail: input(email)}}}}})
	}
	if status, body := post("nobody@example.com"); status != 200 || !strings.Contains(body, view.BlockCustomerEmail) {
		t.Errorf("unknown email: %d %s", status, body)
	}
	if status, body := post("jane@example.com"); status != 200 || strings.Contains(body, "errors") {
		t.Errorf("save-note submission: %d %s", status, body)
	}
	eventually(t, 30*time.Second, "the fourth note on the card", func() bool {
		m, _ := slack.message("generic:T-1")
		return strings.Contains(m.Blocks, "invoice") || strings.Contains(m.Blocks, "and 1 more")
	})
}

func TestUnfurlAndAppHome(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	app := startApp(t, baseEnv(t, slack))
	customersForSlack(t, app, slack)
	command(t, app, slack, "U0ANA", "jane@example.com") // Ana helped Jane

	// The ticket of the generic source has a Zendesk-shaped URL only; use a
	// Zendesk ticket to unfurl.
	app.send(zendeskTrigger("inv-z", `{"plusone":"zendesk-trigger/1","event":"created","ticket":{"id":"9001","subject":"Refund","status":"Open"},
		"requester":{"id":"5","email":"jane@example.com","name":"Jane Doe"}}`))
	settled(t, inspectStore(t, app.dbPath))
	shared := `{"token":"x","team_id":"T0OURS","type":"event_callback","event_id":"Ev0LINK","event_time":1763636645,
		"event":{"type":"link_shared","channel":"C0CARDS","user":"U0ANA","message_ts":"1700000300.000100",
		"links":[{"domain":"acme.zendesk.com","url":"https://acme.zendesk.com/agent/tickets/9001"},{"domain":"example.com","url":"https://example.com/x"}]}}`
	if status, _ := slackPost(t, app, "/slack/events", "application/json", shared); status != 200 {
		t.Fatalf("link_shared: %d", status)
	}
	eventually(t, 30*time.Second, "chat.unfurl", func() bool { return len(slack.callsTo("chat.unfurl")) == 1 })
	u := slack.callsTo("chat.unfurl")[0]
	if u.Channel != "C0CARDS" || !strings.Contains(u.Body, "https://acme.zendesk.com/agent/tickets/9001") || !strings.Contains(u.Body, "Jane Doe") ||
		strings.Contains(u.Body, "example.com/x") {
		t.Errorf("unfurl: %+v", u)
	}
	home := `{"token":"x","team_id":"T0OURS","type":"event_callback","event_id":"Ev0HOME","event_time":1763636645,
		"event":{"type":"app_home_opened","user":"U0ANA","channel":"D0","tab":"home"}}`
	if status, _ := slackPost(t, app, "/slack/events", "application/json", home); status != 200 {
		t.Fatalf("app_home_opened: %d", status)
	}
	eventually(t, 30*time.Second, "views.publish", func() bool { return len(slack.callsTo("views.publish")) == 1 })
	h := slack.callsTo("views.publish")[0].Body
	if !strings.Contains(h, `"user_id":"U0ANA"`) || !strings.Contains(h, "Jane Doe") || !strings.Contains(h, "Abandoned cart") {
		t.Errorf("home: %s", h)
	}
}
