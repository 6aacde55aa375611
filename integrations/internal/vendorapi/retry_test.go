package vendorapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
)

// TestParseRetryAfter merges the tables the Zendesk and Shopify clients
// had.
func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 41 ", 41 * time.Second, true},
		{"0.25", 250 * time.Millisecond, true},
		{"2.0", 2 * time.Second, true},
		{"0", 0, true},
		{"Fri, 10 Jan 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Fri, 10 Jan 2025 11:00:00 GMT", 0, true},
		{"", 0, false},
		{"-3", 0, false},
		{"soon", 0, false},
		{"later", 0, false},
		{"NaN", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{Base: 100 * time.Millisecond, MaxBackoff: time.Second}
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 9: time.Second, 80: time.Second} {
		for range 50 {
			if d := p.Backoff(attempt); d < ceiling/2 || d > ceiling {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", attempt, d, ceiling/2, ceiling)
			}
		}
	}
}

// response fakes what resty hands the retry policy.
func response(status int, header ...string) *resty.Response {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &resty.Response{RawResponse: &http.Response{StatusCode: status, Header: h}, Request: &resty.Request{Attempt: 1}}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{Base: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond, MaxRetryAfter: 5 * time.Second}
	resetHint := func(resp *resty.Response, wait time.Duration, ok bool) (time.Duration, bool) {
		if s, has := HeaderInt(resp.Header(), "X-Reset"); !ok && has {
			return time.Duration(s) * time.Second, true
		}
		return wait, ok
	}
	hinted := p
	hinted.Hint = resetHint
	tests := []struct {
		name    string
		p       RetryPolicy
		resp    *resty.Response
		min     time.Duration
		max     time.Duration
		tooLong bool
	}{
		{"retry-after exactly", p, response(429, "Retry-After", "2"), 2 * time.Second, 2 * time.Second, false},
		{"backoff without one", p, response(503), 5 * time.Millisecond, 10 * time.Millisecond, false},
		{"zero retry-after backs off", p, response(429, "Retry-After", "0"), 5 * time.Millisecond, 10 * time.Millisecond, false},
		{"too long", p, response(429, "Retry-After", "3600"), 0, 0, true},
		{"hint read", hinted, response(429, "X-Reset", "3"), 3 * time.Second, 3 * time.Second, false},
		{"retry-after beats the hint", hinted, response(429, "Retry-After", "1", "X-Reset", "3"), time.Second, time.Second, false},
		{"hint too long", hinted, response(429, "X-Reset", "30"), 0, 0, true},
	}
	for _, tt := range tests {
		d, err := tt.p.Delay(nil, tt.resp)
		if tt.tooLong {
			if _, ok := err.(*RetryAfterError); !ok {
				t.Errorf("%s: Delay = %v, %v; want a *RetryAfterError", tt.name, d, err)
			}
			continue
		}
		if err != nil || d < tt.min || d > tt.max {
			t.Errorf("%s: Delay = %v, %v; want within [%v, %v]", tt.name, d, err, tt.min, tt.max)
		}
	}
}

func TestRetryable(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{200: false, 400: false, 401: false, 404: false, 429: true, 500: true, 501: false, 502: true, 503: true} {
		if got := Retryable(response(status), nil); got != want {
			t.Errorf("Retryable(HTTP %d) = %v, want %v", status, got, want)
		}
	}
	if Retryable(nil, http.ErrHandlerTimeout) {
		t.Error("a request refused before it was sent (no response) is retried")
	}
	if Retryable(response(0), resty.ErrResponseBodyTooLarge) {
		t.Error("a body too large is retried")
	}
}

// TestAfterCountsTheCallersAttempts: After backs off by the attempt it is
// given, not by resty's count, and reads the vendor's wait like Delay.
func TestAfterCountsTheCallersAttempts(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{Base: 10 * time.Millisecond, MaxBackoff: time.Second, MaxRetryAfter: 5 * time.Second}
	if d, err := p.After(nil, 3); err != nil || d < 20*time.Millisecond || d > 40*time.Millisecond {
		t.Errorf("After(no answer, attempt 3) = %v, %v; want within [20ms, 40ms]", d, err)
	}
	if d, err := p.After(&resty.Response{}, 1); err != nil || d < 5*time.Millisecond || d > 10*time.Millisecond {
		t.Errorf("After(an empty response, attempt 1) = %v, %v; want within [5ms, 10ms]", d, err)
	}
	if d, err := p.After(response(429, "Retry-After", "2"), 4); err != nil || d != 2*time.Second {
		t.Errorf("After(Retry-After 2, attempt 4) = %v, %v; want 2s", d, err)
	}
	if _, err := p.After(response(503, "Retry-After", "60"), 1); err == nil {
		t.Error("After accepted a Retry-After longer than MaxRetryAfter")
	}
}
