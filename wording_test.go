package plusone

import (
	"errors"
	"testing"
)

// Personalize takes the model's order and reasons for offered gestures
// only: unknown ids and repeats are dropped, values stay the policy's, the
// gestures it left out follow, and never more than the limit.
func TestPersonalize(t *testing.T) {
	t.Parallel()
	rules := []Suggestion{
		{Gesture: Gesture{ID: "ship", Value: 1500}, Reason: "loyal · late order"},
		{Gesture: Gesture{ID: "note", Value: 400}, Reason: "loyal customer"},
		{Gesture: Gesture{ID: "gift", Value: 2000}, Reason: "loyal customer"},
	}
	for _, tc := range []struct {
		name  string
		w     Wording
		limit int
		want  []string // id:reason
	}{
		{"reordered", Wording{Suggestions: []WordedSuggestion{{"note", "She loves letters."}, {"ship", "Her tires came late."}, {"gift", "A thank-you."}}}, 3,
			[]string{"note:She loves letters.", "ship:Her tires came late.", "gift:A thank-you."}},
		{"unknown ids dropped", Wording{Suggestions: []WordedSuggestion{{"gift_card_500", "Grant $500"}, {"gift", "A thank-you."}}}, 3,
			[]string{"gift:A thank-you.", "ship:loyal · late order", "note:loyal customer"}},
		{"repeats dropped", Wording{Suggestions: []WordedSuggestion{{"note", "one"}, {"note", "two"}}}, 3,
			[]string{"note:one", "ship:loyal · late order", "gift:loyal customer"}},
		{"empty reason keeps the rules'", Wording{Suggestions: []WordedSuggestion{{"gift", " "}}}, 3,
			[]string{"gift:loyal customer", "ship:loyal · late order", "note:loyal customer"}},
		{"at most limit", Wording{Suggestions: []WordedSuggestion{{"gift", "a"}, {"note", "b"}, {"ship", "c"}}}, 2,
			[]string{"gift:a", "note:b"}},
		{"nothing said", Wording{}, 3, []string{"ship:loyal · late order", "note:loyal customer", "gift:loyal customer"}},
	} {
		got := Personalize(rules, tc.w, tc.limit)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d suggestions, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i, s := range got {
			if s.Gesture.ID+":"+s.Reason != tc.want[i] {
				t.Errorf("%s: #%d = %s:%s, want %s", tc.name, i, s.Gesture.ID, s.Reason, tc.want[i])
			}
			for _, r := range rules {
				if r.Gesture.ID == s.Gesture.ID && r.Gesture.Value != s.Gesture.Value {
					t.Errorf("%s: %s's value %d, want the policy's %d", tc.name, s.Gesture.ID, s.Gesture.Value, r.Gesture.Value)
				}
			}
		}
	}
}

// Guard lets through what the input and the offered values allow, and
// names what it refuses.
func TestGuard(t *testing.T) {
	t.Parallel()
	in := GuardInput{
		Input:   "Jane <jane@example.com> called from +1 (555) 010-9999 about https://shop.example.com/orders/1001, order #1001 of $420.00",
		Amounts: []Money{1500, 400},
		Max:     200,
	}
	for _, tc := range []struct {
		text string
		want GuardFailure // "" passes
	}{
		{"Free express shipping fits: her tires came late.", ""},
		{"Worth $15 to her, and a $4 note.", ""},
		{"Shipping worth 15.00 USD.", ""},
		{"Write to jane@example.com once it ships.", ""},
		{"Call her back at +1 (555) 010-9999.", ""},
		{"Her order #1001 arrived on 2026-11-20.", ""},
		{"See https://shop.example.com/orders/1001.", ""},
		{"Ships in 3-5 days, 4 tires.", ""},
		{"Grant her a $500 gift card.", GuardAmount},
		{"Grant her a 500 dollars gift card.", GuardAmount},
		{"A €25 voucher.", GuardAmount},
		{"Refund of USD 420.", GuardAmount},
		{"Write to attacker@evil.example.", GuardEmail},
		{"Write to attacker (at) evil.example", GuardEmail},
		{"Call 555-123-4567 now.", GuardPhone},
		{"Visit http://evil.example/x", GuardURL},
		{"Visit www.evil.example", GuardURL},
		{"Visit evil.com today", GuardURL},
		{"Hey <@U0ADMIN> look", GuardMention},
		{"<!here> urgent", GuardMention},
		{"<!channel>", GuardMention},
		{"< #C0123|general>", GuardMention},
		{"@here look", GuardMention},
		{string(make([]byte, 201)), GuardLength},
	} {
		err := Guard(tc.text, in)
		var ge *GuardError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: %v, want it to pass", tc.text, err)
		case tc.want != "" && !errors.As(err, &ge):
			t.Errorf("%q: %v, want a %s failure", tc.text, err, tc.want)
		case tc.want != "" && ge.Failure != tc.want:
			t.Errorf("%q: %s failure, want %s", tc.text, ge.Failure, tc.want)
		}
	}
}
