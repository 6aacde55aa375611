package view

import (
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
)

// A composed notice renders as the message of its kind: the same golden
// files as the messages rendered directly.
func TestNoticeMessageGolden(t *testing.T) {
	t.Parallel()
	jane := plusone.Customer{ID: 42, Name: "Jane Doe"}
	approved := outcomeOf(pendingEntry(), 25, plusone.StatusApproved, "U0SUP", "")
	fulfilled := outcomeOf(noteEntry(), 31, plusone.StatusFulfilled, "U0BEN", "")
	notices := map[string]plusone.ComposedNotice{
		"approval_approved": {Kind: plusone.NoticeApprovalDecided, First: pendingEntry(), Entry: approved, Customer: jane},
		"thread_approved":   {Kind: plusone.NoticeThreadOutcome, First: pendingEntry(), Entry: approved, Customer: jane},
		"todo":              {Kind: plusone.NoticeTodo, First: noteEntry(), Entry: noteEntry(), Customer: jane},
		"fulfilled":         {Kind: plusone.NoticeFulfilled, First: noteEntry(), Entry: fulfilled, Customer: jane},
		"writeback_note": {Kind: plusone.NoticeWriteback, First: grantedEntry(), Entry: grantedEntry(), Customer: jane,
			Target: "Zendesk", Text: "internal note added", OK: true},
	}
	for name, n := range notices {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := NoticeMessage(n)
			if err != nil {
				t.Fatal(err)
			}
			goldenMessage(t, "gestures_"+name, m)
		})
	}
}

// An approval request sums the customer up in one line and lists what
// blocks the request as stored with it, not its reason; a to-do of a note
// carries its draft; an unknown kind is EINVALID.
func TestNoticeMessage(t *testing.T) {
	t.Parallel()
	e := pendingEntry()
	e.Reason = "needs a supervisor's approval: something else"
	e.Blocking = []string{"over your $25 limit per gesture", "agent budget: $4 left of $100 today"}
	jane := plusone.Customer{ID: 42, Name: "Jane Doe", Profile: plusone.Profile{Orders: 12, LifetimeValue: 1234_50, Currency: "USD",
		Tier: plusone.TierLoyal}}
	m, err := NoticeMessage(plusone.ComposedNotice{Kind: plusone.NoticeApprovalRequest, First: e, Entry: e, Customer: jane,
		Budgets: sampleBudgets()})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"Jane Doe · Loyal · $1,234.50 lifetime · 12 orders"}, e.Blocking...) {
		if !strings.Contains(m.Plain, want) {
			t.Errorf("approval request lacks %q:\n%s", want, m.Plain)
		}
	}
	if strings.Contains(m.Plain, "something else") {
		t.Errorf("approval request shows the reason, not what blocks it:\n%s", m.Plain)
	}

	m, err = NoticeMessage(plusone.ComposedNotice{Kind: plusone.NoticeTodo, First: noteEntry(), Customer: jane,
		Draft: "Dear Jane, thank you", DraftByModel: true})
	if err != nil || !strings.Contains(m.Plain, "Dear Jane, thank you") || !strings.Contains(m.Plain, "drafted by AI") {
		t.Errorf("to-do with a draft: %v\n%s", err, m.Plain)
	}

	if _, err := NoticeMessage(plusone.ComposedNotice{Kind: "postcard"}); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("unknown kind: %v, want EINVALID", err)
	}
}
