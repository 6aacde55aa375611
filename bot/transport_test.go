package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// stubMemory knows one customer, Jane (ID 7).
type stubMemory struct{}

func (stubMemory) Lookup(_ context.Context, _, query string) (*plusone.ContextCard, []plusone.Customer, bool, error) {
	if strings.Contains(strings.ToLower(query), "jane") {
		c := viewtest.LookupCard()
		return &c, nil, false, nil
	}
	return nil, nil, false, nil
}
func (stubMemory) Customer(_ context.Context, _ string, id int64) (*plusone.ContextCard, error) {
	if id != 7 {
		return nil, plusone.ErrNotFound
	}
	c := viewtest.LookupCard()
	return &c, nil
}
func (stubMemory) CustomerName(context.Context, int64) (string, error) { return "Jane Doe", nil }

func (stubMemory) CardCustomer(context.Context, string, string, string) (int64, string, bool, error) {
	return 0, "", false, nil
}
func (stubMemory) AddNote(context.Context, plusone.Note) (string, error) { return "Jane Doe", nil }
func (stubMemory) AddNoteByEmail(context.Context, string, plusone.Note) (string, error) {
	return "Jane Doe", nil
}
func (stubMemory) SetPreference(context.Context, string, int64, string, string) error { return nil }
func (stubMemory) Home(context.Context, string) (plusone.AgentHome, error) {
	return viewtest.RichHome(), nil
}
func (stubMemory) ByLink(context.Context, string) (*plusone.ContextCard, bool, error) {
	return nil, false, nil
}
func (stubMemory) MayErase(string) error                                   { return nil }
func (stubMemory) EraseAsSupervisor(context.Context, string, string) error { return nil }

// recordingAPI records what the app sends to Slack besides its answers.
type recordingAPI struct {
	mu        sync.Mutex
	responses []string
}

func (r *recordingAPI) OpenView(context.Context, string, slack.ModalViewRequest) error { return nil }
func (r *recordingAPI) OpenModal(context.Context, string, slack.ModalViewRequest) (string, string, error) {
	return "V1", "h1", nil
}
func (r *recordingAPI) PublishHome(context.Context, string, slack.HomeTabViewRequest) error {
	return nil
}
func (r *recordingAPI) Unfurl(context.Context, string, string, map[string]slack.Attachment) error {
	return nil
}
func (r *recordingAPI) Respond(_ context.Context, responseURL string, m view.Message, replace bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.responses = append(r.responses, fmt.Sprintf("%s replace=%v %s", responseURL, replace, m.Text))
	return nil
}
func (r *recordingAPI) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.responses...)
}

const testSecret = "transport-secret"

func signed(t *testing.T, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", signature(ts, body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// signature is Slack's v0 request signature.
func signature(ts, body string) string {
	m := hmac.New(sha256.New, []byte(testSecret))
	m.Write([]byte("v0:" + ts + ":" + body))
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The same slash command and block action work over HTTP and over Socket
// Mode (against slack-go's slacktest server), through the same handlers.
func TestCommandAndActionOverHTTPAndSocketMode(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cmd := map[string]string{"command": "/plusone", "text": "jane@example.com", "user_id": "U0ANA", "team_id": "T0",
		"channel_id": "C0", "response_url": "https://hooks.example/cmd", "trigger_id": "t1"}
	action := map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0ANA"}, "trigger_id": "t2",
		"response_url": "https://hooks.example/action",
		"actions":      []map[string]string{{"action_id": view.ActionShowCustomer, "value": "7", "block_id": "b"}}}

	// Over HTTP.
	httpAPI := &recordingAPI{}
	httpApp := &App{Memory: stubMemory{}, API: httpAPI, Log: log}
	mux := http.NewServeMux()
	mux.Handle("POST /slack/commands", httpApp.CommandsHandler(testSecret, 1<<20))
	mux.Handle("POST /slack/interactions", httpApp.InteractionsHandler(testSecret, 1<<20))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	form := url.Values{}
	for k, v := range cmd {
		form.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(signed(t, srv.URL+"/slack/commands", form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	var httpAnswer CommandResponse
	_ = json.NewDecoder(resp.Body).Decode(&httpAnswer)
	resp.Body.Close()
	actionJSON, _ := json.Marshal(action)
	resp, err = http.DefaultClient.Do(signed(t, srv.URL+"/slack/interactions", url.Values{"payload": {string(actionJSON)}}.Encode()))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("block action over HTTP: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	waitFor(t, "the HTTP action's response", func() bool { return len(httpAPI.got()) == 1 })

	// Over Socket Mode.
	ts := slacktest.NewTestServer()
	ts.Start()
	defer ts.Stop()
	go func() { // slacktest blocks on this feed after each message it reads
		for range ts.SeenFeed {
		}
	}()
	sockAPI := &recordingAPI{}
	sockApp := &App{Memory: stubMemory{}, API: sockAPI, Log: log}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := slack.New("xoxb-test", slack.OptionAPIURL(ts.GetAPIURL()), slack.OptionAppLevelToken("xapp-test"))
	go func() { _ = sockApp.RunSocket(ctx, client) }()
	envelope := func(id, typ string, payload any) string {
		b, _ := json.Marshal(map[string]any{"envelope_id": id, "type": typ, "accepts_response_payload": true, "payload": payload})
		return string(b)
	}
	acked := func(id string) (string, bool) {
		for _, m := range ts.GetSeenInboundMessages() {
			var ack struct {
				EnvelopeID string          `json:"envelope_id"`
				Payload    json.RawMessage `json:"payload"`
			}
			if json.Unmarshal([]byte(m), &ack) == nil && ack.EnvelopeID == id {
				return string(ack.Payload), true
			}
		}
		return "", false
	}
	// The socket connects asynchronously: resend until the ack arrives.
	var sockAnswer CommandResponse
	waitFor(t, "the slash command's ack over Socket Mode", func() bool {
		ts.SendToWebsocket(envelope("env-cmd", "slash_commands", cmd))
		time.Sleep(50 * time.Millisecond)
		p, ok := acked("env-cmd")
		if ok {
			_ = json.Unmarshal([]byte(p), &sockAnswer)
		}
		return ok
	})
	ts.SendToWebsocket(envelope("env-action", "interactive", action))
	waitFor(t, "the action's ack", func() bool { _, ok := acked("env-action"); return ok })
	waitFor(t, "the socket action's response", func() bool { return len(sockAPI.got()) >= 1 })

	// Same answers both ways.
	hb, _ := json.Marshal(httpAnswer)
	sb, _ := json.Marshal(sockAnswer)
	if !bytes.Equal(hb, sb) || !strings.Contains(string(hb), "Jane Doe") || httpAnswer.ResponseType != slack.ResponseTypeEphemeral {
		t.Errorf("slash command answers differ:\nHTTP   %s\nsocket %s", hb, sb)
	}
	if h, s := httpAPI.got()[0], sockAPI.got()[0]; h != s || !strings.Contains(h, "replace=true") || !strings.Contains(h, "Jane Doe") {
		t.Errorf("block action responses differ:\nHTTP   %s\nsocket %s", h, s)
	}
}
