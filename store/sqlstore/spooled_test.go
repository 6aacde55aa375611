package sqlstore

import (
	"testing"
	"time"
)

// A burst is told by the rate of webhooks synced, whatever the size of the
// groups they were synced in: 200 a second in ones is none; 2,000 a second
// in ones, or in fives, is one.
func TestRateWindowTellsABurst(t *testing.T) {
	for _, tc := range []struct {
		name      string
		perSecond int
		group     int
		want      bool
	}{
		{"a steady 200/s, one by one", 200, 1, false},
		{"900/s in groups of 3", 900, 3, false},
		{"2,000/s one by one", 2000, 1, true},
		{"10,000/s in groups of 5", 10000, 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w rateWindow
			start := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			step := time.Second * time.Duration(tc.group) / time.Duration(tc.perSecond)
			busy := false
			for i := range tc.perSecond / tc.group { // one second of syncs
				if w.add(start.Add(time.Duration(i)*step), tc.group) {
					busy = true
				}
			}
			if busy != tc.want {
				t.Fatalf("busy = %v, want %v", busy, tc.want)
			}
		})
	}
}
