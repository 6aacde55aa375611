package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/store/postgres/pgtest"
)

// The acceptance tests of crash recovery across instances: a killed
// process's claimed work is taken over in seconds (not when its one-minute
// leases run out), a card it posted without recording is adopted however
// busy the channel was meanwhile, and replicas keep one pace per channel
// together.

// takeoverTickets is the load of the kill tests: 50 tickets, each opened
// and then written to three times.
func takeoverTickets(prefix string) []takeoverEvent {
	var evs []takeoverEvent
	for c := range 50 {
		evs = append(evs, takeoverEvent{fmt.Sprintf("%s-%d-open", prefix, c), "generic:" + ticketID(prefix, c), fmt.Appendf(nil,
			`{"id":"%s-%d-open","type":"ticket.created","occurred_at":"2026-11-20T10:00:00Z","customer":{"email":"%s%d@example.com","name":"Taker %d"},"ticket":{"id":"%s","subject":"Ticket %d"}}`,
			prefix, c, prefix, c, c, ticketID(prefix, c), c)})
	}
	for m := 1; m <= 3; m++ {
		for c := range 50 {
			evs = append(evs, takeoverEvent{fmt.Sprintf("%s-%d-m%d", prefix, c, m), "generic:" + ticketID(prefix, c), fmt.Appendf(nil,
				`{"id":"%s-%d-m%d","type":"message.received","occurred_at":"2026-11-20T10:%02d:00Z","customer":{"email":"%s%d@example.com"},"ticket":{"id":"%s"},"message":{"text":"message %d"}}`,
				prefix, c, m, m, prefix, c, ticketID(prefix, c), m)})
		}
	}
	return evs
}

func ticketID(prefix string, c int) string { return fmt.Sprintf("%s-T%d", prefix, c) }

type takeoverEvent struct {
	id, ticket string
	body       []byte
}

// postSigned sends one signed generic webhook to base; true when it was
// acknowledged.
func postSigned(client *http.Client, base string, body []byte) bool {
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/generic", strings.NewReader(string(body)))
	generic.Sign(req.Header, genericSecret, body, time.Now())
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode/100 == 2
}

// killMidStream sends evs from 8 clients to the processes' bases in turn,
// kills victim with SIGKILL once Slack holds a post of it and at least half
// the events are acknowledged, and returns the events acknowledged and
// those that were not (the senders will retry them).
func killMidStream(t *testing.T, victim *process, bases []string, evs []takeoverEvent, heldPost <-chan struct{}) (acked map[string]takeoverEvent, unacked []takeoverEvent) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	var (
		mu     sync.Mutex
		n      atomic.Int64
		killed atomic.Bool
		wg     sync.WaitGroup
		next   = make(chan int)
	)
	acked = map[string]takeoverEvent{}
	kill := func() {
		select {
		case <-heldPost:
		default:
			return
		}
		if n.Load() >= int64(len(evs)/2) && killed.CompareAndSwap(false, true) {
			_ = victim.cmd.Process.Signal(syscall.SIGKILL)
		}
	}
	for range 8 {
		wg.Go(func() {
			for i := range next {
				ev := evs[i]
				if !postSigned(client, bases[i%len(bases)], ev.body) {
					mu.Lock()
					unacked = append(unacked, ev)
					mu.Unlock()
					continue
				}
				mu.Lock()
				acked[ev.id] = ev
				mu.Unlock()
				n.Add(1)
				kill()
			}
		})
	}
	for i := range evs {
		next <- i
	}
	close(next)
	wg.Wait()
	if !killed.Load() {
		// Everything was acknowledged before the post was held: kill now.
		<-heldPost
		killed.Store(true)
		_ = victim.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-victim.done
	return acked, unacked
}

// holdFirstPost makes the fake Slack post the first card it is sent but
// never answer: the sender waits for the answer until it is killed, so
// Slack shows a card whose ts plusone never recorded. The channel returned
// is closed once that post arrived.
func holdFirstPost(slack *fakeSlack) <-chan struct{} {
	held := make(chan struct{})
	never := make(chan struct{})
	var once sync.Once
	slack.setHold(func(c *slackCall) <-chan struct{} {
		hold := false
		once.Do(func() { hold = true; close(held) })
		if hold {
			return never
		}
		return nil
	})
	return held
}

// checkOneCardEach fails for every ticket of evs without a card, or with
// more than one.
func checkOneCardEach(t *testing.T, slack *fakeSlack, evs []takeoverEvent) {
	t.Helper()
	posts := slack.posts()
	tickets := map[string]bool{}
	for _, ev := range evs {
		tickets[ev.ticket] = true
	}
	for tk := range tickets {
		if n := len(posts[tk]); n != 1 {
			t.Errorf("ticket %s has %d cards, want 1", tk, n)
		}
	}
}

// resend sends events until each is acknowledged, as webhook senders
// retry.
func resend(t *testing.T, base string, evs []takeoverEvent) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	for _, ev := range evs {
		deadline := time.Now().Add(20 * time.Second)
		for !postSigned(client, base, ev.body) {
			if time.Now().After(deadline) {
				t.Fatalf("event %s never acknowledged", ev.id)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// drained reports whether every stored event was applied and Slack shows
// the latest version of every card.
func drained(db *sql.DB) bool {
	var events, cards int
	err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM inbox WHERE state <> 'done'),
		(SELECT COUNT(*) FROM cards WHERE version > delivered)`).Scan(&events, &cards)
	return err == nil && events == 0 && cards == 0
}

// TestKillTakeoverSQLite: kill -9 with 50 tickets in flight and a card
// posted but not recorded, 5,000 messages posted in the channel meanwhile,
// restart on the same file with the default one-minute lease: every
// acknowledged event's card arrives within 15 s of the restart, and no
// ticket gets a second card.
func TestKillTakeoverSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	t.Parallel()
	bin := buildBinary(t)
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	env["PLUSONE_SLACK_PACE"] = "1ms"
	dbPath := strings.TrimPrefix(env["PLUSONE_DATABASE_URL"], "sqlite:")
	evs := takeoverTickets("sq")

	first := startProcess(t, bin, env)
	held := holdFirstPost(slack)
	acked, unacked := killMidStream(t, first, []string{first.base}, evs, held)
	slack.flood(cardChannel, 5000)

	restart := time.Now()
	second := startProcess(t, bin, env)
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=busy_timeout(10000)")
	must(t, err)
	defer db.Close()
	recovered := awaitRecovery(t, slack, db, acked, restart, second)
	resend(t, second.base, unacked)
	eventually(t, 30*time.Second, "the events sent again applied and delivered", func() bool { return drained(db) })

	checkOneCardEach(t, slack, evs)
	logs := second.logs.String()
	if !strings.Contains(logs, "adopting the card an earlier attempt posted") {
		t.Error("the card posted before the kill was not adopted")
	}
	pages := len(slack.callsTo("conversations.history"))
	if pages <= 25 {
		t.Errorf("the lookup read %d pages of history; the card is behind 5,000 messages (25 pages)", pages)
	}
	t.Logf("kill -9 with %d of %d events acknowledged: every acknowledged event's card delivered %v after the restart; "+
		"%d pages of history read to adopt the card in doubt", len(acked), len(evs), recovered.Round(time.Millisecond), pages)
}

func ticketsOf(evs map[string]takeoverEvent) map[string]bool {
	out := map[string]bool{}
	for _, ev := range evs {
		out[ev.ticket] = true
	}
	return out
}

// waitForLog waits until p logged msg.
func waitForLog(t *testing.T, p *process, msg string) {
	t.Helper()
	eventually(t, 20*time.Second, "log "+msg, func() bool { return strings.Contains(p.logs.String(), msg) })
}

const senderLog = "sending to Slack for every replica"

// TestKillTakeoverPostgres: two instances on one PostgreSQL; the Slack
// sender is killed with 50 tickets in flight and a card posted but not
// recorded, 5,000 messages are posted meanwhile: the live instance takes
// over within a few heartbeats (default lease, one minute), delivers
// every acknowledged event's card within 15 s of the kill, and adopts the
// card in doubt.
func TestKillTakeoverPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	t.Parallel()
	dbURL := pgtest.Schema(t)
	bin := buildBinary(t)
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	env["PLUSONE_SLACK_PACE"] = "1ms"
	env["PLUSONE_DATABASE_URL"] = replicaURL(dbURL)
	evs := takeoverTickets("pg")

	a := startProcess(t, bin, env)
	waitForLog(t, a, senderLog) // a is the sender
	b := startProcess(t, bin, env)
	held := holdFirstPost(slack)
	acked, unacked := killMidStream(t, a, []string{a.base, b.base}, evs, held)
	killed := time.Now()
	slack.flood(cardChannel, 5000)

	db, err := sql.Open("pgx", dbURL)
	must(t, err)
	defer db.Close()
	recovered := awaitRecovery(t, slack, db, acked, killed, b)
	resend(t, b.base, unacked)
	eventually(t, 30*time.Second, "the events sent again applied and delivered", func() bool { return drained(db) })

	checkOneCardEach(t, slack, evs)
	logs := b.logs.String()
	for _, want := range []string{"an instance stopped beating; its claimed work was given back", senderLog,
		"adopting the card an earlier attempt posted"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the surviving instance did not log %q", want)
		}
	}
	t.Logf("kill -9 of the sender with %d of %d events acknowledged: the other instance delivered every acknowledged "+
		"event's card %v after the kill (default heartbeat 2s, lease 1m)", len(acked), len(evs), recovered.Round(time.Millisecond))
}

// TestPaceAcrossReplicas: three replicas on one PostgreSQL post cards to
// one channel with a pace of 200 ms; the sender is stopped half-way and
// another takes over. No two messages reach the channel closer than the
// pace, and every ticket gets one card.
func TestPaceAcrossReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs three binaries")
	}
	t.Parallel()
	const pace = 200 * time.Millisecond
	dbURL := pgtest.Schema(t)
	bin := buildBinary(t)
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	env["PLUSONE_SLACK_PACE"] = pace.String()
	env["PLUSONE_DATABASE_URL"] = replicaURL(dbURL)
	var procs []*process
	for range 3 {
		procs = append(procs, startProcess(t, bin, env))
	}
	var evs []takeoverEvent
	for _, ev := range takeoverTickets("pace") {
		// 24 tickets, opened and written to once: 24 posts and updates.
		if n := ticketNumber(ev.ticket); n < 24 && !strings.HasSuffix(ev.id, "-m2") && !strings.HasSuffix(ev.id, "-m3") {
			evs = append(evs, ev)
		}
	}
	client := &http.Client{Timeout: 5 * time.Second}
	var wg sync.WaitGroup
	for i, ev := range evs {
		wg.Go(func() {
			if !postSigned(client, procs[i%3].base, ev.body) {
				t.Errorf("event %s not acknowledged", ev.id)
			}
		})
	}
	wg.Wait()

	// A quarter of the way, the sender stops (SIGTERM) and another replica
	// takes over.
	eventually(t, 30*time.Second, "a quarter of the cards posted", func() bool { return len(slack.posts()) >= 6 })
	var sender *process
	for _, p := range procs {
		if strings.Contains(p.logs.String(), senderLog) {
			sender = p
		}
	}
	if sender == nil {
		t.Fatal("no replica says it is the sender")
	}
	must(t, sender.cmd.Process.Signal(syscall.SIGTERM))
	<-sender.done

	db, err := sql.Open("pgx", dbURL)
	must(t, err)
	defer db.Close()
	// Whether work was left for another sender: on a slow machine the
	// events may all have been applied and sent before the stop.
	left := !drained(db)
	eventually(t, 60*time.Second, "every card delivered", func() bool { return drained(db) })
	checkOneCardEach(t, slack, evs)

	checkPace(t, slack, cardChannel, pace)
	if !left {
		t.Log("every card was out when the sender stopped: no handover to check this time")
		return
	}
	handovers := 0
	for _, p := range procs {
		if strings.Contains(p.logs.String(), senderLog) {
			handovers++
		}
	}
	if handovers < 2 {
		t.Errorf("%d replicas were the sender; the stopped sender should have been replaced", handovers)
	}
}

func ticketNumber(ticket string) int {
	var n int
	_, _ = fmt.Sscanf(ticket[strings.LastIndex(ticket, "T")+1:], "%d", &n)
	return n
}

// checkPace fails t when two messages (posts or updates) reached channel at
// the fake Slack less than pace apart.
func checkPace(t *testing.T, slack *fakeSlack, channel string, pace time.Duration) {
	t.Helper()
	var at []time.Time
	for _, c := range slack.allCalls() {
		if (c.Method == "chat.postMessage" || c.Method == "chat.update") && c.Channel == channel {
			at = append(at, c.At)
		}
	}
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	const measureSlack = 5 * time.Millisecond // clock and scheduling slack of the measurement
	closest := time.Duration(1 << 62)
	for i := 1; i < len(at); i++ {
		gap := at[i].Sub(at[i-1])
		closest = min(closest, gap)
		if gap < pace-measureSlack {
			t.Errorf("messages %d and %d reached %s %v apart; the pace is %v", i-1, i, channel, gap, pace)
		}
	}
	t.Logf("%d messages to %s, the closest two %v apart (pace %v)", len(at), channel, closest, pace)
}

// awaitRecovery waits until every ticket acknowledged before a kill has its
// card and no work is pending, and says how long after from that took; it
// fails t if that takes more than 15 s, with the logs of p, the process
// expected to recover.
func awaitRecovery(t *testing.T, slack *fakeSlack, db *sql.DB, acked map[string]takeoverEvent, from time.Time, p *process) time.Duration {
	t.Helper()
	ackedTickets := ticketsOf(acked)
	deadline := from.Add(15 * time.Second)
	for {
		posts := slack.posts()
		missing := 0
		for tk := range ackedTickets {
			if len(posts[tk]) == 0 {
				missing++
			}
		}
		if missing == 0 && drained(db) {
			return time.Since(from)
		}
		if time.Now().After(deadline) {
			t.Fatalf("15 s after the kill or restart, %d of %d tickets acknowledged before the kill have no card, or work is pending\nlogs:\n%s",
				missing, len(ackedTickets), tail(p.logs.String(), 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
