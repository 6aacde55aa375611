package vendorapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
)

// TestOnce: a write whose answer is lost (500 after storing) is found by
// the look-up and not sent again; one refused with 429 or 500 before
// storing is sent again; one refused for good is not retried; retries are
// bounded.
func TestOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answers   []int // the status of each attempt
		storeOn   []bool
		retries   int
		wantSends int
		wantErr   bool
	}{
		{"lost answer", []int{500}, []bool{true}, 3, 1, false},
		{"429 then ok", []int{429, 200}, []bool{false, true}, 3, 2, false},
		{"500 twice then ok", []int{500, 500, 200}, []bool{false, false, true}, 3, 3, false},
		{"refused", []int{422}, []bool{false}, 3, 1, true},
		{"retries spent", []int{500, 500}, []bool{false, false}, 1, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				mu     sync.Mutex
				sends  int
				stored int
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				i := sends
				sends++
				if tt.storeOn[i] {
					stored++
				}
				w.WriteHeader(tt.answers[i])
			}))
			defer srv.Close()
			cfg := DefaultConfig()
			cfg.Retries, cfg.RetryWait = 0, time.Millisecond
			c := New(cfg, srv.URL, testVendor(), Hooks{})
			policy := cfg.RetryPolicy()
			policy.MaxBackoff = 2 * time.Millisecond
			found := func(context.Context) (bool, error) {
				mu.Lock()
				defer mu.Unlock()
				return stored > 0, nil
			}
			send := func(ctx context.Context) (*resty.Response, bool, error) {
				resp, err := c.Request(ctx).Post("/replies")
				if err != nil {
					return resp, Retryable(resp, err), err
				}
				if s := resp.StatusCode(); s >= 300 {
					return resp, Retryable(resp, nil), errors.New(resp.Status())
				}
				return resp, false, nil
			}
			err := Once(context.Background(), c, "POST /replies", policy, tt.retries, found, send)
			if (err != nil) != tt.wantErr || sends != tt.wantSends {
				t.Errorf("Once = %v after %d sends, want error %v after %d", err, sends, tt.wantErr, tt.wantSends)
			}
			if !tt.wantErr && stored != 1 {
				t.Errorf("stored %d times", stored)
			}
		})
	}
}
