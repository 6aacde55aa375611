package wording

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/prompts"
	"github.com/plusone-hq/plusone/store/sqlite"
)

// guardWording keeps only offered gestures, drops each reason or note the
// guard refuses (the rules' reason then stands), and keeps the rest.
func TestGuardWording(t *testing.T) {
	t.Parallel()
	s := &Service{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	p := prompts.Prompt{Offered: []string{"ship", "note"},
		Guard: plusone.GuardInput{Input: "jane@example.com", Amounts: []plusone.Money{1500}}}
	got := s.guardWording(plusone.Wording{
		Suggestions: []plusone.WordedSuggestion{
			{Gesture: "gift_500", Reason: "A $500 gift."},
			{Gesture: "note", Reason: "Ping <@U0ADMIN>."},
			{Gesture: "ship", Reason: "Worth $15 to her; write to jane@example.com."},
		},
		Note: "Write to attacker@evil.example.",
	}, p)
	want := []plusone.WordedSuggestion{{Gesture: "note"}, {Gesture: "ship", Reason: "Worth $15 to her; write to jane@example.com."}}
	if len(got.Suggestions) != len(want) || got.Suggestions[0] != want[0] || got.Suggestions[1] != want[1] || got.Note != "" {
		t.Errorf("guarded = %+v, want %+v and no note", got, want)
	}
}

// A to-do's note is the one the model wrote for her card, else the rules'.
func TestNotes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "plusone.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	jane := &plusone.Customer{Name: "Jane Doe", CreatedAt: time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)}
	bob := &plusone.Customer{Name: "Bob Roe"}
	err = store.Update(ctx, func(tx plusone.Tx) error {
		for _, c := range []*plusone.Customer{jane, bob} {
			if err := tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
		}
		return tx.SaveWording(ctx, "k", jane.ID, plusone.Wording{Note: "Dear Jane, thank you."}, time.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	n := Notes{Store: store}
	if text, byModel, err := n.DraftNote(ctx, plusone.CustomerView{Customer: *jane}, nil); err != nil || !byModel || text != "Dear Jane, thank you." {
		t.Errorf("Jane's note = %q %v %v", text, byModel, err)
	}
	text, byModel, err := n.DraftNote(ctx, plusone.CustomerView{Customer: *bob}, []plusone.Signal{{Kind: plusone.SignalDelayedOrder}})
	if err != nil || byModel || text != "Dear Bob, thank you for choosing us. We are sorry your order kept you waiting. It is a pleasure to have you with us." {
		t.Errorf("Bob's note = %q %v %v", text, byModel, err)
	}
}
