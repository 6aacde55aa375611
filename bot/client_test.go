package bot

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// fakeSlack records the Web API calls it receives and answers each method
// with the handler registered for it.
type fakeSlack struct {
	srv *httptest.Server

	mu    sync.Mutex
	calls []call
}

type call struct {
	method string
	form   url.Values
	auth   string
}

func newFakeSlack(t *testing.T, handlers map[string]http.HandlerFunc) *fakeSlack {
	t.Helper()
	f := &fakeSlack{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		method := strings.TrimPrefix(r.URL.Path, "/api/")
		f.mu.Lock()
		f.calls = append(f.calls, call{method: method, form: r.PostForm, auth: r.Header.Get("Authorization")})
		f.mu.Unlock()
		h, ok := handlers[method]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSlack) client() *Client {
	return NewClient("xoxb-test", f.srv.URL+"/api", f.srv.Client()) // no trailing slash: NewClient adds it
}

func (f *fakeSlack) only(t *testing.T) call {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 1 {
		t.Fatalf("got %d calls, want 1", len(f.calls))
	}
	return f.calls[0]
}

func answer(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
}

func status(code int, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		w.Write([]byte("<html>nope</html>"))
	}
}

// decodeBlocks reads the blocks form field as Slack would.
func decodeBlocks(t *testing.T, form url.Values) []slack.Block {
	t.Helper()
	var bs slack.Blocks
	if err := json.Unmarshal([]byte(form.Get("blocks")), &bs); err != nil {
		t.Fatalf("blocks field: %v", err)
	}
	return bs.BlockSet
}

func TestClientPostMessage(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t, map[string]http.HandlerFunc{
		"chat.postMessage": answer(`{"ok":true,"channel":"C0CARDS","ts":"1700000000.000100"}`),
	})
	m := view.CardMessage(viewtest.RichCard())
	ts, err := f.client().PostMessage(context.Background(), "C0CARDS", m, "1699999999.000001")
	if err != nil {
		t.Fatal(err)
	}
	if ts != "1700000000.000100" {
		t.Errorf("ts = %q", ts)
	}
	c := f.only(t)
	if c.method != "chat.postMessage" {
		t.Errorf("method %q", c.method)
	}
	for field, want := range map[string]string{
		"token": "xoxb-test", "channel": "C0CARDS", "thread_ts": "1699999999.000001", "text": m.Text,
		"unfurl_links": "false", "unfurl_media": "false",
	} {
		if got := c.form.Get(field); got != want {
			t.Errorf("form %s = %q, want %q", field, got, want)
		}
	}
	blocks := decodeBlocks(t, c.form)
	if len(blocks) != len(m.Blocks) {
		t.Fatalf("got %d blocks, want %d", len(blocks), len(m.Blocks))
	}
	h, ok := blocks[0].(*slack.HeaderBlock)
	if !ok || h.Text.Text != "Jane Doe · Loyal" {
		t.Errorf("first block %#v, want the header", blocks[0])
	}
	if _, ok := blocks[len(blocks)-1].(*slack.ContextBlock); !ok {
		t.Errorf("last block %T, want the context footer", blocks[len(blocks)-1])
	}
}

func TestClientPostMessageNoThread(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t, map[string]http.HandlerFunc{
		"chat.postMessage": answer(`{"ok":true,"channel":"C1","ts":"1.2"}`),
	})
	if _, err := f.client().PostCard(context.Background(), "C1", new(viewtest.NewCustomerCard())); err != nil {
		t.Fatal(err)
	}
	if _, set := f.only(t).form["thread_ts"]; set {
		t.Error("thread_ts sent for a top-level message")
	}
}

func TestClientUpdateMessage(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t, map[string]http.HandlerFunc{
		"chat.update": answer(`{"ok":true,"channel":"C0CARDS","ts":"1700000000.000100","text":"x"}`),
	})
	card := viewtest.HiddenPhoneCard()
	if err := f.client().UpdateCard(context.Background(), "C0CARDS", "1700000000.000100", &card); err != nil {
		t.Fatal(err)
	}
	c := f.only(t)
	if c.method != "chat.update" || c.form.Get("ts") != "1700000000.000100" || c.form.Get("channel") != "C0CARDS" {
		t.Errorf("got %s %v", c.method, c.form)
	}
	if c.form.Get("token") != "xoxb-test" {
		t.Error("token not sent")
	}
	if got := decodeBlocks(t, c.form); len(got) != len(view.CardMessage(card).Blocks) {
		t.Errorf("got %d blocks", len(got))
	}
}

func TestClientRefusesInvalidMessage(t *testing.T) {
	t.Parallel()
	f := newFakeSlack(t, nil)
	_, err := f.client().PostMessage(context.Background(), "C1", view.Message{Text: "x", Blocks: slices.Repeat([]slack.Block{slack.NewDividerBlock()}, 51)}, "")
	if err == nil {
		t.Fatal("posted a message with 51 blocks")
	}
	if got := Classify(err); !got.Permanent {
		t.Errorf("Classify = %+v, want Permanent", got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) != 0 {
		t.Error("Slack was called")
	}
}

func TestClientFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    plusone.Failure
	}{
		{"429 with Retry-After", status(http.StatusTooManyRequests, "Retry-After", "3"),
			plusone.Failure{RetryAfter: 3 * time.Second, Reason: "ratelimited"}},
		{"429 without Retry-After", status(http.StatusTooManyRequests),
			plusone.Failure{RetryAfter: time.Second, Reason: "http 429"}},
		{"500", status(http.StatusInternalServerError), plusone.Failure{Reason: "http 500"}},
		{"503", status(http.StatusServiceUnavailable), plusone.Failure{Reason: "http 503"}},
		{"404", status(http.StatusNotFound), plusone.Failure{Permanent: true, Reason: "http 404"}},
		{"channel_not_found", answer(`{"ok":false,"error":"channel_not_found"}`),
			plusone.Failure{Permanent: true, Reason: "channel_not_found"}},
		{"missing_scope", answer(`{"ok":false,"error":"missing_scope","needed":"chat:write","provided":"users:read"}`),
			plusone.Failure{Permanent: true, Reason: "missing_scope (needed: chat:write)"}},
		{"internal_error", answer(`{"ok":false,"error":"internal_error"}`),
			plusone.Failure{Reason: "internal_error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeSlack(t, map[string]http.HandlerFunc{"chat.postMessage": tt.handler, "chat.update": tt.handler})
			_, err := f.client().PostMessage(context.Background(), "C1", view.CardMessage(viewtest.RichCard()), "")
			if err == nil {
				t.Fatal("PostMessage succeeded")
			}
			if got := Classify(err); got != tt.want {
				t.Errorf("postMessage: Classify(%v) = %+v, want %+v", err, got, tt.want)
			}
			err = f.client().UpdateMessage(context.Background(), "C1", "1.2", view.CardMessage(viewtest.RichCard()))
			if got := Classify(err); got != tt.want {
				t.Errorf("update: Classify(%v) = %+v, want %+v", err, got, tt.want)
			}
		})
	}
}

func TestClientConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	c := NewClient("xoxb-test", "http://"+addr+"/api/", nil)
	_, err = c.PostMessage(context.Background(), "C1", view.CardMessage(viewtest.RichCard()), "")
	if err == nil {
		t.Fatal("PostMessage succeeded")
	}
	if got := Classify(err); got.Permanent || got.RetryAfter > 0 {
		t.Errorf("Classify(%v) = %+v, want Transient", err, got)
	}
}

func TestClientTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	f := newFakeSlack(t, map[string]http.HandlerFunc{
		"chat.postMessage": func(w http.ResponseWriter, r *http.Request) {
			select { // hold the request until the client gives up
			case <-r.Context().Done():
			case <-release:
			}
		},
	})
	t.Cleanup(func() { close(release) }) // runs before the server closes
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := f.client().PostMessage(ctx, "C1", view.CardMessage(viewtest.RichCard()), "")
	if got := Classify(err); got.Permanent || got.RetryAfter > 0 || got.Reason != "timeout" {
		t.Errorf("Classify(%v) = %+v, want Transient timeout", err, got)
	}
}
