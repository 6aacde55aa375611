package plusone

import (
	"context"
	"slices"
	"strings"
	"time"
)

// The model only words and orders; the policy decides (CONTRACT.md, LLM).
// A Wording is what a model said about a card: the order of the gestures
// the policy offered, one short reason each, and a short note to the
// customer. It is kept in the store under the key of what the model was
// shown (WordingKey), guarded (Guard) before it is kept, and applied to a
// card by Personalize, which takes nothing from it but order and words.
type Wording struct {
	Suggestions []WordedSuggestion `json:"suggestions"`
	Note        string             `json:"note"`
}

// WordedSuggestion is one gesture as the model ordered and explained it.
type WordedSuggestion struct {
	Gesture string `json:"gesture"`
	Reason  string `json:"reason"`
}

// MaxWordedReason and MaxWordedNote bound what a model writes, in
// characters: a reason is one short sentence, a note a short paragraph.
const (
	MaxWordedReason = 120
	MaxWordedNote   = 400
	MaxReplyDraft   = 1500
)

// Job kinds of the model's worker.
const (
	// JobWordCard asks the model to word a card's suggestions
	// (WordCardJob).
	JobWordCard = "llm.card"
	// JobDraftReply asks the model for a reply draft in an open reply modal
	// (DraftReplyJob).
	JobDraftReply = "llm.reply"
)

// WordCardJob is the payload of a JobWordCard job: the card, and the key
// of what the model is to be shown about it. The worker words the card only
// if the card's key is still Key when it runs.
type WordCardJob struct {
	Card string `json:"card"`
	Key  string `json:"key"`
}

// DraftReplyJob is the payload of a JobDraftReply job: the reply modal an
// agent opened (Slack's view id and hash), on which ticket of which
// customer. The draft replaces the modal's empty text only; it is never
// sent by itself.
type DraftReplyJob struct {
	ViewID     string `json:"view_id"`
	Hash       string `json:"hash,omitempty"`
	Ticket     string `json:"ticket"`
	Channel    string `json:"channel,omitempty"`
	CustomerID int64  `json:"customer_id"`
}

// Personalize applies a model's wording to the rules' suggestions: the
// gestures the model named come first, in its order, with its reason; ids
// the policy did not offer, and repeats, are dropped; the gestures it left
// out follow in the rules' order with the rules' reasons; at most limit.
// Every gesture, and so every value, is the policy's.
func Personalize(rules []Suggestion, w Wording, limit int) []Suggestion {
	out := make([]Suggestion, 0, len(rules))
	used := make([]bool, len(rules))
	for _, ws := range w.Suggestions {
		i := slices.IndexFunc(rules, func(s Suggestion) bool { return s.Gesture.ID == ws.Gesture })
		if i < 0 || used[i] {
			continue
		}
		used[i] = true
		s := rules[i]
		if r := strings.TrimSpace(ws.Reason); r != "" {
			s.Reason, s.Worded = clip(r, MaxWordedReason), true
		}
		out = append(out, s)
	}
	for i, s := range rules {
		if !used[i] {
			out = append(out, s)
		}
	}
	if limit >= 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// DailyTokens is a day's token budget of the model, shared by replicas
// through the store.
type DailyTokens struct {
	Limit int64
	Loc   *time.Location
}

// Day is the budget day of t ("2026-12-02"), in the budget's time zone.
func (d DailyTokens) Day(t time.Time) string {
	loc := d.Loc
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(time.DateOnly)
}

// WordingTx keeps what models said, and what they cost.
type WordingTx interface {
	// Wording returns the wording saved under key; ErrNotFound if none.
	Wording(ctx context.Context, key string) (Wording, error)
	// SaveWording keeps w under key for customerID (erased with her);
	// saving a key again replaces it.
	SaveWording(ctx context.Context, key string, customerID int64, w Wording, now time.Time) error
	// LatestNote is the newest note a model worded for a customer; "" if
	// none.
	LatestNote(ctx context.Context, customerID int64) (string, error)
	// Wordings lists what models worded for a customer, newest first (her
	// data export).
	Wordings(ctx context.Context, customerID int64, limit int) ([]Wording, error)
	// SpendTokens adds n tokens to day's count if the count stays within
	// limit (n may be negative, to give back what a call did not use, and
	// is then always added); ok says whether they were added. Concurrent
	// spenders never take the count past limit.
	SpendTokens(ctx context.Context, day string, n, limit int64) (ok bool, err error)
	// TokensSpent is day's count.
	TokensSpent(ctx context.Context, day string) (int64, error)
}

// WordingQueue queues a card for the model's worker when its wording is not
// known yet (memory.Service.Card asks it).
type WordingQueue interface {
	// WordingKey is the key of what the model would be shown about card;
	// "" when no model words cards, or card is not worth a call.
	WordingKey(card *ContextCard) string
}
