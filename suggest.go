package plusone

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// maxReason is the longest reason a suggestion shows, in characters.
const maxReason = 60

// Suggest returns the gestures a card offers for her at now, best first, at
// most limit of them (cards show 3; limit <= 0 returns none).
//
// A gesture is suggested only if an offer of it could be granted or
// approved now: it is not paused, she is eligible for it by tier and
// signals, its cooldown since lastGranted[id] has passed, and the customer
// budget, of which she has spent spent this period, still covers it. The
// agent's own limits and budgets are not looked at: every agent sees the
// same card, and Decide applies them when one offers.
//
// Gestures meant for more of her signals rank first, then gestures
// restricted to tiers (hers) before generic ones, then the costlier; ties
// keep the policy's order. Score is twice the number of her signals the
// gesture is meant for, plus one if it is restricted to tiers. Reason says
// why in at most 60 characters: her tier and the evidence of the first of
// her signals the gesture answers ("loyal · abandoned $89 cart 2 days
// ago"), or her tier alone for a gesture meant for no signal ("loyal
// customer").
func (p *Policy) Suggest(c Customer, signals []Signal, lastGranted map[string]time.Time, spent Money, now time.Time, limit int) []Suggestion {
	if limit <= 0 {
		return nil
	}
	var out []Suggestion
	for _, g := range p.Gestures {
		if g.Paused {
			continue
		}
		if _, ok := eligible(g, c, signals); !ok {
			continue
		}
		if _, ok := p.cooledDown(g, lastGranted[g.ID], now); !ok {
			continue
		}
		if b := p.CustomerBudget; b != nil && b.Amount-spent < g.Value {
			continue
		}
		score := 2 * answered(g, signals)
		if len(g.Eligible.Tiers) > 0 {
			score++
		}
		out = append(out, Suggestion{Gesture: cloneGesture(g), Reason: suggestionReason(g, c, signals), Score: score})
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int {
		if byScore := cmp.Compare(b.Score, a.Score); byScore != 0 {
			return byScore
		}
		return cmp.Compare(b.Gesture.Value, a.Gesture.Value)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// suggestionReason is "loyal · abandoned $89 cart 2 days ago" or "loyal
// customer".
func suggestionReason(g Gesture, c Customer, signals []Signal) string {
	tier := strings.ToLower(tierOf(c).Title())
	for _, s := range signals {
		if !slices.Contains(g.Eligible.Signals, s.Kind) {
			continue
		}
		evidence := s.Evidence
		if evidence == "" {
			evidence = signalWords(s.Kind)
		}
		return clip(tier+" · "+evidence, maxReason)
	}
	return clip(tier+" customer", maxReason)
}

// clip cuts s to at most n characters, ending a cut string with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ·") + "…"
}
