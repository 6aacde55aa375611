// Command loadtest measures plusone on this machine, against loopback only:
//
//  1. intake: signed generic webhooks, stored durably, from concurrent
//     clients — and, in the same run and with the same clients, a bare
//     net/http handler that only reads the body and answers, as the
//     ceiling of what HTTP on this machine allows;
//  2. latency: events at a steady rate, each opening a ticket, timed from
//     the request to the card reaching a fake Slack (p50/p99).
//
// It builds and starts the plusone binary itself, on a temporary SQLite
// store (or a fresh schema of a PostgreSQL database), with Slack pointed at
// an in-process fake, and reports the plusone process's memory (RSS) and
// CPU in each phase. Every phase is bounded in time and stops by itself.
//
// With -big it measures instead lookups and card builds in a big store,
// which it fills first (see bigstore.go).
//
//	go run ./cmd/loadtest                       # defaults: 10 s intake, 20 s latency at 200/s
//	go run ./cmd/loadtest -duration 5s -rate 100 -clients 32
//	go run ./cmd/loadtest -database postgres://127.0.0.1:5432/test
//	go run ./cmd/loadtest -big 1000000 -timeline 20
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plusone-hq/plusone/integrations/generic"
)

const secret = "loadtest-secret"

func main() {
	var (
		bin      = flag.String("bin", "", "plusone binary (default: build ./cmd/plusone)")
		duration = flag.Duration("duration", 10*time.Second, "length of each intake phase")
		clients  = flag.Int("clients", 32, "concurrent intake clients")
		rate     = flag.Int("rate", 200, "events per second in the latency phase")
		latDur   = flag.Duration("latency-duration", 20*time.Second, "length of the latency phase")
		onlyIn   = flag.Bool("intake-only", false, "stop after the intake phases (to compare two builds quickly)")
		pace     = flag.String("slack-pace", "0s", "PLUSONE_SLACK_PACE for the run (0s: measure plusone, not Slack's 1/s/channel)")
		workers  = flag.String("workers", "4", "PLUSONE_WORKERS")
		vacuum   = flag.Bool("vacuum", true, "on a PostgreSQL server with autovacuum off: vacuum the tables after the backlog, as autovacuum would have")
		database = flag.String("database", "", "postgres://… to run on a fresh schema of that database (default: a temporary SQLite file)")
		big      = flag.Int("big", 0, "instead of the service phases: fill a store with this many customers, then time lookups and card builds")
		timeline = flag.Int("timeline", 20, "with -big: timeline entries per customer")
		lookups  = flag.Int("lookups", 2000, "with -big: lookups and card builds to time, each")
		dir      = flag.String("dir", "", "with -big: directory for the SQLite file (default: a temporary one; removed afterwards)")
		serve    = flag.Bool("bare-serve", false, "(used by the load test itself) serve the bare handler alone and print its address")
	)
	flag.Parse()
	var err error
	switch {
	case *serve:
		err = serveBare()
	case *big > 0:
		err = runBig(*database, *dir, *big, *timeline, *lookups)
	default:
		err = run(*bin, *database, *duration, *clients, *rate, *latDur, *pace, *workers, *onlyIn, *vacuum)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(bin, database string, duration time.Duration, clients, rate int, latDur time.Duration, pace, workers string, intakeOnly, vacuum bool) error {
	dir, err := os.MkdirTemp("", "plusone-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbURL := "sqlite:" + filepath.Join(dir, "load.db")
	var pg *schema
	if database != "" {
		if pg, err = freshSchema(database); err != nil {
			return err
		}
		defer pg.drop()
		dbURL = pg.url
	}
	if bin == "" {
		bin = filepath.Join(dir, "plusone")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/plusone").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	slack := newSlack()
	defer slack.srv.Close()
	base, pid, stop, err := start(bin, map[string]string{
		"PLUSONE_ADDR":                   "127.0.0.1:0",
		"PLUSONE_DATABASE_URL":           dbURL,
		"PLUSONE_GENERIC_WEBHOOK_SECRET": secret,
		"PLUSONE_SLACK_BOT_TOKEN":        "xoxb-load",
		"PLUSONE_SLACK_SIGNING_SECRET":   "load",
		"PLUSONE_SLACK_CHANNEL":          "C0LOAD",
		"PLUSONE_SLACK_API_URL":          slack.srv.URL + "/",
		"PLUSONE_SLACK_PACE":             pace,
		"PLUSONE_WORKERS":                workers,
		"PLUSONE_LOG_LEVEL":              "info",
	})
	if err != nil {
		return err
	}
	defer stop()

	// The bare handler, twice: in this process, beside the clients, and in
	// a process of its own, as plusone and any real service run.
	bare := httptest.NewServer(bareHandler())
	defer bare.Close()
	apart, stopApart, err := startBare()
	if err != nil {
		return err
	}
	defer stopApart()

	store := "SQLite"
	if pg != nil {
		store = "PostgreSQL, " + pg.encryption()
	}
	fmt.Printf("plusone load test — %s, %d clients, %s per intake phase; machine: %d CPUs, load average %s\n",
		store, clients, duration, cpus(), loadavg())
	fmt.Printf("plusone at rest: %s\n\n", sample(pid).end())
	fmt.Println("phase                        requests   req/s     p50       p99       errors")
	seq := &atomic.Int64{}
	bareRes := intake(bare.URL+"/webhooks/generic", duration, clients, seq, "bare")
	bareRes.print("bare net/http handler")
	apartRes := intake(apart+"/webhooks/generic", duration, clients, seq, "apart")
	apartRes.print("bare, in its own process")
	mem := sample(pid)
	plusRes := intake(base+"/webhooks/generic", duration, clients, seq, "intake")
	plusRes.print("plusone signed + durable")
	fmt.Printf("\nplusone intake = %.0f%% of the bare handler's throughput (%.2f×)\n", 100*plusRes.rps()/bareRes.rps(), plusRes.rps()/bareRes.rps())
	fmt.Printf("  and %.2f× of the bare handler in a process of its own\n", plusRes.rps()/apartRes.rps())
	fmt.Printf("  during intake, %s\n", mem.end())
	// CPU per request is steadier than the ratio from run to run: it does
	// not depend on how the 2 CPUs were shared with the clients.
	fmt.Printf("  plusone CPU per accepted webhook: %.0f µs\n\n", float64(mem.used.Microseconds())/float64(max(plusRes.n, 1)))
	if intakeOnly {
		return nil
	}
	mem = sample(pid)

	// Let the intake backlog drain before timing cards. How long it takes
	// is the processing throughput: events applied, then cards posted by
	// the single Slack sender (with no pacing: the real Slack allows about
	// one message per second per channel).
	backlog := metric(base, `plusone_queue_depth{queue="events"}`)
	t0 := time.Now()
	// The limits allow 100 events and 100 cards a second at least (the one
	// card sender posts some 200 a second on PostgreSQL here, then the
	// refreshes of her other cards), and never less than they were.
	atLeast := func(d time.Duration, perSecond float64) time.Duration {
		return max(d, time.Duration(backlog/perSecond*float64(time.Second)))
	}
	if err := drain(base, `plusone_queue_depth{queue="events"} 0`, atLeast(5*time.Minute, 100)); err != nil {
		return err
	}
	eventsTook := time.Since(t0)
	if err := drain(base, `plusone_queue_depth{queue="cards"} 0`, atLeast(10*time.Minute, 100)); err != nil {
		return err
	}
	cardsTook := time.Since(t0)
	cards := metric(base, `plusone_slack_deliveries_total{method="chat.postMessage",outcome="ok"}`)
	fmt.Printf("backlog after intake: %.0f events applied in %s (%.0f/s); %.0f cards posted in all, the last %s after intake\n\n",
		backlog, eventsTook.Round(10*time.Millisecond), backlog/eventsTook.Seconds(), cards, cardsTook.Round(10*time.Millisecond))
	fmt.Printf("  during the backlog, %s\n\n", mem.end())
	if pg != nil && vacuum {
		did, err := pg.vacuumIfOff()
		if err != nil {
			return err
		}
		if did != "" {
			fmt.Printf("%s\n\n", did)
		}
	}
	mem = sample(pid)
	lat, sent, lost, worst := latency(base, slack, rate, latDur, seq)
	fmt.Printf("event → card at %d events/s for %s (%d events, each a new ticket):\n", rate, latDur, sent)
	fmt.Printf("  p50 %s   p90 %s   p99 %s   max %s   cards missing after 30 s: %d\n",
		pct(lat, 50), pct(lat, 90), pct(lat, 99), pct(lat, 100), lost)
	fmt.Printf("  the slowest was sent %.1f s into the phase: its webhook answered in %s, its card %s later\n",
		worst.offset.Seconds(), worst.answer.Round(10*time.Microsecond), worst.card.Round(10*time.Microsecond))
	fmt.Printf("  during the latency phase, %s\n", mem.end())
	fmt.Printf("  Slack calls in all: %.0f chat.postMessage, %.0f chat.update\n",
		metric(base, `plusone_slack_deliveries_total{method="chat.postMessage",outcome="ok"}`),
		metric(base, `plusone_slack_deliveries_total{method="chat.update",outcome="ok"}`))
	return nil
}

// result of one intake phase.
type result struct {
	n, errs int
	elapsed time.Duration
	lat     []time.Duration
}

func (r result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

// bareHandler reads and parses the body, as any webhook handler must, and
// answers the same JSON as plusone: the ceiling of a Go HTTP service on
// this machine, without signatures or storage.
func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var v map[string]any
		if err == nil {
			err = json.Unmarshal(body, &v)
		}
		if err != nil {
			http.Error(w, `{"error":"bad body"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"ok":true,"id":1,"duplicate":false}`)
	})
}

// serveBare serves the bare handler on a free loopback port, printing its
// URL on the first line of the standard output, until the standard input
// closes (the load test that started it ended).
func serveBare() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: bareHandler(), ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("http://%s\n", ln.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startBare runs this program again as the bare handler's own process and
// returns its URL, and what stops it.
func startBare() (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-bare-serve")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	}
	url, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("bare handler's process: %w", err)
	}
	return strings.TrimSpace(url), stop, nil
}

func (r result) print(name string) {
	fmt.Printf("%-28s %-10d %-9.0f %-9s %-9s %d\n", name, r.n, r.rps(), pct(r.lat, 50), pct(r.lat, 99), r.errs)
}

func body(kind string, n int64) []byte {
	return fmt.Appendf(nil, `{"id":"%s-%d","type":"ticket.created","customer":{"email":"load%d@example.com","name":"Load %d"},`+
		`"ticket":{"id":"L-%d","subject":"Load ticket %d"},"message":{"text":"hello"}}`, kind, n, n%5000, n%5000, n, n)
}

func post(client *http.Client, url string, b []byte) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	generic.Sign(req.Header, secret, b, time.Now())
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func newClient(conns int) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
	}}
}

// intake sends signed events from clients goroutines for d. The same
// clients, bodies and signing run against both targets.
func intake(url string, d time.Duration, clients int, seq *atomic.Int64, kind string) result {
	client := newClient(clients)
	var mu sync.Mutex
	var res result
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var lat []time.Duration
			errs := 0
			for time.Now().Before(deadline) {
				b := body(kind, seq.Add(1))
				t0 := time.Now()
				if err := post(client, url, b); err != nil {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errs += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.n = len(res.lat)
	return res
}

// timing is one event of the latency phase: when it was sent, and when
// its webhook was answered.
type timing struct{ sent, answered time.Time }

// slowest says when, into the phase, the slowest event was sent, and how
// its time split between the webhook's answer and the card.
type slowest struct {
	offset, answer, card time.Duration
}

// latency sends rate events per second for d; each opens a ticket whose
// card the fake Slack receives. It returns each event's time to card, how
// many were sent and lost, and the slowest one's split.
func latency(base string, slack *fakeSlack, rate int, d time.Duration, seq *atomic.Int64) ([]time.Duration, int, int, slowest) {
	client := newClient(64)
	var mu sync.Mutex
	times := map[string]*timing{}
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	sent := 0
	for now := range tick.C {
		if now.After(deadline) {
			break
		}
		n := seq.Add(1)
		sent++
		key := fmt.Sprintf("generic:L-%d", n)
		wg.Go(func() {
			tm := &timing{sent: time.Now()}
			err := post(client, base+"/webhooks/generic", body("lat", n))
			tm.answered = time.Now()
			if err == nil {
				mu.Lock()
				times[key] = tm
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	var out []time.Duration
	var worst slowest
	lost := 0
	wait := time.Now().Add(30 * time.Second)
	for k, tm := range times {
		for {
			if at, ok := slack.posted(k); ok {
				lat := at.Sub(tm.sent)
				out = append(out, lat)
				if lat > worst.answer+worst.card {
					worst = slowest{offset: tm.sent.Sub(start), answer: tm.answered.Sub(tm.sent), card: at.Sub(tm.answered)}
				}
				break
			}
			if time.Now().After(wait) {
				lost++
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return out, sent, lost, worst
}

// drain waits until /metrics shows the sample line want.
func drain(base, want string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), want) {
				return nil
			}
		}
		// Once a second, as a scraper would (more often, and counting the
		// queues of a backlog of 100,000 events took a third of plusone's
		// CPU away from draining it).
		time.Sleep(time.Second)
	}
	return fmt.Errorf("no %q within %s", want, within)
}

// metric reads one sample from /metrics.
func metric(base, name string) float64 {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

func pct(d []time.Duration, p int) string {
	if len(d) == 0 {
		return "-"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s) - 1) * p / 100
	return s[i].Round(10 * time.Microsecond).String()
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "-"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func cpus() int {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "processor\t:")
}

// fakeSlack answers chat.postMessage and chat.update and remembers when
// each ticket's card first arrived.
type fakeSlack struct {
	srv   *httptest.Server
	mu    sync.Mutex
	first map[string]time.Time
	seq   int
}

func newSlack() *fakeSlack {
	f := &fakeSlack{first: map[string]time.Time{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		var meta struct {
			EventPayload map[string]any `json:"event_payload"`
		}
		_ = json.Unmarshal([]byte(r.Form.Get("metadata")), &meta)
		key := fmt.Sprint(meta.EventPayload["ticket"])
		f.mu.Lock()
		f.seq++
		ts := fmt.Sprintf("1700000000.%06d", f.seq)
		if _, ok := f.first[key]; !ok {
			f.first[key] = time.Now()
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q}`, r.Form.Get("channel"), ts)
	}))
	return f
}

func (f *fakeSlack) posted(key string) (time.Time, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.first[key]
	return t, ok
}

// start runs the binary and returns its base URL and process id.
func start(bin string, env map[string]string) (string, int, func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 20 * time.Second
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		cmd.Env = append(cmd.Env, k+"="+os.Getenv(k))
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		return "", 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return "", 0, nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var l struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "listening" {
				addr <- l.Addr
			}
		}
	}()
	stop := func() { cancel(); _ = cmd.Wait() }
	select {
	case a := <-addr:
		return "http://" + a, cmd.Process.Pid, stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return "", 0, nil, errors.New("plusone did not start")
	}
}
