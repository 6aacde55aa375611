package main

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/internal/faultproxy"
	"github.com/plusone-hq/plusone/store/postgres/pgtest"
)

// pgBehindProxy creates an empty schema for one test and a fault proxy in
// front of PostgreSQL. It returns the URL plusone connects with (through
// the proxy, to the schema) and a direct connection to the schema to look
// at what was stored. Both are dropped when the test ends.
func pgBehindProxy(t *testing.T) (string, *faultproxy.Proxy, *sql.DB) {
	t.Helper()
	direct, err := url.Parse(pgtest.Schema(t))
	if err != nil {
		t.Fatal(err)
	}
	inspect, err := sql.Open("pgx", direct.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inspect.Close() })
	proxy, err := faultproxy.Start(direct.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	via := *direct
	via.Host = proxy.Addr()
	return via.String(), proxy, inspect
}

// sentHook is one webhook sent and what came of it.
type sentHook struct {
	id       string
	sent, at time.Time // when it was sent and answered
	status   int       // 0: no answer
	err      error
}

// sender sends signed generic events to base from several clients until
// stopped, each event once, and keeps every outcome.
type sender struct {
	base   func() string
	client *http.Client
	next   atomic.Int64
	stop   chan struct{}
	wg     sync.WaitGroup

	mu  sync.Mutex
	log []sentHook
}

func startSender(base func() string, clients int, every time.Duration) *sender {
	s := &sender{base: base, client: &http.Client{Timeout: 10 * time.Second}, stop: make(chan struct{})}
	for range clients {
		s.wg.Go(func() {
			for {
				select {
				case <-s.stop:
					return
				case <-time.After(every):
				}
				s.send(fmt.Sprint(s.next.Add(1)))
			}
		})
	}
	return s
}

func faultEvent(id string) []byte {
	n := 0
	fmt.Sscan(id, &n)
	return fmt.Appendf(nil, `{"id":"f-%s","type":"ticket.created","occurred_at":"2026-11-20T10:00:00Z",`+
		`"customer":{"email":"fault%d@example.com","name":"Fault %d"},"ticket":{"id":"F-%s","subject":"Fault ticket %s"}}`,
		id, n%10, n%10, id, id)
}

// send delivers event id once and records the outcome.
func (s *sender) send(id string) sentHook {
	d := sentHook{id: id, sent: time.Now()}
	body := faultEvent(id)
	req, _ := http.NewRequest(http.MethodPost, s.base()+"/webhooks/generic", strings.NewReader(string(body)))
	generic.Sign(req.Header, genericSecret, body, time.Now())
	resp, err := s.client.Do(req)
	d.at = time.Now()
	if err != nil {
		d.err = err
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d.status = resp.StatusCode
	}
	s.mu.Lock()
	s.log = append(s.log, d)
	s.mu.Unlock()
	return d
}

func (s *sender) halt() {
	close(s.stop)
	s.wg.Wait()
}

func (s *sender) deliveries() []sentHook {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sentHook(nil), s.log...)
}

// acked lists the ids of the events answered 2xx.
func acked(ds []sentHook) []string {
	var ids []string
	for _, d := range ds {
		if d.status/100 == 2 {
			ids = append(ids, d.id)
		}
	}
	return ids
}

// probe is one /readyz answer.
type probe struct {
	at     time.Time
	status int
}

// pollReady asks /readyz every interval until stopped.
func pollReady(base string, interval time.Duration) (stop func() []probe) {
	var (
		mu     sync.Mutex
		probes []probe
		done   = make(chan struct{})
		wg     sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second}
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(interval):
			}
			status := 0
			if resp, err := client.Get(base + "/readyz"); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			mu.Lock()
			probes = append(probes, probe{time.Now(), status})
			mu.Unlock()
		}
	})
	return func() []probe {
		close(done)
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return probes
	}
}

// inboxStates reads every generic event's state from the store.
func inboxStates(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT dedupe_key, state FROM inbox WHERE source = 'generic'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, s string
		if err := rows.Scan(&k, &s); err != nil {
			t.Fatal(err)
		}
		out[k] = s
	}
	return out
}

// The open connections to PostgreSQL freeze (new ones still work) while
// webhooks arrive steadily: every webhook is answered within 10 s, 2xx
// (stored over a fresh connection) or 503, never silence; /readyz says
// 503 while writes fail; after the freeze, processing resumes within 10 s;
// every acknowledged event is applied and its card reaches Slack.
func TestPostgresFrozenConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("freezes the database for seconds")
	}
	t.Parallel()
	dbURL, proxy, db := pgBehindProxy(t)
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	env["PLUSONE_DATABASE_URL"] = replicaURL(dbURL)
	// Cards posted while their sentHook could not be recorded are looked
	// up again when their lease ends; a short one keeps the test short.
	env["PLUSONE_LEASE"] = "20s"
	app := startApp(t, env)
	t.Cleanup(func() {
		if t.Failed() {
			var events, cards string
			_ = db.QueryRow(`SELECT string_agg(dedupe_key || ' ' || state || ' ' || attempts || ' ' || COALESCE(locked_by, '-') || ' ' || last_error, '; ') FROM inbox WHERE state <> 'done'`).Scan(&events)
			_ = db.QueryRow(`SELECT string_agg(key || ' v' || version || ' d' || delivered || ' ' || state || ' ' || COALESCE(locked_by, '-') || ' ' || last_error, '; ') FROM cards WHERE version > delivered`).Scan(&cards)
			t.Logf("events not done: %s\ncards not delivered: %s\nlogs:\n%s", events, cards, tail(app.logs.String(), 60))
		}
	})
	eventually(t, 20*time.Second, "ready", func() bool {
		resp, err := app.client.Get(app.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})

	send := startSender(func() string { return app.base }, 4, 100*time.Millisecond)
	stopPolling := pollReady(app.base, 100*time.Millisecond)
	eventually(t, 30*time.Second, "cards flowing before the freeze", func() bool {
		return len(slack.posts()) >= 20
	})

	frozeAt := time.Now()
	proxy.Freeze()
	eventually(t, 10*time.Second, "a webhook answered 503 or stored over a fresh connection during the freeze", func() bool {
		for _, d := range send.deliveries() {
			if d.sent.After(frozeAt) && (d.status == http.StatusServiceUnavailable || d.status/100 == 2) {
				return true
			}
		}
		return false
	})
	// Hold the freeze past the store's own deadline (10 s), so that every
	// call that was on a frozen connection has given up.
	for time.Since(frozeAt) < 12*time.Second {
		time.Sleep(100 * time.Millisecond)
	}
	resumedAt := time.Now()
	proxy.Resume()

	// Processing resumes: events are applied again within 10 s.
	eventually(t, 10*time.Second, "an event applied after the freeze", func() bool {
		var n int
		err := db.QueryRow(`SELECT COUNT(*) FROM inbox WHERE state = 'done' AND done_at > $1`, resumedAt.UnixMicro()).Scan(&n)
		return err == nil && n > 0
	})
	processedIn := time.Since(resumedAt)
	eventually(t, 10*time.Second, "/readyz 200 after the freeze", func() bool {
		resp, err := app.client.Get(app.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	send.halt()
	probes := stopPolling()
	ds := send.deliveries()

	// Never silence: every webhook got an answer, 2xx or 503, in time.
	var during, stored, refused int
	var slowest time.Duration
	for _, d := range ds {
		if d.err != nil || (d.status/100 != 2 && d.status != http.StatusServiceUnavailable) {
			t.Errorf("webhook %s sent %s after the freeze began: status %d, %v", d.id, d.sent.Sub(frozeAt).Round(time.Millisecond), d.status, d.err)
		}
		if d.sent.After(frozeAt) && d.sent.Before(resumedAt) {
			during++
			switch {
			case d.status/100 == 2:
				stored++
			case d.status == http.StatusServiceUnavailable:
				refused++
			}
			slowest = max(slowest, d.at.Sub(d.sent))
		}
	}
	// /readyz was 503 while writes failed.
	var ready503, readyAll int
	firstFail, lastFail := time.Time{}, time.Time{}
	for _, p := range probes {
		if p.at.After(frozeAt) && p.at.Before(resumedAt) {
			readyAll++
			if p.status == http.StatusServiceUnavailable {
				ready503++
			}
		}
	}
	for _, d := range ds {
		if d.status == http.StatusServiceUnavailable {
			if firstFail.IsZero() {
				firstFail = d.at
			}
			lastFail = d.at
		}
	}
	// Writes on the frozen connections failed or hung (the workers' at
	// least, whose connections were open when it began).
	if ready503 == 0 {
		t.Errorf("/readyz never said 503 during the freeze (%d probes; %d webhooks refused with 503)", readyAll, refused)
	}

	// Nothing acknowledged is lost: every 2xx event is applied and has its card.
	ids := acked(ds)
	eventually(t, 90*time.Second, "every acknowledged event applied and its card posted", func() bool {
		states := inboxStates(t, db)
		posts := slack.posts()
		for _, id := range ids {
			if states["f-"+id] != "done" || len(posts["generic:F-"+id]) == 0 {
				return false
			}
		}
		return true
	})
	duplicates := 0
	for _, id := range ids {
		duplicates += max(0, len(slack.posts()["generic:F-"+id])-1)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].sent.Before(ds[j].sent) })
	t.Logf("freeze of %s: %d webhooks sent during it, %d stored, %d answered 503 (first %s, last %s after the freeze began), slowest answer %s; "+
		"/readyz 503 in %d of %d probes during the freeze; events applied again %s after it; "+
		"%d events acknowledged in all, every one applied and carded; %d duplicate cards",
		resumedAt.Sub(frozeAt).Round(time.Millisecond), during, stored, refused,
		firstFail.Sub(frozeAt).Round(time.Millisecond), lastFail.Sub(frozeAt).Round(time.Millisecond), slowest.Round(time.Millisecond),
		ready503, readyAll, processedIn.Round(time.Millisecond), len(ids), duplicates)
}

// With PostgreSQL blackholed (open and new connections hear nothing), a
// SIGTERM ends the binary within PLUSONE_SHUTDOWN_TIMEOUT plus a small
// margin, and every event acknowledged before is in the store.
func TestShutdownWithDatabaseBlackholed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and blackholes the database")
	}
	t.Parallel()
	const timeout, margin = 5 * time.Second, 3 * time.Second
	dbURL, proxy, db := pgBehindProxy(t)
	bin := buildBinary(t)
	slack := newFakeSlack(t)
	env := baseEnv(t, slack)
	env["PLUSONE_DATABASE_URL"] = replicaURL(dbURL)
	env["PLUSONE_SHUTDOWN_TIMEOUT"] = timeout.String()
	p := startProcess(t, bin, env)

	send := startSender(func() string { return p.base }, 4, 20*time.Millisecond)
	eventually(t, 30*time.Second, "events applied before the blackhole", func() bool { return len(slack.posts()) >= 10 })
	holedAt := time.Now()
	proxy.Blackhole()
	// The store is stuck once intake starts refusing.
	eventually(t, 15*time.Second, "a webhook refused with 503", func() bool {
		for _, d := range send.deliveries() {
			if d.sent.After(holedAt) && d.status == http.StatusServiceUnavailable {
				return true
			}
		}
		return false
	})
	termAt := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("still running 60 s after SIGTERM:\n%s", tail(p.logs.String(), 30))
	}
	took := time.Since(termAt)
	send.halt()
	if took > timeout+margin {
		t.Errorf("exited %s after SIGTERM, want within %s + %s:\n%s", took.Round(time.Millisecond), timeout, margin, tail(p.logs.String(), 30))
	}
	proxy.Resume()
	ids := acked(send.deliveries())
	states := inboxStates(t, db)
	for _, id := range ids {
		if _, ok := states["f-"+id]; !ok {
			t.Errorf("acknowledged event %s is not in the store", id)
		}
	}
	t.Logf("SIGTERM with the database blackholed for %s: exited after %s (PLUSONE_SHUTDOWN_TIMEOUT=%s); %d acknowledged events all stored",
		termAt.Sub(holedAt).Round(time.Millisecond), took.Round(time.Millisecond), timeout, len(ids))
}

// SQLite stalled: another process holds the database's write lock (a
// backup tool, a sqlite3 shell left in a transaction). /readyz says 503
// (nothing can be applied); webhooks are still acknowledged, from the spool
// beside the file, within the intake timeout, never left waiting; when the
// lock goes, /readyz recovers and every acknowledged event is applied. (A full disk is tested in store/sqlite: SQLite's
// max_page_count gives the same SQLITE_FULL without filling a disk.)
func TestSQLiteWriteLockedElsewhere(t *testing.T) {
	if testing.Short() {
		t.Skip("holds the database's write lock for seconds")
	}
	t.Parallel()
	slack := newFakeSlack(t)
	app := startApp(t, baseEnv(t, slack))
	send := startSender(func() string { return app.base }, 2, 100*time.Millisecond)
	defer func() {
		if send != nil {
			send.halt()
		}
	}()
	eventually(t, 30*time.Second, "cards flowing", func() bool { return len(slack.posts()) >= 5 })

	other, err := sql.Open("sqlite", "file:"+app.dbPath+"?_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.Begin() // BEGIN IMMEDIATE: the write lock, until rollback
	if err != nil {
		t.Fatal(err)
	}
	lockedAt := time.Now()
	readyz := func() int {
		resp, err := app.client.Get(app.base + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	eventually(t, 15*time.Second, "/readyz 503 while the write lock is held elsewhere", func() bool {
		return readyz() == http.StatusServiceUnavailable
	})
	notReadyAfter := time.Since(lockedAt)
	eventually(t, 10*time.Second, "webhooks acknowledged while /readyz says 503", func() bool {
		n := 0
		for _, d := range send.deliveries() {
			if d.sent.After(lockedAt.Add(notReadyAfter)) && d.status/100 == 2 {
				n++
			}
		}
		return n >= 5
	})
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	releasedAt := time.Now()
	eventually(t, 15*time.Second, "/readyz 200 after the lock is released", func() bool { return readyz() == http.StatusOK })
	readyAfter := time.Since(releasedAt)
	send.halt()
	ds := send.deliveries()
	send = nil
	for _, d := range ds {
		if d.err != nil || (d.status/100 != 2 && d.status != http.StatusServiceUnavailable) {
			t.Errorf("webhook %s: status %d, %v", d.id, d.status, d.err)
		}
	}
	ids := acked(ds)
	store := inspectStore(t, app.dbPath)
	settled(t, store)
	posts := slack.posts()
	for _, id := range ids {
		if len(posts["generic:F-"+id]) == 0 {
			t.Errorf("acknowledged event %s has no card", id)
		}
	}
	t.Logf("write lock held elsewhere for %s: /readyz 503 after %s, 200 again %s after the release; %d events acknowledged, all carded",
		releasedAt.Sub(lockedAt).Round(time.Millisecond), notReadyAfter.Round(time.Millisecond), readyAfter.Round(time.Millisecond), len(ids))
}
