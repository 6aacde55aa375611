package zendesk

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
)

func TestRateLimitDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		headers map[string]string
		want    time.Duration
	}{
		{"plenty left", map[string]string{"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "699"}, 0},
		{"no headers", nil, 0},
		{"none left, reset known", map[string]string{"ratelimit-limit": "700", "ratelimit-remaining": "0", "ratelimit-reset": "41"}, 41 * time.Second},
		{"few left, spread over the reset", map[string]string{"ratelimit-limit": "700", "ratelimit-remaining": "9", "ratelimit-reset": "20"}, 2 * time.Second},
		{"few left, a minute window", map[string]string{"X-Rate-Limit": "200", "X-Rate-Limit-Remaining": "2"}, 20 * time.Second},
		{"endpoint limit is stricter", map[string]string{
			"ratelimit-limit": "700", "ratelimit-remaining": "650", "ratelimit-reset": "41",
			"Zendesk-Ratelimit-Tickets-Index": "total=100; remaining=0; resets=12",
		}, 12 * time.Second},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.headers {
			h.Set(k, v)
		}
		if got := rateLimitDelay(h); got != tt.want {
			t.Errorf("%s: rateLimitDelay = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestPacingSlowsDownBeforeTheLimit serves a first page that leaves no
// request in the window and checks that the next page waits for its reset.
func TestPacingSlowsDownBeforeTheLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v2/users/42.json":
			_, _ = w.Write([]byte(`{"user":{"id":42,"email":"jane@example.com"}}`))
		case "/api/v2/users/42/tickets/requested.json":
			if r.URL.Query().Get("page[after]") == "" {
				w.Header().Set("ratelimit-limit", "100")
				w.Header().Set("ratelimit-remaining", "0")
				w.Header().Set("ratelimit-reset", "7")
				_, _ = w.Write([]byte(`{"tickets":[{"id":1,"created_at":"2025-01-02T00:00:00Z"}],"meta":{"has_more":true,"after_cursor":"c2"}}`))
				return
			}
			_, _ = w.Write([]byte(`{"tickets":[{"id":2,"created_at":"2025-01-01T00:00:00Z"}],"meta":{"has_more":false}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	a := NewAPI(srv.URL, "agent@example.com", "token")
	rec := &historytest.SleepRecorder{}
	a.pacer.sleep = rec.Sleep
	events, err := a.History(t.Context(), plusone.HistoryQuery{ExternalID: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Errorf("got %d events, want 2", len(events))
	}
	waits := rec.Recorded()
	if len(waits) != 1 || waits[0] < 6*time.Second || waits[0] > 7*time.Second {
		t.Errorf("pacer waited %v, want one wait of about 7s before page 2", waits)
	}
}

func TestUserCacheEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newUserCache(2, time.Minute, func() time.Time { return now })
	a, b := &apiUser{ID: "1"}, &apiUser{ID: "2"}
	c.put("1", a)
	c.put("2", b)
	if _, ok := c.get("1"); !ok { // 1 is now the most recently used
		t.Fatal("1 missing")
	}
	c.put("3", nil)
	if _, ok := c.get("2"); ok {
		t.Error("2 should have been evicted")
	}
	if u, ok := c.get("1"); !ok || u != a {
		t.Error("1 should have stayed")
	}
	if u, ok := c.get("3"); !ok || u != nil {
		t.Errorf("3 = %v, %v; want a remembered unknown user", u, ok)
	}
	if n := c.len(); n != 2 {
		t.Errorf("len = %d, want 2", n)
	}
	now = now.Add(time.Minute)
	if _, ok := c.get("1"); ok {
		t.Error("1 should have expired")
	}
	off := newUserCache(0, time.Minute, time.Now)
	off.put("1", a)
	if _, ok := off.get("1"); ok {
		t.Error("a disabled cache remembered a user")
	}
}

func TestNextCursor(t *testing.T) {
	t.Parallel()
	var p ticketsPage
	p.Links.Next = "https://elsewhere.example/api/v2/users/1/tickets/requested.json?page%5Bafter%5D=abc&page%5Bsize%5D=100"
	if c := p.nextCursor(); c != "abc" {
		t.Errorf("cursor from links.next = %q, want abc", c)
	}
	p.Meta.AfterCursor = "xyz"
	if c := p.nextCursor(); c != "xyz" {
		t.Errorf("cursor = %q, want meta.after_cursor xyz", c)
	}
}
