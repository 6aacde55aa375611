package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

const (
	urlVerification = `{"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}`
	slackMessage    = `{"team_id": "T0OURS", "event": {"type": "message", "text": "Hi", "user": "U0ACME01", "ts": "1763636645.123456",
		"channel": "C0SHAREDACME"}, "type": "event_callback", "event_id": "Ev0CUSTOMER1", "event_time": 1763636645}`
	appHomeOpened = `{"team_id": "T0OURS", "event": {"type": "app_home_opened", "user": "U0ANA", "channel": "D0", "tab": "home"},
		"type": "event_callback", "event_id": "Ev0HOME", "event_time": 1763636645}`
)

// Slack's Events API over HTTP: every request's signature is checked;
// url_verification is answered with its challenge, messages are stored as
// events (a retry is a duplicate), and events for the app are handed over
// after a 200.
func TestSlackEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	post := func(body string, h http.Header) answer {
		t.Helper()
		return e.do(http.MethodPost, "/slack/events", h, []byte(body))
	}

	a := post(urlVerification, slackSigned(slackSecret, []byte(urlVerification)))
	if a.status != http.StatusOK || a.json(t)["challenge"] != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: %d %s", a.status, a.body)
	}

	a = post(slackMessage, slackSigned(slackSecret, []byte(slackMessage)))
	if a.status != http.StatusAccepted || a.json(t)["duplicate"] != false {
		t.Errorf("message: %d %s, want 202", a.status, a.body)
	}
	retry := slackSigned(slackSecret, []byte(slackMessage))
	retry.Set("X-Slack-Retry-Num", "1")
	if a = post(slackMessage, retry); a.status != http.StatusOK || a.json(t)["duplicate"] != true {
		t.Errorf("retried message: %d %s, want 200 duplicate", a.status, a.body)
	}
	evs, err := e.store.ClaimEvents(context.Background(), plusone.Claim{Worker: "w", Limit: 10, Lease: time.Minute, Now: time.Now()})
	if err != nil || len(evs) != 1 || evs[0].Source != plusone.SourceSlack {
		t.Errorf("stored %v %v, want the one Slack message", evs, err)
	}

	a = post(appHomeOpened, slackSigned(slackSecret, []byte(appHomeOpened)))
	if a.status != http.StatusOK || a.json(t)["ok"] != true {
		t.Errorf("app_home_opened: %d %s", a.status, a.body)
	}
	select {
	case kind := <-e.events:
		if kind != "app_home_opened" {
			t.Errorf("SlackEvent got %q, want app_home_opened", kind)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("app_home_opened never handed to SlackEvent")
	}

	for _, body := range []string{slackMessage, appHomeOpened, urlVerification} {
		post(body, slackSigned("wrong", []byte(body))).errorSays(t, http.StatusUnauthorized, "invalid signature")
		post(body, nil).errorSays(t, http.StatusUnauthorized, "missing")
	}
	select {
	case kind := <-e.events:
		t.Errorf("an unsigned %s event was handed to SlackEvent", kind)
	default:
	}
	post(`{"type": "event_callback"}`, slackSigned(slackSecret, []byte(`{"type": "event_callback"}`))).
		errorSays(t, http.StatusBadRequest, "event_id")
}

// Without Slack over HTTP (Socket Mode, or no Slack) /slack/events is
// not found and says how to turn it on.
func TestSlackEventsOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.srv.Slack = nil
	e.do(http.MethodPost, "/slack/events", slackSigned(slackSecret, []byte(slackMessage)), []byte(slackMessage)).
		errorSays(t, http.StatusNotFound, "set PLUSONE_SLACK_SIGNING_SECRET")
}

// The Slack app's commands and interactions are routes of the one mux,
// given the app's signing secret and the size limit; without an app they
// are not found.
func TestSlackAppRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range []string{"/slack/commands", "/slack/interactions"} {
		a := e.do(http.MethodPost, path, nil, []byte("x"))
		want := strings.TrimPrefix(path, "/slack/") + " " + slackSecret + " 4096"
		if a.status != http.StatusOK || a.body != want {
			t.Errorf("POST %s: %d %q, want 200 %q", path, a.status, a.body, want)
		}
	}
	e.srv.SlackApp = nil
	e.h = e.srv.Handler()
	for _, path := range []string{"/slack/commands", "/slack/interactions"} {
		if a := e.do(http.MethodPost, path, nil, []byte("x")); a.status != http.StatusNotFound {
			t.Errorf("POST %s without an app: %d, want 404", path, a.status)
		}
	}
}

// Socket Mode's messages go through the same intake as the Events API
// over HTTP: stored once (Slack's resend is a duplicate, no error), the
// workers woken; a malformed one is refused without an error (acknowledged,
// not resent); a store that cannot take it is an error (not acknowledged,
// so Slack sends it again).
func TestSlackIntakeSocketMode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	for range 2 {
		if err := e.srv.Slack.StoreMessage(ctx, []byte(slackMessage)); err != nil {
			t.Fatalf("StoreMessage: %v", err)
		}
	}
	evs, err := e.store.ClaimEvents(ctx, plusone.Claim{Worker: "w", Limit: 10, Lease: time.Minute, Now: time.Now()})
	if err != nil || len(evs) != 1 || evs[0].Source != plusone.SourceSlack {
		t.Errorf("stored %v %v, want the one Slack message", evs, err)
	}
	e.mu.Lock()
	stored := e.stored
	e.mu.Unlock()
	if stored != 1 {
		t.Errorf("workers woken %d times, want 1", stored)
	}
	if err := e.srv.Slack.StoreMessage(ctx, []byte(`{"type": "event_callback"}`)); err != nil {
		t.Errorf("a malformed message: %v, want it refused without an error", err)
	}
	if err := e.closed(); err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(slackMessage, "Ev0CUSTOMER1", "Ev0CUSTOMER2", 1)
	if err := e.srv.Slack.StoreMessage(ctx, []byte(other)); err == nil {
		t.Error("StoreMessage on a closed store gave no error")
	}
}
