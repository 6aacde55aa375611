package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/shopify"
	"github.com/plusone-hq/plusone/integrations/zendesk"
	"github.com/plusone-hq/plusone/store/spool"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// Secrets of the test apps.
const (
	genericSecret = "generic-test-secret"
	zendeskSecret = "zendesk-test-secret"
	shopifySecret = "shopify-test-secret"
	cardChannel   = "C0CARDS"
)

// slackCall is one request the fake Slack received.
type slackCall struct {
	Method  string
	At      time.Time // when the request arrived
	Channel string
	TS      string // the message posted or updated
	Thread  string // the thread a message was posted in
	Ticket  string // from the card's metadata
	Text    string
	Blocks  string
	Body    string // JSON bodies (views.*, response URLs) as sent
	User    string // the user users.info asks about
	Status  int    // what the fake answered
}

// fakeSlack records what reaches Slack and answers like it. Script, when
// set, may answer a call instead (rate limits, outages, errors).
type fakeSlack struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    []slackCall
	messages map[string]*slackCall // ts -> the message as it stands
	lastTS   int64                 // the latest message's ts, in microseconds
	script   func(c *slackCall, n int) (status int, body string, header http.Header, ok bool)
	// hold, when set, may keep a post's answer back (the message is posted)
	// until the channel it returns is closed or the request ends.
	hold func(c *slackCall) <-chan struct{}
	// uploads holds the files uploaded (files.getUploadURLExternal, then a
	// POST to its upload_url) by file ID; shared lists the files
	// files.completeUploadExternal shared, as calls with File set.
	uploads map[string][]byte
	shared  []sharedFile
	nextID  int
}

// sharedFile is a file files.completeUploadExternal shared.
type sharedFile struct {
	Channel, Title, Comment string
	Data                    []byte
}

func newFakeSlack(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{messages: map[string]*slackCall{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) url() string { return f.srv.URL + "/" }

func (f *fakeSlack) setScript(s func(c *slackCall, n int) (int, string, http.Header, bool)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = s
}

func (f *fakeSlack) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/upload/") {
		f.upload(w, r)
		return
	}
	var body string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
	}
	_ = r.ParseForm()
	c := slackCall{Method: strings.TrimPrefix(r.URL.Path, "/"), At: time.Now(), Channel: r.Form.Get("channel"),
		TS: r.Form.Get("ts"), Thread: r.Form.Get("thread_ts"), Text: r.Form.Get("text"), Blocks: r.Form.Get("blocks"), Body: body,
		User: r.Form.Get("user")}
	if c.Method == "chat.unfurl" {
		c.Body = r.Form.Get("unfurls")
	}
	var meta struct {
		EventPayload map[string]any `json:"event_payload"`
	}
	if json.Unmarshal([]byte(r.Form.Get("metadata")), &meta) == nil {
		c.Ticket = fmt.Sprint(meta.EventPayload["ticket"])
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	answer := func(status int, body string) {
		c.Status = status
		f.calls = append(f.calls, c)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
	if f.script != nil {
		if status, body, h, ok := f.script(&c, len(f.calls)); ok {
			for k, v := range h {
				w.Header()[k] = v
			}
			answer(status, body)
			return
		}
	}
	switch c.Method {
	case "chat.postMessage":
		c.TS = f.newTS()
		msg := c
		f.messages[c.TS] = &msg
		if f.hold != nil {
			if wait := f.hold(&c); wait != nil {
				f.mu.Unlock()
				select {
				case <-wait:
				case <-r.Context().Done():
				}
				f.mu.Lock()
			}
		}
		answer(200, fmt.Sprintf(`{"ok":true,"channel":%q,"ts":%q}`, c.Channel, c.TS))
	case "chat.update":
		m, ok := f.messages[c.TS]
		if !ok {
			answer(200, `{"ok":false,"error":"message_not_found"}`)
			return
		}
		m.Text, m.Blocks = c.Text, c.Blocks
		answer(200, fmt.Sprintf(`{"ok":true,"channel":%q,"ts":%q,"text":""}`, c.Channel, c.TS))
	case "views.open", "views.publish":
		answer(200, `{"ok":true,"view":{"id":"V1","hash":"1795180000.abc"}}`)
	case "views.update":
		answer(200, `{"ok":true,"view":{"id":"V1","hash":"1795180001.def"}}`)
	case "chat.unfurl":
		answer(200, `{"ok":true}`)
	case "auth.test":
		// The bot's workspace: Sign in with Slack accepts its people only.
		answer(200, `{"ok":true,"url":"https://ours.slack.com/","team":"Ours","user":"plusone","team_id":"T0OURS","user_id":"U0BOT","bot_id":"B0BOT"}`)
	case "conversations.open":
		// A direct message with the one user asked for: "D" and her ID.
		answer(200, fmt.Sprintf(`{"ok":true,"channel":{"id":%q}}`, "D"+r.Form.Get("users")))
	case "files.getUploadURLExternal":
		answer(200, f.uploadURL(r))
	case "files.completeUploadExternal":
		answer(200, f.completeUpload(r.Form))
	case "conversations.history":
		c.Body = r.Form.Encode()
		answer(200, f.history(r.Form))
	default:
		if strings.HasPrefix(c.Method, "response/") {
			answer(200, `ok`)
			return
		}
		answer(200, `{"ok":false,"error":"unknown_method"}`)
	}
}

// uploadURL answers files.getUploadURLExternal as Slack documents it: a
// file ID and a URL to POST the file's bytes to (filename and length are
// required). Called with f.mu held.
func (f *fakeSlack) uploadURL(r *http.Request) string {
	n, err := strconv.Atoi(r.Form.Get("length"))
	if r.Form.Get("filename") == "" || err != nil || n <= 0 {
		return `{"ok":false,"error":"invalid_arguments"}`
	}
	f.nextID++
	id := fmt.Sprintf("F%04d", f.nextID)
	if f.uploads == nil {
		f.uploads = map[string][]byte{}
	}
	f.uploads[id] = nil
	return fmt.Sprintf(`{"ok":true,"upload_url":%q,"file_id":%q}`, f.srv.URL+"/upload/"+id, id)
}

// upload takes a file's bytes at its upload URL: the raw body, or a
// multipart form's "file" part (as slack-go sends it).
func (f *fakeSlack) upload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	var data []byte
	if file, _, err := r.FormFile("file"); err == nil {
		data, _ = io.ReadAll(file)
	} else {
		data, _ = io.ReadAll(r.Body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.uploads[id]; !ok {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	f.uploads[id] = data
	io.WriteString(w, "OK - "+strconv.Itoa(len(data)))
}

// completeUpload answers files.completeUploadExternal: every file listed
// must have been uploaded; they are shared in channel_id. Called with f.mu
// held.
func (f *fakeSlack) completeUpload(form url.Values) string {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(form.Get("files")), &files); err != nil || len(files) == 0 {
		return `{"ok":false,"error":"invalid_arguments"}`
	}
	var out []map[string]string
	for _, file := range files {
		data, ok := f.uploads[file.ID]
		if !ok || len(data) == 0 {
			return `{"ok":false,"error":"file_not_found"}`
		}
		f.shared = append(f.shared, sharedFile{Channel: form.Get("channel_id"), Title: file.Title,
			Comment: form.Get("initial_comment"), Data: data})
		out = append(out, map[string]string{"id": file.ID, "title": file.Title})
	}
	b, _ := json.Marshal(map[string]any{"ok": true, "files": out})
	return string(b)
}

// sharedFiles returns the files shared so far.
func (f *fakeSlack) sharedFiles() []sharedFile {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sharedFile(nil), f.shared...)
}

// newTS returns a new message ts: the time now, as Slack writes it, and
// later than every ts before. Called with f.mu held.
func (f *fakeSlack) newTS() string {
	us := max(time.Now().UnixMicro(), f.lastTS+1)
	f.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// tsMicros reads a Slack ts ("1700000000.000001") as microseconds.
func tsMicros(ts string) int64 {
	sec, frac, _ := strings.Cut(ts, ".")
	s, _ := strconv.ParseInt(sec, 10, 64)
	frac = (frac + "000000")[:6]
	us, _ := strconv.ParseInt(frac, 10, 64)
	return s*1e6 + us
}

// history answers conversations.history as Slack documents it: the
// channel's messages between oldest and latest (now by default; both
// exclusive unless inclusive), newest first, limit a page (100 by default,
// at most 999), and a cursor to the next, older page. Called with f.mu held.
func (f *fakeSlack) history(form url.Values) string {
	inclusive := form.Get("inclusive") == "1" || form.Get("inclusive") == "true"
	oldest, latest := int64(0), int64(math.MaxInt64)
	if v := form.Get("oldest"); v != "" {
		oldest = tsMicros(v)
		if inclusive {
			oldest--
		}
	}
	if v := form.Get("latest"); v != "" {
		latest = tsMicros(v)
		if inclusive {
			latest++
		}
	}
	if v := form.Get("cursor"); v != "" {
		latest = tsMicros(strings.TrimPrefix(v, "before:")) // exclusive: the page before ended there
	}
	limit, _ := strconv.Atoi(form.Get("limit"))
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 999)
	var in []*slackCall
	for ts, m := range f.messages {
		if us := tsMicros(ts); m.Channel == form.Get("channel") && us > oldest && us < latest {
			in = append(in, m)
		}
	}
	sort.Slice(in, func(i, j int) bool { return tsMicros(in[i].TS) > tsMicros(in[j].TS) })
	more := len(in) > limit
	if more {
		in = in[:limit]
	}
	msgs := []map[string]any{}
	for _, m := range in {
		msg := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
		if m.Ticket != "" {
			msg["metadata"] = map[string]any{"event_type": "plusone_card", "event_payload": map[string]any{"ticket": m.Ticket}}
		}
		msgs = append(msgs, msg)
	}
	resp := map[string]any{"ok": true, "messages": msgs, "has_more": more}
	if more {
		resp["response_metadata"] = map[string]any{"next_cursor": "before:" + in[len(in)-1].TS}
	}
	b, _ := json.Marshal(resp)
	return string(b)
}

// flood posts n plain messages to channel, as people talking there would.
func (f *fakeSlack) flood(channel string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range n {
		ts := f.newTS()
		f.messages[ts] = &slackCall{Method: "chat.postMessage", At: time.Now(), Channel: channel, TS: ts,
			Text: fmt.Sprintf("chatter %d", i)}
	}
}

// setHold sets f.hold.
func (f *fakeSlack) setHold(h func(c *slackCall) <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hold = h
}

// callsTo returns the calls of a method (or a response URL path).
func (f *fakeSlack) callsTo(method string) []slackCall {
	var out []slackCall
	for _, c := range f.allCalls() {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// posts returns the successful chat.postMessage calls by ticket key.
func (f *fakeSlack) posts() map[string][]slackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]slackCall{}
	for _, c := range f.calls {
		if c.Method == "chat.postMessage" && c.Status == 200 && c.TS != "" {
			out[c.Ticket] = append(out[c.Ticket], c)
		}
	}
	return out
}

// message returns the message as it stands now for a ticket's card.
func (f *fakeSlack) message(ticket string) (slackCall, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.messages {
		if m.Ticket == ticket {
			return *m, true
		}
	}
	return slackCall{}, false
}

// messageAt returns the message at ts as it stands now.
func (f *fakeSlack) messageAt(ts string) (slackCall, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.messages[ts]
	if !ok {
		return slackCall{}, false
	}
	return *m, true
}

func (f *fakeSlack) allCalls() []slackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]slackCall(nil), f.calls...)
}

// testApp is the real program, started through run.
type testApp struct {
	t      *testing.T
	base   string
	dbPath string
	stdout *syncBuffer
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
	client *http.Client
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// baseEnv is what every test app runs with: Slack pointed at fake, fast
// pacing and retries, and a database in the test's directory.
func baseEnv(t *testing.T, slack *fakeSlack) map[string]string {
	env := map[string]string{
		"PLUSONE_ADDR":                   "127.0.0.1:0",
		"PLUSONE_DATABASE_URL":           "sqlite:" + filepath.Join(t.TempDir(), "plusone.db"),
		"PLUSONE_GENERIC_WEBHOOK_SECRET": genericSecret,
		"PLUSONE_ZENDESK_WEBHOOK_SECRET": zendeskSecret,
		"PLUSONE_SHOPIFY_WEBHOOK_SECRET": shopifySecret,
		"PLUSONE_SLACK_PACE":             "2ms",
		"PLUSONE_RETRY_BASE":             "50ms",
		"PLUSONE_RETRY_MAX":              "500ms",
		"PLUSONE_SHUTDOWN_TIMEOUT":       "10s",
		"PLUSONE_LOG_LEVEL":              "info",
	}
	if slack != nil {
		env["PLUSONE_SLACK_BOT_TOKEN"] = "xoxb-test-token"
		env["PLUSONE_SLACK_SIGNING_SECRET"] = "slack-signing-secret"
		env["PLUSONE_SLACK_API_URL"] = slack.url()
		env["PLUSONE_SLACK_CHANNEL"] = cardChannel
	}
	return env
}

func startApp(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a := &testApp{t: t, stdout: &syncBuffer{}, logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1),
		client: &http.Client{Timeout: 10 * time.Second}}
	a.dbPath = strings.TrimPrefix(env["PLUSONE_DATABASE_URL"], "sqlite:")
	pr, pw := io.Pipe()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			a.logs.Write([]byte(line + "\n"))
			var l struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "listening" {
				addr <- l.Addr
			}
		}
	}()
	getenv := func(k string) string { return env[k] }
	go func() {
		err := run(ctx, []string{"plusone", "serve"}, getenv, a.stdout, pw)
		pw.Close()
		a.done <- err
	}()
	select {
	case got := <-addr:
		a.base = "http://" + got
	case err := <-a.done:
		t.Fatalf("plusone did not start: %v\n%s", err, a.logs.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("plusone did not start in time:\n%s", a.logs.String())
	}
	t.Cleanup(func() { a.stop() })
	return a
}

// stop shuts the app down gracefully and returns run's error.
func (a *testApp) stop() error {
	a.cancel()
	select {
	case err, ok := <-a.done:
		if ok {
			close(a.done)
		}
		return err
	case <-time.After(30 * time.Second):
		a.t.Errorf("plusone did not stop in time")
		return nil
	}
}

// webhook is one webhook request.
type webhook struct {
	source string
	body   string
	header map[string]string
}

func genericEvent(body string) webhook { return webhook{source: "generic", body: body} }

func shopifyEvent(topic, eventID, body string) webhook {
	return webhook{source: "shopify", body: body, header: map[string]string{
		shopify.HeaderTopic: topic, shopify.HeaderEventID: eventID, shopify.HeaderWebhookID: "wh-" + eventID,
		shopify.HeaderShopDomain: "tires-co.myshopify.com"}}
}

func zendeskTrigger(invocation, body string) webhook {
	return webhook{source: "zendesk", body: body, header: map[string]string{zendesk.HeaderInvocationID: invocation}}
}

func zendeskEvent(body string) webhook { return webhook{source: "zendesk", body: body} }

// request builds the signed request for d.
func (a *testApp) request(d webhook) *http.Request {
	req, err := http.NewRequest(http.MethodPost, a.base+"/webhooks/"+d.source, strings.NewReader(d.body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range d.header {
		req.Header.Set(k, v)
	}
	now := time.Now()
	switch d.source {
	case "generic":
		generic.Sign(req.Header, genericSecret, []byte(d.body), now)
	case "zendesk":
		zendesk.Sign(req.Header, zendeskSecret, []byte(d.body), now)
	case "shopify":
		shopify.Sign(req.Header, shopifySecret, []byte(d.body), now)
	}
	return req
}

type answer struct {
	Status    int
	OK        bool   `json:"ok"`
	ID        int64  `json:"id"`
	Duplicate bool   `json:"duplicate"`
	Error     string `json:"error"`
}

func (a *testApp) do(req *http.Request) answer {
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	var ans answer
	body, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(body, &ans); err != nil {
		a.t.Fatalf("%s: answer is not JSON (%s): %q", req.URL, resp.Status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		a.t.Errorf("%s: Content-Type %q", req.URL, ct)
	}
	ans.Status = resp.StatusCode
	return ans
}

// send delivers d and insists on a 2xx.
func (a *testApp) send(d webhook) answer {
	a.t.Helper()
	ans := a.do(a.request(d))
	if ans.Status/100 != 2 || !ans.OK {
		a.t.Fatalf("%s webhook: %d %+v\nbody: %s", d.source, ans.Status, ans, d.body)
	}
	return ans
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// inspectStore opens the app's SQLite file beside the running app (WAL allows
// it) to look at what was stored. Its InboxStats counts as pending the
// events still waiting in the app's spool too.
func inspectStore(t *testing.T, path string) plusone.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &inspected{Store: s, db: db, spool: path + ".spool"}
}

// inspected is a store opened beside a serving process, which sees the
// events that process has acknowledged but not yet moved into the inbox.
type inspected struct {
	plusone.Store
	db    *sql.DB
	spool string
}

func (s *inspected) InboxStats(ctx context.Context) (plusone.InboxStats, error) {
	// Records are moved in the order of their IDs, so those above the
	// inbox's last ID still wait in the spool. Read in this order, an event
	// being moved meanwhile is counted in one place or both, never neither.
	var last sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(id) FROM inbox`).Scan(&last); err != nil {
		return plusone.InboxStats{}, err
	}
	recs, err := spool.Peek(s.spool)
	if err != nil {
		return plusone.InboxStats{}, err
	}
	st, err := s.Store.InboxStats(ctx)
	for _, r := range recs {
		if r.ID > last.Int64 {
			st.Pending++
		}
	}
	return st, err
}

// settled waits until every stored event was processed or parked and
// Slack shows the latest version of every card.
func settled(t *testing.T, s plusone.Store) {
	t.Helper()
	eventually(t, 30*time.Second, "queues to drain", func() bool {
		st, err := s.InboxStats(context.Background())
		if err != nil || st.Pending > 0 {
			return false
		}
		pending, _, err := s.CardStats(context.Background())
		return err == nil && pending == 0
	})
}

func (a *testApp) metrics() string {
	resp, err := a.client.Get(a.base + "/metrics")
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// replicaURL is the PostgreSQL URL one test replica connects with: a small
// pool, so that the replicas of the tests running at once stay within the
// server's max_connections (100 by default).
func replicaURL(dbURL string) string {
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	return dbURL + sep + "pool_max_conns=8"
}
