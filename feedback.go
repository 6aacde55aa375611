package plusone

import (
	"fmt"
	"slices"
	"time"
)

// Good feedback, for an agent's feedback: a CSAT of at least GoodCSAT of 5
// or an NPS of at least GoodNPS of 10 (a promoter).
const (
	GoodCSAT = 4
	GoodNPS  = 9
)

// Comeback says whether an event shows a customer coming back — a new
// order, or good feedback — and words it for the agent who granted her a
// gesture: "ordered again ($420.00)", "rated you CSAT 5/5".
func Comeback(e Event) (what string, ok bool) {
	switch {
	case e.Type == EventOrderCreated && e.Order != nil && e.Order.ID != "" && e.Order.RefundID == "":
		if e.Order.Total > 0 {
			return "ordered again (" + e.Order.Total.Format(e.Order.Currency) + ")", true
		}
		return "ordered again", true
	case e.Feedback != nil && e.Feedback.Scale == ScaleNPS && e.Feedback.Score >= GoodNPS:
		return fmt.Sprintf("gave an NPS of %d/10", e.Feedback.Score), true
	case e.Feedback != nil && e.Feedback.Scale != ScaleNPS && e.Feedback.Score >= GoodCSAT:
		return fmt.Sprintf("gave a CSAT of %d/5", e.Feedback.Score), true
	}
	return "", false
}

// GrantsBefore returns the grants among a customer's ledger entries whose
// first outcome window, window long from the grant, holds at: one entry
// per request (its grant or approval), leaving out cancelled requests,
// oldest first.
func GrantsBefore(entries []LedgerEntry, at time.Time, window time.Duration) []LedgerEntry {
	cancelled := map[int64]bool{}
	for _, e := range entries {
		if e.Status == StatusCancelled {
			cancelled[e.RequestID] = true
		}
	}
	seen := map[int64]bool{}
	var out []LedgerEntry
	for _, e := range entries {
		if e.Status != StatusGranted && e.Status != StatusApproved || cancelled[e.RequestID] || seen[e.RequestID] {
			continue
		}
		if at.Before(e.CreatedAt) || !at.Before(e.CreatedAt.Add(window)) {
			continue
		}
		seen[e.RequestID] = true
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b LedgerEntry) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// AgentFeedbackSetting is the agent setting (CustomerTx.AgentSetting) that,
// set to "off", stops the direct messages telling an agent that a customer she
// granted a gesture came back.
const AgentFeedbackSetting = "feedback_messages"
