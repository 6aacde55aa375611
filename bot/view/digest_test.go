package view

import (
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func sampleDigest() plusone.Digest {
	from := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	return plusone.Digest{
		From: from, To: from.AddDate(0, 0, 7), Currency: "USD",
		Spend: []plusone.GestureSpend{{Gesture: "free_express_shipping", Title: "Free express shipping", Count: 2, Spent: 30_00},
			{Gesture: "handwritten_note", Title: "Handwritten note", Count: 1, Spent: 4_00}},
		Spent: 34_00, Granted: 3, Refused: 2,
		Budgets: []plusone.BudgetLine{{Scope: "team", Key: "frontline", Budget: plusone.Budget{Amount: 1000_00, Per: plusone.PerWeek},
			Spent: 400_00, Remaining: 600_00}},
		Approvals: plusone.Turnaround{Decided: 2, Approved: 1, Median: 2 * time.Hour, P90: 3*24*time.Hour + 4*time.Hour, Waiting: 4},
		Tickets:   plusone.Trend{Now: 5, Before: 2},
		Reasons: []plusone.ContactReason{{Label: "shipping", Tag: true, Trend: plusone.Trend{Now: 3, Before: 1}},
			{Label: "where is my order", Trend: plusone.Trend{Now: 3, Before: 3}}},
		Signals: []plusone.SignalTrend{{Kind: plusone.SignalAbandonedCart, Trend: plusone.Trend{Now: 1, Before: 2}},
			{Kind: plusone.SignalRepeatContact, Trend: plusone.Trend{Now: 1}}},
		Repeat: []plusone.RepeatContact{{CustomerID: 1, Name: "Jane Doe", Contacts: 3}, {CustomerID: 9, Contacts: 2}},
		Effects: []plusone.GestureEffect{{Gesture: "free_express_shipping", Title: "Free express shipping", Diff: 0.19, Low: 0.11,
			High: 0.27, Granted: 398, CostPerExtra: 76.2}, {Gesture: "handwritten_note", Diff: -0.004, Low: -0.05, High: 0.04, Granted: 12}},
	}
}

func TestDigestMessageGolden(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	d := sampleDigest()
	extreme := sampleDigest()
	for i := range 60 {
		extreme.Reasons = append(extreme.Reasons, plusone.ContactReason{Label: strings.Repeat("<!here> & *bold* ", 20), Trend: plusone.Trend{Now: i}})
		extreme.Repeat = append(extreme.Repeat, plusone.RepeatContact{CustomerID: int64(i), Name: strings.Repeat("<@U0BOSS> ", 30), Contacts: 2})
	}
	for name, m := range map[string]Message{
		// Through NoticeMessage, as the sender renders them.
		"digest":         noticeMessage(t, plusone.ComposedNotice{Kind: plusone.NoticeDigest, Digest: d, Location: ny}),
		"digest_minimal": DigestMessage(plusone.Digest{From: d.From, To: d.To}, nil),
		"digest_extreme": DigestMessage(extreme, time.UTC),
		"agent_feedback": noticeMessage(t, plusone.ComposedNotice{Kind: plusone.NoticeAgentFeedback,
			Customer: plusone.Customer{ID: 7, Name: "Jane <Doe>"}, Text: "ordered again ($420)",
			Entry: plusone.LedgerEntry{Title: "Free express shipping", CreatedAt: d.From}, At: d.From.Add(50 * time.Hour)}),
		"agent_feedback_minimal": AgentFeedbackMessage("", 7, "gave a CSAT of 5/5", "", d.From, d.From),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			goldenMessage(t, name, m)
		})
	}
}

func noticeMessage(t *testing.T, n plusone.ComposedNotice) Message {
	t.Helper()
	m, err := NoticeMessage(n)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A digest's chart is a PNG file titled with the digest's last day where
// the supervisors are; it is no message.
func TestDigestChartFile(t *testing.T) {
	t.Parallel()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	d := plusone.Digest{To: time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)}
	f := DigestChartFile(plusone.ComposedNotice{Kind: plusone.NoticeDigestChart, Digest: d, Location: tokyo, Chart: []byte("png")})
	if f.Name != "plusone-effects.png" || f.Title != "Effect of each gesture on repeat purchase, Dec 1" || string(f.Data) != "png" ||
		!strings.Contains(f.Comment, "95% interval") {
		t.Errorf("chart file = %+v", f)
	}
	if f := DigestChartFile(plusone.ComposedNotice{Digest: d}); f.Title != "Effect of each gesture on repeat purchase, Nov 30" {
		t.Errorf("chart title in UTC = %q", f.Title)
	}
	if _, err := NoticeMessage(plusone.ComposedNotice{Kind: plusone.NoticeDigestChart}); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("a chart as a message: %v", err)
	}
}

func TestDigestMessage(t *testing.T) {
	t.Parallel()
	js := string(payload(t, DigestMessage(sampleDigest(), time.UTC)))
	for _, want := range []string{
		"$34 granted in 3 gestures · 2 refused or declined",
		"• Free express shipping — 2 × · $30",
		"• Team frontline: $400 spent of $1,000 this week · $600 left",
		"• Free express shipping: +19 pts repeat purchase (11 to 27) · 398 granted · $76.20 per extra purchase",
		"• Handwritten note: +0 pts repeat purchase (-5 to 4) · 12 granted",
		"2 decided (1 approved) · median 2h · 90% within 3d 4h · 4 waiting",
		"5 tickets opened (↑ from 2)",
		"• #shipping — 3 (↑ from 1)",
		"• “where is my order” — 3 (same as before)",
		"• Abandoned cart — 1 customer (↓ from 2)",
		"• Jane Doe — 3 contacts",
		"Mon Nov 23 14:00 – Mon Nov 30 14:00 UTC",
	} {
		if !strings.Contains(js, want) {
			t.Errorf("digest lacks %q:\n%s", want, js)
		}
	}
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{20 * time.Second, "under a minute"}, {45 * time.Minute, "45m"}, {3*time.Hour + 20*time.Minute, "3h 20m"},
		{2 * time.Hour, "2h"}, {52 * time.Hour, "2d 4h"}, {48 * time.Hour, "2d"}} {
		if got := duration(tt.d); got != tt.want {
			t.Errorf("duration(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFeedbackHomeBlocks(t *testing.T) {
	t.Parallel()
	on := string(viewPayload(t, HomeView(plusone.AgentHome{Agent: "U0ANA"}, plusone.HomeGestures{}, FeedbackHomeBlocks(true)...)))
	off := string(viewPayload(t, HomeView(plusone.AgentHome{Agent: "U0ANA"}, plusone.HomeGestures{}, FeedbackHomeBlocks(false)...)))
	if !strings.Contains(on, ActionFeedbackMessages) || !strings.Contains(on, "Turn off") || !strings.Contains(on, "come back:* on") {
		t.Errorf("feedback on:\n%s", on)
	}
	if !strings.Contains(off, "Turn on") || !strings.Contains(off, "come back:* off") {
		t.Errorf("feedback off:\n%s", off)
	}
}
