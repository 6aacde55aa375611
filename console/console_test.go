package console

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/outcomes"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// newConsole is a console on a fresh SQLite store with the built-in
// policy.
func newConsole(t testing.TB, open bool) (*Console, http.Handler, plusone.Store) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "plusone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	log := slog.New(slog.DiscardHandler)
	live := config.NewLive("", plusone.DefaultPolicy(), log)
	gest := &gestures.Service{Store: store, Policies: live, Clock: time.Now, Log: log}
	c := &Console{Store: store, Policy: live.Current, Gestures: gest, Outcomes: &outcomes.Service{Store: store, Policy: live.Current},
		Open: open, Clock: time.Now, Log: log}
	h, err := c.Handler()
	if err != nil {
		t.Fatal(err)
	}
	return c, h, store
}

func get(h http.Handler, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

// Without Sign in with Slack and not open (not on a loopback address),
// every page is 403 and says what to set.
func TestClosedConsole(t *testing.T) {
	t.Parallel()
	_, h, _ := newConsole(t, false)
	for _, page := range []string{"/console/customers", "/console/ledger", "/console/approvals", "/console/policy"} {
		w := get(h, page)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "PLUSONE_SLACK_CLIENT_ID") {
			t.Errorf("%s = %d\n%s", page, w.Code, w.Body.String())
		}
	}
	if w := get(h, "/console/assets/console.css"); w.Code != 200 || !strings.Contains(w.Header().Get("Content-Type"), "text/css") {
		t.Errorf("assets: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

// An open console (local mode on a loopback address) shows every page,
// with the headers that keep it safe, but decides nothing: a decision
// needs a supervisor's name.
func TestOpenConsole(t *testing.T) {
	t.Parallel()
	_, h, _ := newConsole(t, true)
	for _, page := range []string{"/console/customers", "/console/ledger", "/console/outcomes", "/console/approvals", "/console/policy"} {
		w := get(h, page)
		if w.Code != 200 {
			t.Errorf("%s = %d\n%s", page, w.Code, w.Body.String())
		}
		for _, header := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"} {
			if w.Header().Get(header) == "" {
				t.Errorf("%s: no %s", page, header)
			}
		}
	}
	if w := get(h, "/console/approvals"); !strings.Contains(w.Body.String(), "cannot decide") {
		t.Errorf("the open approvals page does not say it cannot decide")
	}
	req := httptest.NewRequest(http.MethodPost, "/console/approvals/1", strings.NewReader(url.Values{"decision": {"approve"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusForbidden {
		t.Errorf("an open console's decision: %d", w.Code)
	}
	for target, want := range map[string]int{"/console/customers/0": 404, "/console/customers/999": 404, "/console/nope": 404,
		"/console/ledger?days=0": 400, "/console/ledger?days=x": 400, "/console/outcomes?window=3d": 400,
		"/console/customers?q=" + strings.Repeat("x", 300): 400, "/console/": 303} {
		if w := get(h, target); w.Code != want {
			t.Errorf("%s = %d, want %d", target[:min(len(target), 40)], w.Code, want)
		}
	}
}

// Days are local days in the policy's time zone, across a change of
// daylight saving time; spend shows from the first day with a charge, one
// series per agent and per team.
func TestSpendPerDay(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 3, 0, 0, 0, 0, ny) // DST ended on Nov 1
	days := daysFrom(today.AddDate(0, 0, -4), today)
	if len(days) != 5 || days[3].Sub(days[2]) != 25*time.Hour || days[4].Hour() != 0 || !days[4].Equal(today) {
		t.Fatalf("days = %v", days)
	}
	spend := []plusone.DaySpend{
		{Day: 1, Agent: "U1", Team: "t", Amount: 15_00},
		{Day: 2, Agent: "U1", Team: "t", Amount: 4_00},
		{Day: 4, Agent: "U2", Team: "t", Amount: 10_00},
		{Day: 4, Agent: "U2", Amount: -10_00}, // a refund the same day, of no team
		{Day: 0, Agent: "U3", Amount: 0},      // no charge: no series, no earlier start
	}
	shown, series := spendPerDay(spend, days, true)
	if len(shown) != 4 || !shown[0].Equal(days[1]) {
		t.Fatalf("days shown = %v", shown)
	}
	want := map[string][]plusone.Money{"Agent U1": {15_00, 4_00, 0, 0}, "Agent U2": {0, 0, 0, 0}, "Team t": {15_00, 4_00, 0, 10_00}}
	if len(series) != len(want) {
		t.Fatalf("series = %+v", series)
	}
	for _, s := range series {
		if w := want[s.label]; len(w) != len(s.values) || !equalMoney(w, s.values) {
			t.Errorf("%s = %v, want %v", s.label, s.values, w)
		}
	}
	if shown, series := spendPerDay(nil, days, true); len(shown) != 1 || len(series) != 0 {
		t.Errorf("no spend: %v %v", shown, series)
	}
}

func equalMoney(a, b []plusone.Money) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A signed value read back is the value; altered, it is nothing. After
// signing in, only a console page is a place to go.
func TestSignedValuesAndNext(t *testing.T) {
	t.Parallel()
	a := &Auth{ClientSecret: "s", PublicURL: "https://plusone.example"}
	v, err := sign(a.signingKey(), session{User: "U1", Expires: 99})
	if err != nil {
		t.Fatal(err)
	}
	var s session
	if !verify(a.signingKey(), v, &s) || s.User != "U1" {
		t.Errorf("verify = %+v", s)
	}
	other := &Auth{ClientSecret: "t"}
	if verify(other.signingKey(), v, &s) || verify(a.signingKey(), v+"x", &s) || verify(a.signingKey(), "x"+v, &s) || verify(a.signingKey(), "", &s) {
		t.Error("an altered value verified")
	}
	if c := a.cookie(sessionCookie, v, "/console/", 60); !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie on https = %+v", c)
	}
	for next, want := range map[string]string{"/console/ledger?days=7": "/console/ledger?days=7", "//evil.example/": "/console/customers",
		"https://evil.example/console/": "/console/customers", "/console/\\evil": "/console/customers", "": "/console/customers"} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
}
