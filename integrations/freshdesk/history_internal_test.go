package freshdesk

import (
	"net/http"
	"testing"
	"time"
)

func TestRateLimitDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		total, remaining string
		want             time.Duration
	}{
		{"400", "399", 0},
		{"400", "40", time.Minute / 41},
		{"600", "59", time.Second},
		{"", "2", 20 * time.Second}, // unknown total: 5 is low
		{"400", "", 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.total != "" {
			h.Set("X-RateLimit-Total", tt.total)
		}
		if tt.remaining != "" {
			h.Set("X-RateLimit-Remaining", tt.remaining)
		}
		if got := rateLimitDelay(h, time.Time{}); got != tt.want {
			t.Errorf("total %s, remaining %s: rateLimitDelay = %v, want %v", tt.total, tt.remaining, got, tt.want)
		}
	}
}

func TestNextPage(t *testing.T) {
	t.Parallel()
	tests := map[string]int{
		`<https://acme.freshdesk.com/api/v2/tickets?page=2&per_page=100>; rel="next"`:                                                  2,
		`<https://acme.freshdesk.com/api/v2/tickets?page=1>; rel="prev", <https://acme.freshdesk.com/api/v2/tickets?page=3>; rel=next`: 3,
		`<https://acme.freshdesk.com/api/v2/tickets?page=1>; rel="prev"`:                                                               0,
		`<https://acme.freshdesk.com/api/v2/tickets?page=x>; rel="next"`:                                                               0,
		``: 0,
	}
	for link, want := range tests {
		h := http.Header{}
		if link != "" {
			h.Set("Link", link)
		}
		if got := nextPage(h); got != want {
			t.Errorf("nextPage(%s) = %d, want %d", link, got, want)
		}
	}
}

func TestErrorDetail(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"description":"Validation failed","errors":[{"field":"updated_since","message":"bad","code":"invalid_value"}]}`: "Validation failed: updated_since bad",
		`{"code":"access_denied","message":"You are not authorized"}`:                                                     "You are not authorized",
		`[]`: "",
	} {
		if got := errorDetail([]byte(body)); got != want {
			t.Errorf("errorDetail(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestCleanDomainURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"acme.freshdesk.com":                   "https://acme.freshdesk.com",
		" https://acme.freshdesk.com/api/v2/ ": "https://acme.freshdesk.com",
		"https://key:X@acme.freshdesk.com":     "https://acme.freshdesk.com",
		"":                                     "",
	} {
		if got := cleanDomainURL(in); got != want {
			t.Errorf("cleanDomainURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStatusPriorityAndSource(t *testing.T) {
	t.Parallel()
	if got := []string{statusName(2), statusName(3), statusName(4), statusName(5), statusName(6)}; got[0] != "open" || got[1] != "pending" ||
		got[2] != "resolved" || got[3] != "closed" || got[4] != "" {
		t.Errorf("statuses = %q", got)
	}
	if got := []string{priorityName(1), priorityName(4), priorityName(0)}; got[0] != "low" || got[1] != "urgent" || got[2] != "" {
		t.Errorf("priorities = %q", got)
	}
	if got := []string{sourceName(1), sourceName(7), sourceName(10), sourceName(99)}; got[0] != "email" || got[1] != "chat" || got[2] != "outbound email" || got[3] != "" {
		t.Errorf("sources = %q", got)
	}
}
