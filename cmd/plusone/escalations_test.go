package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// escalationPolicy makes a customer with one order of $100 or more an
// advocate (the VIPs), escalates their tickets after 2 s to C0VIP, and
// tickets tagged urgent after 2 s to each supervisor.
const escalationPolicy = `currency: USD
timezone: UTC
tiers:
  loyal: {min_orders: 1}
  advocate: {min_orders: 1, min_spend: 100}
approvals:
  channel: C0SUPERVISORS
  supervisors: [U0SUP, U0SUP2]
escalations:
  - {when: {tier: advocate}, unanswered: 2s, notify: C0VIP}
  - {when: {tag: urgent}, unanswered: 2s, notify: supervisors}
`

// escalationTrigger is a Zendesk trigger body about ticket id of the
// requester (id, email), at at: created, a comment (from the requester
// unless authorID says otherwise), or updated.
func escalationTrigger(event, id, status, tags, requesterID, email string, at time.Time, authorID, comment string) webhook {
	stamp := at.UTC().Format(time.RFC3339)
	return zendeskTrigger(fmt.Sprintf("inv-%s-%s-%d", id, event, at.UnixNano()), fmt.Sprintf(`{"plusone":"zendesk-trigger/1","event":%q,
		"ticket":{"id":%q,"subject":"Ticket %s","url":"https://acme.zendesk.com/agent/tickets/%s","status":%q,"tags":%q,
			"created_at":%q,"updated_at":%q},
		"requester":{"id":%q,"email":%q,"name":"Customer %s"},
		"comment":{"id":"c-%s-%d","author_id":%q,"author":"Someone","body":%q}}`,
		event, id, id, id, status, tags, stamp, stamp, requesterID, email, requesterID, id, at.UnixNano(), authorID, comment))
}

// vipOrder makes the customer of email an advocate (one $420 order).
func vipOrder(email string) webhook {
	return genericEvent(fmt.Sprintf(`{"id":"order-%s","type":"order.created","customer":{"email":%q},
		"order":{"id":"O-%s","total":420.00,"currency":"USD","items":[{"title":"Tires","quantity":4,"price":105.00}]}}`, email, email, email))
}

// escalationCalls counts, for the card of ticket key, the escalation
// messages in its thread and the ones posted to channel (a channel or a
// supervisor) naming the ticket's subject.
func escalationCalls(slack *fakeSlack, key, subject, channel string) (thread, notify int) {
	cards := slack.posts()[key]
	for _, c := range slack.callsTo("chat.postMessage") {
		if c.Status != 200 || !strings.Contains(c.Text, "scalat") && !strings.Contains(c.Text, "waited more than") {
			continue
		}
		switch {
		case len(cards) > 0 && c.Thread == cards[0].TS && c.Channel == cards[0].Channel:
			thread++
		case c.Channel == channel && c.Thread == "" && strings.Contains(c.Text, "“"+subject+"”"):
			notify++
		}
	}
	return thread, notify
}

// timersDecided waits until every escalation timer was fired or cancelled,
// and every message they queued was sent.
func timersDecided(t *testing.T, s plusone.Store) {
	t.Helper()
	ctx := context.Background()
	eventually(t, 90*time.Second, "escalation timers to be decided and their messages sent", func() bool {
		timers, _, err := s.JobStats(ctx, plusone.JobEscalation)
		if err != nil || timers > 0 {
			return false
		}
		notices, _, err := s.JobStats(ctx, plusone.JobNotice)
		return err == nil && notices == 0
	})
}

// TestEscalations: with a rule of 2 s, a VIP's Zendesk ticket nobody
// answers gets exactly one message in its card's thread and one in
// C0VIP, also when she writes again while she waits; one set pending
// gets none, until it is open again without a reply: then one; an urgent ticket gets one in its thread and a direct message to
// each supervisor; a VIP ticket an agent answers before its deadline, and
// one solved before it, get none. (The last two tickets' times lie 6 s
// ahead, so that their deadline cannot pass before the reply or the
// status change is applied, however loaded the machine; the test waits
// for every timer to be decided, not for a time.)
func TestEscalations(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte(escalationPolicy), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	env["PLUSONE_HISTORY_DAYS"] = "0"
	app := startApp(t, env)
	store := inspectStore(t, app.dbPath)

	app.send(vipOrder("vip@example.com"))
	eventually(t, 30*time.Second, "the VIP's order", func() bool {
		c, err := findCustomer(store, "vip@example.com")
		return err == nil && c.Profile.Tier == plusone.TierAdvocate
	})
	now := time.Now()
	ahead := now.Add(6 * time.Second)
	app.send(escalationTrigger("created", "701", "New", "shipping", "71", "vip@example.com", now, "71", "Where are my tires?"))
	// She writes again while she waits: the same wait, one escalation.
	app.send(escalationTrigger("comment", "701", "Open", "shipping", "71", "vip@example.com", now.Add(500*time.Millisecond), "71", "Hello?"))
	// An agent sets a VIP's ticket pending without a reply (its times lie
	// ahead like the next two's, so that pending comes before the deadline).
	app.send(escalationTrigger("created", "705", "New", "shipping", "71", "vip@example.com", ahead, "71", "Wrong rims"))
	app.send(escalationTrigger("updated", "705", "Pending", "shipping", "71", "vip@example.com", ahead.Add(time.Second), "", ""))
	app.send(escalationTrigger("created", "702", "New", "urgent", "72", "someone@example.com", now, "72", "Urgent: wrong size"))
	app.send(escalationTrigger("created", "703", "New", "shipping", "71", "vip@example.com", ahead, "71", "And my rims?"))
	app.send(escalationTrigger("comment", "703", "Open", "shipping", "71", "vip@example.com", ahead.Add(time.Second), "9001", "On their way!"))
	app.send(escalationTrigger("created", "704", "New", "shipping", "71", "vip@example.com", ahead, "71", "Cancel my order"))
	app.send(escalationTrigger("updated", "704", "Solved", "shipping", "71", "vip@example.com", ahead.Add(time.Second), "", ""))

	timersDecided(t, store)
	if thread, notify := escalationCalls(slack, "zendesk:705", "Ticket 705", "C0VIP"); thread != 0 || notify != 0 {
		t.Errorf("a VIP ticket set pending: %d thread and %d C0VIP messages; want none", thread, notify)
	}
	// Open again, without a reply: her wait goes on, past its deadline.
	app.send(escalationTrigger("updated", "705", "Open", "shipping", "71", "vip@example.com", ahead.Add(2*time.Second), "", ""))
	eventually(t, 30*time.Second, "the reopened ticket's timer", func() bool {
		timers, _, err := store.JobStats(context.Background(), plusone.JobEscalation)
		return err == nil && timers > 0 || len(lineWith(app.logs.String(), `"ticket":"zendesk:705"`)) > 0
	})
	timersDecided(t, store)
	for _, id := range []string{"701", "705"} {
		if thread, notify := escalationCalls(slack, "zendesk:"+id, "Ticket "+id, "C0VIP"); thread != 1 || notify != 1 {
			t.Errorf("unanswered VIP ticket %s: %d thread and %d C0VIP messages; want one each", id, thread, notify)
		}
	}
	for _, sup := range []string{"U0SUP", "U0SUP2"} {
		if thread, notify := escalationCalls(slack, "zendesk:702", "Ticket 702", sup); thread != 1 || notify != 1 {
			t.Errorf("urgent ticket: %d thread messages and %d to %s; want one each", thread, notify, sup)
		}
	}
	for _, key := range []string{"zendesk:703", "zendesk:704"} {
		if thread, notify := escalationCalls(slack, key, "Ticket "+strings.TrimPrefix(key, "zendesk:"), "C0VIP"); thread != 0 || notify != 0 {
			t.Errorf("%s (answered or solved in time): %d thread and %d C0VIP messages; want none", key, thread, notify)
		}
	}
	logs := app.logs.String()
	if n := strings.Count(logs, `"msg":"ticket escalated"`); n != 3 {
		t.Errorf("%d escalation log lines, want 3", n)
	}
	for _, private := range []string{"vip@example.com", "someone@example.com", "Where are my tires", "Customer 71", "Ticket 701"} {
		if strings.Contains(lineWith(logs, "ticket escalated"), private) {
			t.Errorf("an escalation log line shows %q", private)
		}
	}
	// Three waits escalated; how many timers were cancelled, and why,
	// depends on the order the webhooks are applied in.
	if m := app.metrics(); !strings.Contains(m, `plusone_escalations_total{outcome="fired"} 3`) ||
		!strings.Contains(m, `plusone_escalations_total{outcome="answered"}`) || !strings.Contains(m, `plusone_escalations_total{outcome="status"}`) {
		t.Errorf("escalation metrics:\n%s", grep(m, "plusone_escalations_total"))
	}
	if t.Failed() {
		t.Logf("logs:\n%s", tail(logs, 60))
	}
}

// findCustomer finds a customer by email in s.
func findCustomer(s plusone.Store, email string) (*plusone.Customer, error) {
	var c *plusone.Customer
	err := s.View(context.Background(), func(tx plusone.Tx) error {
		var err error
		c, err = tx.CustomerByIdentity(context.Background(), plusone.Identity{Kind: plusone.IdentityEmail, Value: email})
		return err
	})
	return c, err
}

// lineWith returns the log lines containing s.
func lineWith(logs, s string) string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestReplicasEscalateOnce: three replicas on one PostgreSQL schema, one
// of them restarted while the timers wait: an unanswered VIP ticket gets
// exactly one message in its card's thread and one in C0VIP, and one an
// agent answers before its deadline none. (The tickets' times lie 20 s
// ahead, so that both timers are seen waiting and the restart comes before
// their deadline however loaded the machine: with 8 s, a CI run on a
// loaded host, 341 s where others took 216–270 s, never saw both waiting.)
func TestReplicasEscalateOnce(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte(escalationPolicy), 0o600))
	c := startReplicas(t, slack, 3, map[string]string{"PLUSONE_POLICY_FILE": policy})
	c.apps[1].send(vipOrder("vip@example.com"))
	eventually(t, 30*time.Second, "the VIP's order", func() bool {
		cust, err := findCustomer(c.store, "vip@example.com")
		return err == nil && cust.Profile.Tier == plusone.TierAdvocate
	})
	ahead := time.Now().Add(20 * time.Second)
	c.apps[0].send(escalationTrigger("created", "801", "New", "shipping", "81", "vip@example.com", ahead, "81", "Where are my tires?"))
	c.apps[1].send(escalationTrigger("created", "802", "New", "shipping", "81", "vip@example.com", ahead, "81", "And my rims?"))
	eventually(t, 30*time.Second, "both timers queued", func() bool {
		timers, _, err := c.store.JobStats(context.Background(), plusone.JobEscalation)
		return err == nil && timers == 2
	})
	// The agent's answer comes once both tickets wait: applied before the
	// ticket it answers, it would have left that ticket no wait to time
	// (the replicas apply in any order what they receive at once).
	c.apps[2].send(escalationTrigger("comment", "802", "Open", "shipping", "81", "vip@example.com", ahead.Add(time.Second), "9001", "On their way!"))
	c.restart(t, 0)

	timersDecided(t, c.store)
	if thread, notify := escalationCalls(slack, "zendesk:801", "Ticket 801", "C0VIP"); thread != 1 || notify != 1 {
		t.Errorf("unanswered VIP ticket: %d thread and %d C0VIP messages; want one each", thread, notify)
	}
	if thread, notify := escalationCalls(slack, "zendesk:802", "Ticket 802", "C0VIP"); thread != 0 || notify != 0 {
		t.Errorf("answered VIP ticket: %d thread and %d C0VIP messages; want none", thread, notify)
	}
	if n := strings.Count(c.logs(), `"msg":"ticket escalated"`); n != 1 {
		t.Errorf("%d escalation log lines over the replicas, want 1", n)
	}
	if t.Failed() {
		t.Logf("logs:\n%s", tail(c.logs(), 80))
	}
}

// TestCardShowsHelpdeskFacts: a Zendesk ticket whose trigger carries its
// assignee, organization, plan and custom fields gets a card showing those
// the policy's card.fields names, in that order; a later webhook that
// reassigns it updates the card.
func TestCardShowsHelpdeskFacts(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte("currency: USD\ncard:\n  fields: [plan, Order ID, assignee, company, Missing]\n"), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	app := startApp(t, env)
	trigger := func(inv, event, assignee string, at time.Time) webhook {
		stamp := at.UTC().Format(time.RFC3339)
		return zendeskTrigger(inv, fmt.Sprintf(`{"plusone":"zendesk-trigger/1","event":%q,
			"ticket":{"id":"901","subject":"Where is my order?","status":"Open","created_at":%q,"updated_at":%q,
				"assignee":%q,"organization":"Acme Corp","plan":"Enterprise","fields":{"Order ID":"#1001","Region":"EU"}},
			"requester":{"id":"91","email":"jane@example.com","name":"Jane Doe"}}`, event, stamp, stamp, assignee))
	}
	now := time.Now().Add(-time.Minute)
	app.send(trigger("inv-facts-1", "created", "Ana Agent", now))
	eventually(t, 30*time.Second, "the card", func() bool { return len(slack.posts()["zendesk:901"]) == 1 })
	card := slack.posts()["zendesk:901"][0].Blocks
	order := []string{"*Plan*\\nEnterprise", "*Order ID*\\n#1001", "*Assignee*\\nAna Agent", "*Company*\\nAcme Corp"}
	last := -1
	for _, f := range order {
		i := strings.Index(card, f)
		if i < 0 || i < last {
			t.Fatalf("the card does not show %q after the facts before it: %s", f, card)
		}
		last = i
	}
	if strings.Contains(card, "Region") || strings.Contains(card, "Missing") {
		t.Errorf("the card shows a field the policy does not name, or one the ticket lacks: %s", card)
	}
	app.send(trigger("inv-facts-2", "updated", "Sam Support", now.Add(time.Second)))
	eventually(t, 30*time.Second, "the card to show the new assignee", func() bool {
		m, ok := slack.message("zendesk:901")
		return ok && strings.Contains(m.Blocks, "*Assignee*\\nSam Support") && strings.Contains(m.Blocks, "*Plan*\\nEnterprise")
	})
}

// TestReplyFromCardCancelsEscalation: a public reply sent from the card
// ends the customer's wait at once, before the helpdesk's webhook says so:
// the ticket's escalation (12 s) is cancelled, and nothing is posted.
func TestReplyFromCardCancelsEscalation(t *testing.T) {
	t.Parallel()
	desk := newFakeDesk(t, "zendesk", nil)
	slack := slackWithAna(t)
	env := baseEnv(t, slack)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte("currency: USD\nescalations:\n  - {when: {source: zendesk}, unanswered: 12s, notify: C0VIP}\n"), 0o600))
	env["PLUSONE_POLICY_FILE"] = policy
	env["PLUSONE_HISTORY_DAYS"] = "0"
	env["PLUSONE_ZENDESK_URL"], env["PLUSONE_ZENDESK_EMAIL"], env["PLUSONE_ZENDESK_API_TOKEN"] = desk.srv.URL, "bot@acme.example", "zd-token"
	app := startApp(t, env)
	store := inspectStore(t, app.dbPath)
	created := time.Now()
	app.send(escalationTrigger("created", "9003", "New", "shipping", "6", "jane@example.com", created, "6", "Refund please"))
	eventually(t, 30*time.Second, "the card", func() bool { return len(slack.posts()["zendesk:9003"]) == 1 })
	card := slack.posts()["zendesk:9003"][0]
	status, _ := interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0ANA"},
		"team": map[string]string{"id": "T0OURS"}, "trigger_id": "trig-esc", "response_url": slack.srv.URL + "/response/esc",
		"container": map[string]string{"type": "message", "message_ts": card.TS, "channel_id": cardChannel},
		"channel":   map[string]string{"id": cardChannel}, "message": map[string]string{"ts": card.TS},
		"actions": []map[string]any{{"action_id": view.ActionReplyTicket, "value": "zendesk:9003", "block_id": "work", "action_ts": "3.1"}}})
	if status != 200 {
		t.Fatalf("block_actions: %d", status)
	}
	eventually(t, 30*time.Second, "the reply modal", func() bool { return len(slack.callsTo("views.open")) == 1 })
	var opened struct {
		View struct {
			PrivateMetadata string `json:"private_metadata"`
		} `json:"view"`
	}
	must(t, json.Unmarshal([]byte(slack.callsTo("views.open")[0].Body), &opened))
	status, body := interaction(t, app, map[string]any{"type": "view_submission", "user": map[string]string{"id": "U0ANA"},
		"view": map[string]any{"id": "V-ESC", "callback_id": view.ViewReplyTicket, "private_metadata": opened.View.PrivateMetadata,
			"state": map[string]any{"values": map[string]any{
				view.BlockReplyKind: map[string]any{view.ActionReplyKind: map[string]any{"type": "radio_buttons",
					"selected_option": map[string]any{"value": "reply"}}},
				view.BlockReplyText: map[string]any{view.ActionReplyText: map[string]string{"type": "plain_text_input", "value": "Refunded."}}}}}})
	if status != 200 || strings.Contains(body, "errors") {
		t.Fatalf("submit: %d %s", status, body)
	}
	eventually(t, 30*time.Second, "the reply at Zendesk", func() bool { return desk.writes("reply") == 1 })
	eventually(t, 30*time.Second, "the reply to end her wait", func() bool {
		var tk *plusone.TicketRecord
		err := store.View(context.Background(), func(tx plusone.Tx) error {
			var err error
			tk, err = tx.Ticket(context.Background(), plusone.SourceZendesk, "9003")
			return err
		})
		return err == nil && tk.WaitingSince.IsZero() && !tk.RepliedAt.IsZero()
	})
	if late := time.Since(created); late > 12*time.Second {
		t.Fatalf("the reply took %v to be recorded, longer than the rule's 12 s: this run cannot tell whether it cancels", late)
	}

	timersDecided(t, store)
	if thread, notify := escalationCalls(slack, "zendesk:9003", "Ticket 9003", "C0VIP"); thread != 0 || notify != 0 {
		t.Errorf("a ticket answered from its card: %d thread and %d C0VIP messages; want none\n%s", thread, notify, tail(app.logs.String(), 30))
	}
	if m := app.metrics(); !strings.Contains(m, `plusone_escalations_total{outcome="answered"} 1`) {
		t.Errorf("escalation metrics:\n%s", grep(m, "plusone_escalations_total"))
	}
}
