package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/store/postgres"
	"github.com/plusone-hq/plusone/store/postgres/pgtest"
)

// replicaCluster is several copies of the real program on one PostgreSQL
// schema, all posting to one fake Slack, and a store of the test's own
// to look at what they stored.
type replicaCluster struct {
	apps  []*testApp
	store plusone.Store
	url   string
	// env is what each replica runs with; restart starts one more with it.
	env map[string]string
}

// startReplicas starts n replicas with env (baseEnv and a fresh schema
// underneath it), one after the other so that the first migrates.
func startReplicas(t *testing.T, slack *fakeSlack, n int, env map[string]string) *replicaCluster {
	t.Helper()
	c := &replicaCluster{url: pgtest.Schema(t)}
	full := baseEnv(t, slack)
	for k, v := range env {
		full[k] = v
	}
	full["PLUSONE_DATABASE_URL"] = replicaURL(c.url)
	c.env = full
	for range n {
		c.apps = append(c.apps, startApp(t, full))
	}
	s, err := postgres.Open(context.Background(), c.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c.store = s
	return c
}

// restart stops replica i gracefully and starts a new one in its place.
func (c *replicaCluster) restart(t *testing.T, i int) {
	t.Helper()
	if err := c.apps[i].stop(); err != nil {
		t.Fatalf("stop replica %d: %v", i, err)
	}
	c.apps[i] = startApp(t, c.env)
}

// logs is every replica's log.
func (c *replicaCluster) logs() string {
	var b strings.Builder
	for i, a := range c.apps {
		fmt.Fprintf(&b, "--- replica %d\n%s", i, a.logs.String())
	}
	return b.String()
}

// 10 pending requests, each approved by 6 signed clicks at once spread
// over 3 replicas on one PostgreSQL: 10 approvals charged once each, and
// at Slack one outcome in the card's thread, one to-do and one update of
// the approval request per request.
func TestReplicasApproveOnce(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	policy := filepath.Join(t.TempDir(), "policy.yaml")
	must(t, os.WriteFile(policy, []byte(fmt.Sprintf(gesturePolicy, "90")), 0o600))
	c := startReplicas(t, slack, 3, map[string]string{"PLUSONE_POLICY_FILE": policy, "PLUSONE_API_TOKEN": apiToken})
	ctx := context.Background()
	const customers = 16
	for i := range customers {
		c.apps[i%3].send(genericEvent(fmt.Sprintf(`{"id":"t%d","type":"ticket.created","customer":{"email":"g%d@example.com","name":"Guest %d"},
			"ticket":{"id":"G-%d","subject":"Question %d"}}`, i, i, i, i, i)))
	}
	eventually(t, 60*time.Second, "every card", func() bool { return len(slack.posts()) == customers })
	ids := make([]int64, customers)
	must(t, c.store.View(ctx, func(tx plusone.Tx) error {
		for i := range customers {
			card, err := tx.Card(ctx, fmt.Sprint("generic:G-", i))
			if err != nil {
				return err
			}
			ids[i] = card.CustomerID
		}
		return nil
	}))
	// Six shipments use up U0ANA's budget; ten notes then await approval.
	for i := range customers {
		gesture := "free_express_shipping"
		if i >= 6 {
			gesture = "handwritten_note"
		}
		if status := click(t, c.apps[i%3], slack, "U0ANA", ids[i], i, gesture, fmt.Sprint("ana-", i)); status != 200 {
			t.Fatalf("offer %d: %d", i, status)
		}
		// Slack's clicks are answered at once and done after: one at a
		// time, in order, so that the budget runs out where expected.
		eventually(t, 30*time.Second, "the offer's answer", func() bool { return len(slack.callsTo(fmt.Sprint("response/ana-", i))) == 1 })
	}
	var requests []int64
	eventually(t, 30*time.Second, "10 pending requests", func() bool {
		var entries []plusone.LedgerEntry
		must(t, c.store.View(ctx, func(tx plusone.Tx) error {
			var err error
			entries, err = tx.Pending(ctx, 100)
			return err
		}))
		requests = requests[:0]
		for _, e := range entries {
			requests = append(requests, e.RequestID)
		}
		return len(requests) == 10
	})
	approvals := map[int64]string{} // request → its message in the approvals channel
	eventually(t, 60*time.Second, "10 approval requests at Slack", func() bool {
		for _, p := range slack.callsTo("chat.postMessage") {
			for _, id := range requests {
				if p.Channel == "C0SUPERVISORS" && p.Status == 200 && strings.Contains(p.Blocks, fmt.Sprintf(`"value":"%d"`, id)) {
					approvals[id] = p.TS
				}
			}
		}
		return len(approvals) == 10
	})
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, id := range requests {
		for click := range 6 {
			wg.Go(func() {
				<-start
				status, body := interaction(t, c.apps[click%3], map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0SUP"},
					"team": map[string]string{"id": "T0OURS"}, "response_url": slack.srv.URL + fmt.Sprintf("/response/sup-%d-%d", id, click),
					"channel": map[string]string{"id": "C0SUPERVISORS"}, "message": map[string]string{"ts": approvals[id]},
					// Slack's clicks are answered at once and done after, their
					// actions in order: the approval of an unknown request,
					// answered with an error, says when the real one is done.
					"actions": []map[string]string{{"action_id": view.ActionApproveGesture, "value": fmt.Sprint(id), "block_id": "decide"},
						{"action_id": view.ActionApproveGesture, "value": "999999", "block_id": "decide"}}})
				if status != 200 {
					t.Errorf("approve %d: %d %s", id, status, body)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	eventually(t, 60*time.Second, "every click done", func() bool {
		n := 0
		for _, call := range slack.allCalls() {
			if strings.HasPrefix(call.Method, "response/sup-") {
				n++
			}
		}
		return n == 60
	})
	// Every message queued is sent before Slack is counted.
	eventually(t, 60*time.Second, "the outbox to drain", func() bool {
		pending, _, err := c.store.JobStats(ctx, plusone.JobNotice)
		return err == nil && pending == 0
	})
	var entries []plusone.LedgerEntry
	must(t, c.store.View(ctx, func(tx plusone.Tx) error {
		var err error
		entries, err = tx.Ledger(ctx, plusone.LedgerFilter{Agent: "U0ANA"})
		return err
	}))
	count := map[plusone.LedgerStatus]int{}
	var approvedCharge plusone.Money
	for _, e := range entries {
		count[e.Status]++
		if e.Status == plusone.StatusApproved {
			approvedCharge += e.Charge
		}
	}
	if count[plusone.StatusApproved] != 10 || approvedCharge != 10*4_00 || len(entries) != 26 {
		t.Errorf("ledger %v (%d entries), approvals charged %v; want 10 approved charging 40.00 in 26 entries", count, len(entries), approvedCharge)
	}
	cards := slack.posts()
	for i, id := range requests {
		card := cards[fmt.Sprint("generic:G-", i+6)][0]
		var outcomes, todos, updates int
		for _, p := range slack.allCalls() {
			switch {
			case p.Method == "chat.postMessage" && p.Thread == card.TS && strings.Contains(p.Text+p.Blocks, "approved"):
				outcomes++
			case p.Method == "chat.postMessage" && p.Thread == card.TS && strings.Contains(p.Blocks, view.ActionMarkSent):
				todos++
			case p.Method == "chat.update" && p.TS == approvals[id]:
				updates++
			}
		}
		if outcomes != 1 || todos != 1 || updates != 1 {
			t.Errorf("request %d (card G-%d): %d outcomes, %d to-dos, %d updates of the request at Slack; want one each",
				id, i+6, outcomes, todos, updates)
		}
	}
	if t.Failed() {
		t.Logf("logs:\n%s", tail(c.logs(), 60))
	}
}

// 2,000 events of 400 new customers, each customer's five events sent at
// once to the three replicas: every customer created once, no event fails
// or is retried, no conflict logged, one card per ticket.
func TestReplicasCreateCustomersOnce(t *testing.T) {
	t.Parallel()
	slack := newFakeSlack(t)
	// A short pace, so that the test also shows the replicas keep one pace
	// per channel together without taking minutes.
	const pace = 10 * time.Millisecond
	c := startReplicas(t, slack, 3, map[string]string{"PLUSONE_SLACK_PACE": pace.String()})
	const customers, perCustomer, tickets = 400, 5, 2
	type delivery struct {
		app  *testApp
		body string
	}
	work := make(chan delivery)
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			for d := range work {
				d.app.send(genericEvent(d.body))
			}
		})
	}
	// A customer's events follow each other in the queue, so that the
	// senders deliver them at the same moment to different replicas.
	for i := range customers {
		for j := range perCustomer {
			work <- delivery{app: c.apps[(i+j)%3], body: fmt.Sprintf(`{"id":"e%d-%d","type":"ticket.created",
				"customer":{"email":"new%d@example.com","name":"New %d"},"ticket":{"id":"N-%d-%d","subject":"Question"}}`,
				i, j, i, i, i, j%tickets)}
		}
	}
	close(work)
	wg.Wait()
	ctx := context.Background()
	eventually(t, 90*time.Second, "every card", func() bool {
		st, err := c.store.InboxStats(ctx)
		if err != nil || st.Pending > 0 {
			return false
		}
		pending, _, err := c.store.CardStats(ctx)
		return err == nil && pending == 0
	})
	st, err := c.store.InboxStats(ctx)
	must(t, err)
	if st.Done != customers*perCustomer || st.Parked != 0 {
		t.Errorf("inbox %+v, want %d done", st, customers*perCustomer)
	}
	db, err := sql.Open("pgx", c.url)
	must(t, err)
	defer db.Close()
	var retried, made int
	must(t, db.QueryRowContext(ctx, `SELECT count(*) FROM inbox WHERE attempts > 1`).Scan(&retried))
	must(t, db.QueryRowContext(ctx, `SELECT count(*) FROM customers`).Scan(&made))
	if retried != 0 || made != customers {
		t.Errorf("%d events tried more than once, %d customers; want 0 and %d", retried, made, customers)
	}
	posts := slack.posts()
	if len(posts) != customers*tickets {
		t.Errorf("cards for %d tickets, want %d", len(posts), customers*tickets)
	}
	for ticket, p := range posts {
		if len(p) != 1 {
			t.Errorf("ticket %s: %d cards", ticket, len(p))
		}
	}
	checkPace(t, slack, cardChannel, pace)
	logs := c.logs()
	if n := strings.Count(logs, "conflict"); n > 0 {
		t.Errorf("%d conflicts logged", n)
	}
	// The advice to turn autovacuum on is about the server, not the run
	// (the development machine's PostgreSQL runs without it).
	n := 0
	for _, line := range strings.Split(logs, "\n") {
		if (strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`)) &&
			!strings.Contains(line, "autovacuum off") {
			n++
		}
	}
	if n > 0 {
		t.Errorf("%d warnings or errors logged:\n%s", n, tail(logs, 40))
	}
}
