package shopify

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

func TestLegacyIDAndCustomerGID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"gid://shopify/Order/5940139491234":     "5940139491234",
		"gid://shopify/Order/5940139491234?x=1": "5940139491234",
		"gid://shopify/Customer/6147919642668":  "6147919642668",
		"5940139491234":                         "5940139491234",
		"gid://shopify/Order/":                  "",
		"gid://shopify/Order/abc":               "",
		"":                                      "",
	} {
		if got := legacyID(in); got != want {
			t.Errorf("legacyID(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"6147919642668":                        "gid://shopify/Customer/6147919642668",
		"gid://shopify/Customer/6147919642668": "gid://shopify/Customer/6147919642668",
		"gid://shopify/Order/6147919642668":    "",
		"crm-42":                               "",
		"../customers/1":                       "",
	} {
		if got := customerGID(in); got != want {
			t.Errorf("customerGID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRefillTime(t *testing.T) {
	t.Parallel()
	c := &queryCost{RequestedQueryCost: 742}
	c.ThrottleStatus.CurrentlyAvailable, c.ThrottleStatus.RestoreRate = 722, 100
	if d := c.refillTime(); d != 200*time.Millisecond {
		t.Errorf("refillTime = %v, want 200ms", d)
	}
	c.ThrottleStatus.CurrentlyAvailable = 900 // throttled all the same: wait for one point
	if d := c.refillTime(); d != 10*time.Millisecond {
		t.Errorf("refillTime = %v, want 10ms", d)
	}
	c.ThrottleStatus.RestoreRate = 0
	if d := c.refillTime(); d != time.Second {
		t.Errorf("refillTime without a rate = %v, want 1s", d)
	}
}

func TestThrottledAnswer(t *testing.T) {
	t.Parallel()
	tests := map[string]bool{
		`{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":10}}}`: true,
		`{"errors":[{"message":"Throttled"}]}`:                                           true,
		`{"errors":[{"message":"Access denied","extensions":{"code":"ACCESS_DENIED"}}]}`: false,
		`{"data":{"customer":{"email":"throttled@example.com"}}}`:                        false,
		`{"errors":"[API] Invalid API key"}`:                                             false,
	}
	for body, want := range tests {
		if got, _ := throttledAnswer([]byte(body)); got != want {
			t.Errorf("throttledAnswer(%s) = %v, want %v", body, got, want)
		}
	}
}

// TestBudgetHoldsTheNextQuery serves a first page that leaves too few
// points for another query of the same cost and checks that the next page
// waits for the bucket to refill.
func TestBudgetHoldsTheNextQuery(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		cost := `"extensions":{"cost":{"requestedQueryCost":500,"actualQueryCost":20,"throttleStatus":{"maximumAvailable":1000,"currentlyAvailable":100,"restoreRate":50}}}`
		if bytes.Contains(body, []byte(`"after":null`)) { // the first page
			_, _ = w.Write([]byte(`{"data":{"customer":{"id":"gid://shopify/Customer/1","orders":{"pageInfo":{"hasNextPage":true,"endCursor":"c2"},"nodes":[{"id":"gid://shopify/Order/2","createdAt":"2025-01-02T00:00:00Z"}]}}},` + cost + `}`))
			return
		}
		_, _ = w.Write([]byte(`{"data":{"customer":{"id":"gid://shopify/Customer/1","orders":{"pageInfo":{"hasNextPage":false},"nodes":[{"id":"gid://shopify/Order/1","createdAt":"2025-01-01T00:00:00Z"}]}}}}`))
	}))
	defer srv.Close()
	a := NewAPI(srv.URL, "token", option.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	rec := &historytest.SleepRecorder{}
	a.budget.sleep = rec.Sleep
	events, err := a.History(t.Context(), plusone.HistoryQuery{ExternalID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Errorf("got %d events, want 2", len(events))
	}
	// 500 points wanted, 100 left, 50 a second: 8s.
	waits := rec.Recorded()
	if len(waits) != 1 || waits[0] < 7900*time.Millisecond || waits[0] > 8*time.Second {
		t.Errorf("budget waited %v, want one wait of about 8s before page 2", waits)
	}
}
