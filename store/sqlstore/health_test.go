package sqlstore

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestHealthState(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	full := errors.New("disk full")
	tests := []struct {
		name  string
		setup func(h *health)
		want  string // "" for no fault
	}{
		{"nothing yet", func(h *health) {}, ""},
		{"last write ok", func(h *health) { h.fail(t0, full); h.ok(t0.Add(time.Second)) }, ""},
		{"last write failed", func(h *health) { h.ok(t0); h.fail(t0.Add(time.Second), full) }, "a write failed 9s ago: disk full"},
		{"a recent failure, then a success", func(h *health) { h.fail(t0.Add(8*time.Second), full); h.ok(t0.Add(9 * time.Second)) }, "a write failed 2s ago"},
		{"a write in flight, not for long", func(h *health) { h.ok(t0); h.begin(t0.Add(6 * time.Second)) }, ""},
		{"a write stuck", func(h *health) { h.ok(t0.Add(9 * time.Second)); h.begin(t0.Add(4 * time.Second)) }, "1 writes in flight for over 5s (the oldest for 6s)"},
		{"a stuck write ended", func(h *health) { h.end(h.begin(t0)); h.ok(t0) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h health
			tt.setup(&h)
			_, err := h.state(t0.Add(10*time.Second), 5*time.Second)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("state: %v, want none", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("state: %v, want %q", err, tt.want)
			}
		})
	}
}

func TestBatchDeadline(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	limit := t0.Add(10 * time.Second)
	at := func(d time.Duration) appendReq { return appendReq{deadline: t0.Add(d)} }
	tests := []struct {
		name  string
		batch []appendReq
		want  time.Time
	}{
		{"the latest caller's", []appendReq{at(2 * time.Second), at(3 * time.Second)}, t0.Add(3 * time.Second)},
		{"a caller without one", []appendReq{at(2 * time.Second), {}}, limit},
		{"capped by the store's", []appendReq{at(time.Minute)}, limit},
	}
	for _, tt := range tests {
		if got := batchDeadline(tt.batch, limit); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
