package intercom

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
)

func TestRateLimitDelay(t *testing.T) {
	t.Parallel()
	now := time.Unix(1736331120, 0)
	tests := []struct {
		name    string
		headers map[string]string
		want    time.Duration
	}{
		{"plenty left", map[string]string{"X-RateLimit-Limit": "10000", "X-RateLimit-Remaining": "9999", "X-RateLimit-Reset": "1736331130"}, 0},
		{"no headers", nil, 0},
		{"none left, reset known", map[string]string{"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1736331127"}, 7 * time.Second},
		{"few left, spread over the reset", map[string]string{"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "9", "X-RateLimit-Reset": "1736331130"}, time.Second},
		{"few left, a 10-second window", map[string]string{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "4"}, 2 * time.Second},
		{"reset passed", map[string]string{"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1736331000"}, 0},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.headers {
			h.Set(k, v)
		}
		if got := rateLimitDelay(h, now); got != tt.want {
			t.Errorf("%s: rateLimitDelay = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRetryWait(t *testing.T) {
	t.Parallel()
	now := time.Unix(1736331120, 0)
	wait := retryWait(func() time.Time { return now })
	resp := func(status int, reset string) *resty.Response {
		h := http.Header{}
		if reset != "" {
			h.Set("X-RateLimit-Reset", reset)
		}
		return &resty.Response{RawResponse: &http.Response{StatusCode: status, Header: h}}
	}
	tests := []struct {
		name   string
		resp   *resty.Response
		in     time.Duration
		inOK   bool
		want   time.Duration
		wantOK bool
	}{
		{"429 until the reset", resp(429, "1736331123"), 0, false, 3 * time.Second, true},
		{"Retry-After wins", resp(429, "1736331123"), time.Second, true, time.Second, true},
		{"a reset in the past", resp(429, "1736331000"), 0, false, 0, false},
		{"not a 429", resp(503, "1736331123"), 0, false, 0, false},
		{"no reset", resp(429, ""), 0, false, 0, false},
	}
	for _, tt := range tests {
		if got, ok := wait(tt.resp, tt.in, tt.inOK); got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: retryWait = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestNextCursor(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		`{"pages":{"next":{"page":2,"starting_after":"abc"}}}`:                                        "abc",
		`{"pages":{"next":"https://elsewhere.example/conversations?per_page=20&starting_after=xyz"}}`: "xyz",
		`{"pages":{"next":null}}`: "",
		`{"pages":{}}`:            "",
	}
	for body, want := range tests {
		var p conversationPage
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		if got := p.nextCursor(); got != want {
			t.Errorf("nextCursor(%s) = %q, want %q", body, got, want)
		}
	}
}

func TestErrorList(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"type":"error.list","errors":[{"code":"parameter_invalid","message":"Invalid field"}]}`: "parameter_invalid: Invalid field",
		`{"type":"error.list","errors":[]}`: "",
		`<html>`:                            "",
	} {
		if got := errorList([]byte(body)); got != want {
			t.Errorf("errorList(%s) = %q, want %q", body, got, want)
		}
	}
}

// TestSearchConversationsBody pins the request body to the shape of
// Intercom's search API.
func TestSearchConversationsBody(t *testing.T) {
	t.Parallel()
	since := time.Unix(1736331127, 0)
	b, _ := json.Marshal(searchConversations([]apiContact{{ID: "c1"}}, since, 20, "cur"))
	want := `{"query":{"operator":"AND","value":[{"field":"contact_ids","operator":"=","value":"c1"},{"field":"created_at","operator":"\u003e","value":1736158327}]},"pagination":{"per_page":20,"starting_after":"cur"},"sort":{"field":"created_at","order":"descending"}}`
	if string(b) != want {
		t.Errorf("body = %s\nwant   %s", b, want)
	}
	b, _ = json.Marshal(searchConversations([]apiContact{{ID: "c1"}, {ID: "c2"}}, time.Time{}, 150, ""))
	want = `{"query":{"field":"contact_ids","operator":"IN","value":["c1","c2"]},"pagination":{"per_page":150},"sort":{"field":"created_at","order":"descending"}}`
	if string(b) != want {
		t.Errorf("body = %s\nwant   %s", b, want)
	}
}
