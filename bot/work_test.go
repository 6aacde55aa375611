package bot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// slowMemory is stubMemory whose lookups wait: until release is closed,
// or, with release nil, until their context ends. entered learns each
// call as it starts; ended, with release nil, the error it ends with.
type slowMemory struct {
	stubMemory
	entered chan string
	release chan struct{}
	ended   chan error
}

func (m slowMemory) wait(ctx context.Context, what string) error {
	m.entered <- what
	if m.release != nil {
		<-m.release
		return nil
	}
	<-ctx.Done()
	m.ended <- ctx.Err()
	return ctx.Err()
}

func (m slowMemory) Customer(ctx context.Context, agent string, id int64) (*plusone.ContextCard, error) {
	if err := m.wait(ctx, "customer"); err != nil {
		return nil, err
	}
	return m.stubMemory.Customer(ctx, agent, id)
}

func (m slowMemory) Lookup(ctx context.Context, agent, query string) (*plusone.ContextCard, []plusone.Customer, bool, error) {
	if err := m.wait(ctx, "lookup"); err != nil {
		return nil, nil, false, err
	}
	return m.stubMemory.Lookup(ctx, agent, query)
}

// click posts a signed "show customer" click for Jane to the app's
// interactions endpoint and returns once it is answered.
func click(t *testing.T, a *App) {
	t.Helper()
	action := map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0ANA"},
		"response_url": "https://hooks.example/action",
		"actions":      []map[string]string{{"action_id": view.ActionShowCustomer, "value": "7", "block_id": "b"}}}
	b, _ := json.Marshal(action)
	srv := httptest.NewServer(a.InteractionsHandler(testSecret, 1<<20))
	defer srv.Close()
	resp, err := http.DefaultClient.Do(signed(t, srv.URL, url.Values{"payload": {string(b)}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("click answered %d, want 200", resp.StatusCode)
	}
}

// A click is answered at once and handled after; Close does not return
// while that handling is still running, so the store can be closed after
// it. (Before Close tracked it, the click ran in a goroutine nobody
// waited for and Close, had it existed, would have returned at once.)
func TestCloseWaitsForClickInFlight(t *testing.T) {
	t.Parallel()
	mem := slowMemory{entered: make(chan string, 1), release: make(chan struct{})}
	api := &recordingAPI{}
	a := &App{Memory: mem, API: api, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	click(t, a)
	<-mem.entered // the click is being handled, after its answer

	closed := make(chan error, 1)
	go func() { closed <- a.Close(context.Background()) }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while the click was still being handled", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(mem.release)
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	// No waiting here: the click's work must be complete when Close returns.
	if got := api.got(); len(got) != 1 || !strings.Contains(got[0], "Jane Doe") {
		t.Errorf("after Close the click's answer is %q, want Jane's card sent", got)
	}

	// Once closed, the app takes no new work: a click is answered (Slack
	// resends nothing for a 200) but not handled.
	click(t, a)
	if len(api.got()) != 1 {
		t.Error("a click after Close was handled")
	}
	if m := a.Command(context.Background(), slack.SlashCommand{Command: view.Command, Text: "jane"}); !strings.Contains(m.Text, "restarting") {
		t.Errorf("command after Close answered %q, want the restart notice", m.Text)
	}
}

// Close is bounded: when its context ends first it cancels the work in
// flight and says so, without waiting for it.
func TestCloseGivesUpAtItsDeadline(t *testing.T) {
	t.Parallel()
	mem := slowMemory{entered: make(chan string, 1), ended: make(chan error, 1)}
	a := &App{Memory: mem, API: &recordingAPI{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	click(t, a)
	<-mem.entered

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := a.Close(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "1 handlers") {
		t.Errorf("Close past its deadline = %v, want context.Canceled naming 1 handler", err)
	}
	select {
	case err := <-mem.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the click's context ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the click's context was never cancelled")
	}
}

// A slash command slower than Answer is answered "One moment…" and the
// result goes to its response URL later, in work Close waits for.
func TestCommandAnsweredLateIsAwaited(t *testing.T) {
	t.Parallel()
	mem := slowMemory{entered: make(chan string, 1), release: make(chan struct{})}
	api := &recordingAPI{}
	a := &App{Memory: mem, API: api, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Answer: time.Millisecond}
	m := a.Command(context.Background(), slack.SlashCommand{Command: view.Command, Text: "jane@example.com",
		ResponseURL: "https://hooks.example/cmd"})
	if m.Text != "One moment…" {
		t.Errorf("slow command answered %q, want One moment…", m.Text)
	}
	<-mem.entered
	close(mem.release)
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := api.got(); len(got) != 1 || !strings.HasPrefix(got[0], "https://hooks.example/cmd replace=false") ||
		!strings.Contains(got[0], "Jane Doe") {
		t.Errorf("late answer %q, want Jane's card at the command's response URL", got)
	}
}

// panickyMemory panics on the lookup a click makes.
type panickyMemory struct{ stubMemory }

func (panickyMemory) Customer(context.Context, string, int64) (*plusone.ContextCard, error) {
	panic("boom in a click")
}

// A panic in the work after the answer is caught and logged with what it
// was: the process goes on, and Close still returns (the work is over).
// Without the recovery the panic ends the test binary.
func TestPanicAfterAnswerIsRecovered(t *testing.T) {
	t.Parallel()
	var logged strings.Builder
	var mu sync.Mutex
	a := &App{Memory: panickyMemory{}, API: &recordingAPI{},
		Log: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logged}, nil))}
	click(t, a)
	if err := a.Close(context.Background()); err != nil {
		t.Fatalf("Close after a panicking click: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if out := logged.String(); !strings.Contains(out, "panic in work after the answer") ||
		!strings.Contains(out, "boom in a click") || !strings.Contains(out, "work=") {
		t.Errorf("log after a panicking click:\n%s\nwant the panic logged with its work", out)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
