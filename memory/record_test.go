package memory

import (
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func TestMessageAuthor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    plusone.Message
		want string
	}{
		{plusone.Message{FromCustomer: true, Author: "Jane"}, "Jane"},
		{plusone.Message{FromCustomer: true}, "Customer"},
		{plusone.Message{Author: "Ana"}, "Ana"},
		{plusone.Message{}, "Agent"},
		{plusone.Message{Author: "  "}, "Customer"}, // as before the move: a blank, not empty, author
		{plusone.Message{Private: true, Author: "Ana"}, "Internal note by Ana"},
		{plusone.Message{Private: true}, "Internal note by an agent"},
	}
	for _, tt := range tests {
		if got := messageAuthor(tt.m); got != tt.want {
			t.Errorf("messageAuthor(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func TestStatusWorthNoting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prev, next string
		want       bool
	}{
		{"open", "solved", true},
		{"solved", "open", true},
		{"open", "pending", true},
		{"new", "open", false},
		{"", "open", false},
		{"open", "open", false},
		{"open", "", false},
	}
	for _, tt := range tests {
		if got := statusWorthNoting(tt.prev, tt.next); got != tt.want {
			t.Errorf("statusWorthNoting(%q, %q) = %v, want %v", tt.prev, tt.next, got, tt.want)
		}
	}
}

func TestFeedbackSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scale   string
		score   int
		comment string
		want    string
	}{
		{plusone.ScaleCSAT, 2, " too\n slow ", "CSAT 2/5: “too slow”"},
		{plusone.ScaleNPS, 9, "", "NPS 9/10"},
	}
	for _, tt := range tests {
		if got := feedbackSummary(tt.scale, tt.score, tt.comment); got != tt.want {
			t.Errorf("feedbackSummary(%q, %d, %q) = %q, want %q", tt.scale, tt.score, tt.comment, got, tt.want)
		}
	}
}

func TestFoldCart(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		have plusone.Cart
		in   plusone.Cart
		want plusone.Cart
	}{
		{"newer replaces",
			plusone.Cart{ID: "c", Total: 10, UpdatedAt: t0},
			plusone.Cart{ID: "c", Total: 20, UpdatedAt: t0.Add(time.Hour)},
			plusone.Cart{ID: "c", Total: 20, UpdatedAt: t0.Add(time.Hour)}},
		{"newer never reopens",
			plusone.Cart{ID: "c", UpdatedAt: t0, CompletedAt: t0, Abandoned: true},
			plusone.Cart{ID: "c", Total: 20, UpdatedAt: t0.Add(time.Hour)},
			plusone.Cart{ID: "c", Total: 20, UpdatedAt: t0.Add(time.Hour), CompletedAt: t0, Abandoned: true}},
		{"older tells only its completion",
			plusone.Cart{ID: "c", Total: 10, UpdatedAt: t0.Add(time.Hour)},
			plusone.Cart{ID: "c", Total: 5, UpdatedAt: t0, CompletedAt: t0, Abandoned: true},
			plusone.Cart{ID: "c", Total: 10, UpdatedAt: t0.Add(time.Hour), CompletedAt: t0}},
		{"older keeps a known completion",
			plusone.Cart{ID: "c", UpdatedAt: t0.Add(time.Hour), CompletedAt: t0.Add(time.Hour)},
			plusone.Cart{ID: "c", UpdatedAt: t0, CompletedAt: t0},
			plusone.Cart{ID: "c", UpdatedAt: t0.Add(time.Hour), CompletedAt: t0.Add(time.Hour)}},
	}
	for _, tt := range tests {
		rec := &plusone.CartRecord{Cart: tt.have, CustomerID: 1}
		foldCart(rec, tt.in, 2)
		if rec.CustomerID != 2 || rec.Total != tt.want.Total || !rec.UpdatedAt.Equal(tt.want.UpdatedAt) ||
			!rec.CompletedAt.Equal(tt.want.CompletedAt) || rec.Abandoned != tt.want.Abandoned {
			t.Errorf("%s: got %+v (customer %d), want %+v (customer 2)", tt.name, rec.Cart, rec.CustomerID, tt.want)
		}
	}
}
