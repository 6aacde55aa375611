package server_test

import (
	"context"
	"net/http"
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
