package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plusone-hq/plusone"
)

// longLedger is a ledger of n entries, newest first, ids n down to 1. It
// stands in for gestures.Service: ten thousand rows through a real store
// under the race detector would take most of a minute to write.
type longLedger struct{ n int }

func (l longLedger) Ledger(_ context.Context, f plusone.LedgerFilter) ([]plusone.LedgerEntry, error) {
	out := make([]plusone.LedgerEntry, 0, min(l.n, f.Limit))
	for id := l.n; id > 0 && len(out) < f.Limit; id-- {
		out = append(out, plusone.LedgerEntry{ID: int64(id), Status: plusone.StatusGranted})
	}
	return out, nil
}

func (longLedger) AllBudgets(context.Context) ([]plusone.BudgetLine, error) { return nil, nil }

func (longLedger) CustomerID(context.Context, string) (int64, error) { return 0, nil }

// A ledger longer than a page is cut to its newest entries and says so,
// so that a script never takes a part for the whole.
func TestLedgerTruncated(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		entries   int
		truncated bool
	}{{ledgerPage, false}, {ledgerPage + 1, true}} {
		s := testServer(stuckStore{})
		s.APIToken, s.Gestures = "t", longLedger{tt.entries}
		req := httptest.NewRequest(http.MethodGet, "/api/v1/ledger", nil)
		req.Header.Set("Authorization", "Bearer t")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		var got struct {
			Entries   []ledgerJSON `json:"entries"`
			Truncated bool         `json:"truncated"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("%d entries: answer %d, %v", tt.entries, rec.Code, err)
		}
		if got.Truncated != tt.truncated || len(got.Entries) != ledgerPage || got.Entries[0].ID != int64(tt.entries) {
			t.Errorf("%d entries: truncated %v, %d listed from id %d; want truncated %v, %d from the newest",
				tt.entries, got.Truncated, len(got.Entries), got.Entries[0].ID, tt.truncated, ledgerPage)
		}
	}
}
