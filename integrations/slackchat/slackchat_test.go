package slackchat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

func channels(ch string) (string, bool) {
	m := map[string]string{"C0SHAREDACME": "acme.example", "C0JANE": "jane@example.com"}
	c, ok := m[ch]
	return c, ok
}

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerify(t *testing.T) {
	t.Parallel()
	s := New(secret, channels)
	// Slack's documented example (docs.slack.dev, verifying requests).
	body := []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
	doc := http.Header{}
	doc.Set(HeaderTimestamp, "1531420618")
	doc.Set(HeaderSignature, "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	at := time.Unix(1531420618, 0)
	if err := s.Verify(doc, body, at); err != nil {
		t.Fatalf("documented example: %v", err)
	}
	now := time.Now()
	signed := func(sec string, at time.Time) http.Header {
		h := http.Header{}
		Sign(h, sec, body, at)
		return h
	}
	tests := []struct {
		name string
		h    http.Header
		body []byte
		now  time.Time
		want string
	}{
		{"valid", signed(secret, now), body, now, ""},
		{"wrong secret", signed("other", now), body, now, "invalid signature"},
		{"tampered", signed(secret, now), append([]byte("x"), body...), now, "invalid signature"},
		{"missing", http.Header{}, body, now, "missing"},
		{"stale", signed(secret, now.Add(-6*time.Minute)), body, now, "stale"},
		{"future", signed(secret, now.Add(6*time.Minute)), body, now, "in the future"},
		{"bad prefix", http.Header{HeaderTimestamp: {"1"}, HeaderSignature: {"v1=00"}}, body, time.Unix(1, 0), "v0="},
	}
	for _, tt := range tests {
		err := s.Verify(tt.h, tt.body, tt.now)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || plusone.ErrorCode(err) != plusone.EUNAUTHORIZED):
			t.Errorf("%s: %v, want unauthorized mentioning %q", tt.name, err, tt.want)
		}
	}
	if err := New("", channels).Verify(signed("", now), body, now); err == nil {
		t.Error("no secret configured must refuse")
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	s := New(secret, channels)
	tests := []struct {
		file    string
		ignored bool
		want    plusone.Event
	}{
		{file: "message_customer.json", want: plusone.Event{ID: "Ev0CUSTOMER1",
			Customer: plusone.CustomerRef{ExternalID: "U0ACME01", Domain: "acme.example"},
			Message:  &plusone.Message{ID: "C0SHAREDACME:1763636645.123456", FromCustomer: true, Text: "Hi team, our last pallet of tires hasn't arrived. Can someone check?"}}},
		{file: "message_jane.json", want: plusone.Event{ID: "Ev0JANE1",
			Customer: plusone.CustomerRef{Email: "jane@example.com", ExternalID: "U0JANE"},
			Message:  &plusone.Message{ID: "C0JANE:1763637100.000300", FromCustomer: true, Text: "Thanks! Could you also add the valve caps?"}}},
		{file: "message_agent.json", want: plusone.Event{ID: "Ev0AGENT1",
			Customer: plusone.CustomerRef{Email: "jane@example.com"},
			Message:  &plusone.Message{ID: "C0JANE:1763637000.000200", Author: "Agent in Slack", Text: "On it — the carrier says tomorrow morning."}}},
		{file: "message_bot.json", ignored: true},
		{file: "message_changed.json", ignored: true},
		{file: "message_elsewhere.json", ignored: true},
		{file: "app_home_opened.json", ignored: true},
	}
	for _, tt := range tests {
		d, err := s.Parse(nil, read(t, tt.file))
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		if tt.ignored {
			if d.Reply == nil || len(d.Events) != 0 || d.DedupeKey != "" {
				t.Errorf("%s: want an answer and nothing stored, got %+v", tt.file, d)
			}
			continue
		}
		if len(d.Events) != 1 || d.DedupeKey != tt.want.ID || d.Reply != nil {
			t.Fatalf("%s: delivery %+v", tt.file, d)
		}
		e := d.Events[0]
		if e.ID != tt.want.ID || e.Source != plusone.SourceSlack || e.Type != plusone.EventMessageReceived ||
			e.Customer.Email != tt.want.Customer.Email || e.Customer.ExternalID != tt.want.Customer.ExternalID ||
			e.Customer.Domain != tt.want.Customer.Domain || *e.Message != *tt.want.Message || e.OccurredAt.IsZero() {
			t.Errorf("%s:\n got %+v %+v\nwant %+v %+v", tt.file, e, e.Message, tt.want, tt.want.Message)
		}
	}
	d, err := s.Parse(nil, read(t, "url_verification.json"))
	if err != nil || d.Reply != (Challenge{Challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}) {
		t.Errorf("url_verification: %+v %v", d, err)
	}
	if k := Kind(read(t, "app_home_opened.json")); k != "app_home_opened" {
		t.Errorf("Kind = %q", k)
	}
	if k := Kind(read(t, "url_verification.json")); k != "url_verification" {
		t.Errorf("Kind = %q", k)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	s := New(secret, channels)
	for body, want := range map[string]string{
		`{"type":"event_callback","event":`:                  "invalid JSON",
		`{"type":"event_callback","event":{"type":"x"}}`:     "event_id",
		`{"type":"url_verification"}`:                        "challenge",
		`{"event_id":"Ev1"}`:                                 `"type"`,
		`{"type":"event_callback","event_id":"E","event":7}`: `event`,
		``: "empty",
	} {
		_, err := s.Parse(nil, []byte(body))
		if plusone.ErrorCode(err) != plusone.EINVALID || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want invalid mentioning %q", body, err, want)
		}
	}
}

func TestEnrich(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch r.Form.Get("user") {
		case "U0ACME01":
			w.Write([]byte(`{"ok":true,"user":{"id":"U0ACME01","real_name":"Ada Acme","profile":{"email":"Ada@Acme.example","display_name":"ada"}}}`))
		case "U0OTHER":
			w.Write([]byte(`{"ok":true,"user":{"id":"U0OTHER","real_name":"Bo","profile":{"email":"bo@elsewhere.example"}}}`))
		case "U0LIMIT":
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(429)
		default:
			w.Write([]byte(`{"ok":false,"error":"user_not_found"}`))
		}
	}))
	defer srv.Close()
	api := NewAPI("xoxb-test", srv.URL, nil)
	ctx := context.Background()
	e := plusone.Event{Source: plusone.SourceSlack, Customer: plusone.CustomerRef{ExternalID: "U0ACME01", Domain: "acme.example"}}
	if err := api.Enrich(ctx, &e); err != nil || e.Customer.Email != "ada@acme.example" || e.Customer.Name != "Ada Acme" {
		t.Fatalf("enriched %+v, %v", e.Customer, err)
	}
	e2 := plusone.Event{Customer: plusone.CustomerRef{ExternalID: "U0ACME01", Domain: "acme.example"}}
	_ = api.Enrich(ctx, &e2)
	if calls.Load() != 1 || e2.Customer.Email != "ada@acme.example" {
		t.Errorf("cache: %d calls, %+v", calls.Load(), e2.Customer)
	}
	// An author outside the company's domain keeps her Slack identity only.
	e3 := plusone.Event{Customer: plusone.CustomerRef{ExternalID: "U0OTHER", Domain: "acme.example"}}
	if err := api.Enrich(ctx, &e3); err != nil || e3.Customer.Email != "" || e3.Customer.Name != "Bo" {
		t.Errorf("outside the domain: %+v %v", e3.Customer, err)
	}
	e4 := plusone.Event{Customer: plusone.CustomerRef{ExternalID: "U0GONE"}}
	if err := api.Enrich(ctx, &e4); err != nil {
		t.Errorf("unknown user: %v", err)
	}
	e5 := plusone.Event{Customer: plusone.CustomerRef{ExternalID: "U0LIMIT"}}
	if err := api.Enrich(ctx, &e5); err == nil {
		t.Error("a rate limit must be an error")
	}
}

func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			f.Add(read(f, e.Name()))
		}
	}
	s := New(secret, channels)
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := s.Parse(nil, body)
		if err != nil {
			if plusone.ErrorCode(err) != plusone.EINVALID {
				t.Fatalf("error without code: %v", err)
			}
			return
		}
		if d.Reply == nil && (d.DedupeKey == "" || len(d.Events) == 0) {
			t.Fatalf("a delivery to store needs a dedupe key and events: %+v", d)
		}
	})
}
