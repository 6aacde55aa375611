package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/bot/view"
)

// A click being handled when shutdown begins is finished before serve
// returns (and so before the store closes): its answer reaches the
// response URL, and serve does not return while it is still on its way.
func TestShutdownWaitsForClickInFlight(t *testing.T) {
	t.Parallel()
	app := startApp(t, baseEnv(t, newFakeSlack(t)))

	// The click's answer goes to a response URL that holds it until
	// released.
	entered, release := make(chan struct{}, 1), make(chan struct{})
	var mu sync.Mutex
	var answers []string
	respond := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		entered <- struct{}{}
		<-release
		mu.Lock()
		answers = append(answers, string(b))
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	defer respond.Close()
	answered := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), answers...)
	}

	// No such customer: the click is answered with that, after its 200.
	status, _ := interaction(t, app, map[string]any{"type": "block_actions", "user": map[string]string{"id": "U0ANA"},
		"team": map[string]string{"id": "T0OURS"}, "trigger_id": "trig-1", "response_url": respond.URL + "/click",
		"actions": []map[string]string{{"action_id": view.ActionShowCustomer, "value": "424242", "block_id": "b"}}})
	if status != http.StatusOK {
		t.Fatalf("click: %d", status)
	}
	select {
	case <-entered:
	case <-time.After(30 * time.Second):
		t.Fatal("the click never answered")
	}

	app.cancel()
	select {
	case err := <-app.done:
		close(release)
		close(app.done) // for the cleanup's stop
		t.Fatalf("serve returned (%v) while a click was in flight:\n%s", err, app.logs.String())
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	if err := app.stop(); err != nil {
		t.Fatal(err)
	}
	// No polling: the answer was sent before serve returned.
	if got := answered(); len(got) != 1 || !strings.Contains(got[0], "ephemeral") {
		t.Errorf("answers before serve returned: %q, want the click's one", got)
	}
	if logs := app.logs.String(); strings.Contains(logs, "slack app shutdown") {
		t.Errorf("shutdown gave up on the click:\n%s", logs)
	}
}
