package plusone

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDigestSchedule(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string, loc *time.Location) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		every, at string
		loc       *time.Location
		now       string
		last      string // the send time at or before now
		from      string // the period it covers
	}{
		// Wednesday 2026-12-02: the Monday before, covering the week before.
		{"week", "Mon 09:00", time.UTC, "2026-12-02 10:00", "2026-11-30 09:00", "2026-11-23 09:00"},
		// Monday before nine: last week's Monday.
		{"week", "Mon 09:00", time.UTC, "2026-11-30 08:59", "2026-11-23 09:00", "2026-11-16 09:00"},
		{"week", "Mon 09:00", time.UTC, "2026-11-30 09:00", "2026-11-30 09:00", "2026-11-23 09:00"},
		// A Friday schedule on a Sunday, and the default day (Monday).
		{"week", "fri 17:30", time.UTC, "2026-12-06 12:00", "2026-12-04 17:30", "2026-11-27 17:30"},
		{"week", "08:00", time.UTC, "2026-12-01 07:00", "2026-11-30 08:00", "2026-11-23 08:00"},
		{"day", "09:00", time.UTC, "2026-12-02 08:00", "2026-12-01 09:00", "2026-11-30 09:00"},
		{"day", "", time.UTC, "2026-12-02 08:00", "2026-12-02 00:00", "2026-12-01 00:00"},
		// Local time: 9:00 in New York across the end of DST (Nov 1).
		{"day", "09:00", ny, "2026-11-01 10:00", "2026-11-01 09:00", "2026-10-31 09:00"},
		{"month", "1 09:00", time.UTC, "2026-12-01 08:00", "2026-11-01 09:00", "2026-10-01 09:00"},
		{"month", "15 06:00", time.UTC, "2026-12-20 00:00", "2026-12-15 06:00", "2026-11-15 06:00"},
		// The week of the new year (Monday 2026-12-28).
		{"week", "Mon 09:00", time.UTC, "2027-01-01 00:00", "2026-12-28 09:00", "2026-12-21 09:00"},
	}
	for _, tt := range tests {
		s := schedule(t, tt.every, tt.at)
		last := s.Last(at(tt.now, tt.loc), tt.loc)
		if !last.Equal(at(tt.last, tt.loc)) {
			t.Errorf("%s %q at %s: last = %v, want %s", tt.every, tt.at, tt.now, last, tt.last)
		}
		from, to := s.Covers(last, tt.loc)
		if !from.Equal(at(tt.from, tt.loc)) || !to.Equal(last) {
			t.Errorf("%s %q at %s: covers %v – %v, want from %s", tt.every, tt.at, tt.now, from, to, tt.from)
		}
	}
	s := DigestSchedule{Every: PerMonth, Day: 1}
	if got := s.Back(at("2026-03-31 10:00", time.UTC), time.UTC); !got.Equal(at("2026-03-03 10:00", time.UTC)) {
		t.Errorf("a month back from March 31 = %v", got) // time.AddDate normalises Feb 31
	}
}

// schedule is the DigestSchedule of every and at as the policy writes
// them ("Mon 09:00", "1 09:00", "09:00").
func schedule(t *testing.T, every, at string) DigestSchedule {
	t.Helper()
	s := DigestSchedule{Every: Period(every), Weekday: time.Monday, Day: 1}
	f := strings.Fields(at)
	if len(f) == 2 {
		if d, err := strconv.Atoi(f[0]); err == nil {
			s.Day = d
		} else {
			days := map[string]time.Weekday{"mon": time.Monday, "fri": time.Friday}
			s.Weekday = days[strings.ToLower(f[0])]
		}
		f = f[1:]
	}
	if len(f) == 1 {
		c, err := time.Parse("15:04", f[0])
		if err != nil {
			t.Fatal(err)
		}
		s.Hour, s.Minute = c.Hour(), c.Minute()
	}
	return s
}

func TestPercentile(t *testing.T) {
	m := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Minute)
		}
		return out
	}
	tests := []struct {
		in     []time.Duration
		q      float64
		wanted time.Duration
	}{
		{nil, 0.5, 0},
		{m(7), 0.9, 7 * time.Minute},
		// Nearest rank: the 0.5-quantile of 4 values is the 2nd, the
		// 0.9-quantile of 10 values the 9th, of 11 values the 10th.
		{m(40, 10, 30, 20), 0.5, 20 * time.Minute},
		{m(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 0.9, 9 * time.Minute},
		{m(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 0.9, 10 * time.Minute},
		{m(5, 1, 3), 0.5, 3 * time.Minute},
	}
	for _, tt := range tests {
		if got := Percentile(tt.in, tt.q); got != tt.wanted {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.in, tt.q, got, tt.wanted)
		}
	}
}

func TestSubjectGroup(t *testing.T) {
	for in, want := range map[string]string{
		"Re: Where is my order #1042?":   "where is my order",
		"where is my order 2210":         "where is my order",
		"FWD: RE: Refund for order 77!!": "refund for order",
		"Can't log in":                   "can't log in",
		"#1234":                          "",
		"":                               "",
	} {
		if got := SubjectGroup(in); got != want {
			t.Errorf("SubjectGroup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuildDigest(t *testing.T) {
	from := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	to, prev := from.AddDate(0, 0, 7), from.AddDate(0, 0, -7)
	in := func(h int) time.Time { return from.Add(time.Duration(h) * time.Hour) }
	before := func(h int) time.Time { return prev.Add(time.Duration(h) * time.Hour) }
	ticket := func(id string, customer int64, at time.Time, subject string, tags ...string) TicketRecord {
		return TicketRecord{Ticket: Ticket{ID: id, Subject: subject, Tags: tags}, CustomerID: customer, CreatedAt: at}
	}
	low, good := 1, 5
	f := DigestFacts{
		From: from, To: to, PrevFrom: prev, Currency: "USD",
		Ledger: []LedgerEntry{
			{ID: 1, RequestID: 1, Gesture: "ship", Title: "Free shipping", Status: StatusGranted, Charge: 15_00, CreatedAt: in(1)},
			{ID: 2, RequestID: 2, Gesture: "note", Title: "Note", Status: StatusGranted, Charge: 4_00, CreatedAt: in(2)},
			{ID: 3, RequestID: 3, Gesture: "ship", Status: StatusPendingApproval, CreatedAt: in(3)},
			{ID: 4, RequestID: 3, Gesture: "ship", Title: "Free shipping", Status: StatusApproved, Charge: 15_00, CreatedAt: in(5)},
			{ID: 5, RequestID: 5, Gesture: "ship", Status: StatusRefused, CreatedAt: in(6)},
			{ID: 6, RequestID: 6, Gesture: "note", Status: StatusDeclined, CreatedAt: in(8)},
			{ID: 7, RequestID: 7, Gesture: "ship", Status: StatusGranted, Charge: 15_00, CreatedAt: to}, // after the period
		},
		// Request 6 was asked for in the period before: it still counts
		// where it was decided.
		Requested: map[int64]time.Time{3: in(3), 6: before(100)},
		Waiting:   4,
		Tickets: []TicketRecord{
			ticket("a", 1, in(1), "Where is my order #1", "shipping", "Shipping"),
			ticket("b", 1, in(2), "Re: where is my order 2", "shipping"),
			ticket("c", 2, in(3), "Where is my order?", "refund"),
			ticket("d", 3, in(4), "Broken tire", "shipping"),
			ticket("e", 1, in(5), "Thanks"),
			ticket("f", 4, before(1), "where is my order", "shipping"),
			ticket("g", 4, before(2), "Broken tire"),
		},
		Touchpoints: []Touchpoint{
			{CustomerID: 1, Kind: TouchFeedback, Score: &low, Scale: ScaleCSAT, OccurredAt: in(1)},
			{CustomerID: 2, Kind: TouchFeedback, Score: &good, Scale: ScaleCSAT, OccurredAt: in(1)},
			{CustomerID: 2, Kind: TouchCart, OccurredAt: in(2)},
			{CustomerID: 3, Kind: TouchCart, OccurredAt: before(2)},
			{CustomerID: 4, Kind: TouchCart, OccurredAt: before(3)},
		},
		Names: map[int64]string{1: "Jane"},
		Rules: DefaultSignalRules(),
	}
	d := BuildDigest(f)
	wantSpend := []GestureSpend{{Gesture: "ship", Title: "Free shipping", Count: 2, Spent: 30_00}, {Gesture: "note", Title: "Note", Count: 1, Spent: 4_00}}
	if !reflect.DeepEqual(d.Spend, wantSpend) || d.Spent != 34_00 || d.Granted != 3 || d.Refused != 2 {
		t.Errorf("spend = %+v, %v spent, %d granted, %d refused", d.Spend, d.Spent, d.Granted, d.Refused)
	}
	// Two decisions: 2h and 7 days + 8h - 100h; nearest rank.
	if want := (Turnaround{Decided: 2, Approved: 1, Median: 2 * time.Hour, P90: 7*24*time.Hour + 8*time.Hour - 100*time.Hour, Waiting: 4}); d.Approvals != want {
		t.Errorf("approvals = %+v, want %+v", d.Approvals, want)
	}
	if d.Tickets != (Trend{5, 2}) {
		t.Errorf("tickets = %+v", d.Tickets)
	}
	wantReasons := []ContactReason{
		{Label: "shipping", Tag: true, Trend: Trend{3, 1}},
		{Label: "where is my order", Trend: Trend{3, 1}},
		{Label: "refund", Tag: true, Trend: Trend{1, 0}},
	}
	if !reflect.DeepEqual(d.Reasons, wantReasons) {
		t.Errorf("reasons = %+v\nwant %+v", d.Reasons, wantReasons)
	}
	wantSignals := []SignalTrend{
		{Kind: SignalAbandonedCart, Trend: Trend{1, 2}},
		{Kind: SignalRepeatContact, Trend: Trend{1, 0}},
		{Kind: SignalLowCSAT, Trend: Trend{1, 0}},
	}
	if !reflect.DeepEqual(d.Signals, wantSignals) {
		t.Errorf("signals = %+v\nwant %+v", d.Signals, wantSignals)
	}
	if want := []RepeatContact{{CustomerID: 1, Name: "Jane", Contacts: 3}}; !reflect.DeepEqual(d.Repeat, want) {
		t.Errorf("repeat = %+v", d.Repeat)
	}
	if ids := RepeatContactIDs(f.Tickets, from, to); !reflect.DeepEqual(ids, []int64{1}) {
		t.Errorf("repeat ids = %v", ids)
	}
	if empty := BuildDigest(DigestFacts{From: from, To: to, PrevFrom: prev}); empty.Spend != nil || empty.Reasons != nil ||
		empty.Signals != nil || empty.Repeat != nil || empty.Approvals != (Turnaround{}) {
		t.Errorf("digest of nothing = %+v", empty)
	}
}

func TestComeback(t *testing.T) {
	tests := []struct {
		e    Event
		want string
	}{
		{Event{Type: EventOrderCreated, Order: &Order{ID: "1", Total: 420_00, Currency: "USD"}}, "ordered again ($420)"},
		{Event{Type: EventOrderCreated, Order: &Order{ID: "1"}}, "ordered again"},
		{Event{Type: EventOrderUpdated, Order: &Order{ID: "1", Total: 420_00}}, ""},
		{Event{Type: EventOrderCreated, Order: &Order{ID: "1", RefundID: "r1"}}, ""},
		{Event{Type: EventFeedbackReceived, Feedback: &Feedback{Score: 4, Scale: ScaleCSAT}}, "gave a CSAT of 4/5"},
		{Event{Type: EventFeedbackReceived, Feedback: &Feedback{Score: 3, Scale: ScaleCSAT}}, ""},
		{Event{Type: EventFeedbackReceived, Feedback: &Feedback{Score: 5}}, "gave a CSAT of 5/5"},
		{Event{Type: EventFeedbackReceived, Feedback: &Feedback{Score: 9, Scale: ScaleNPS}}, "gave an NPS of 9/10"},
		{Event{Type: EventFeedbackReceived, Feedback: &Feedback{Score: 8, Scale: ScaleNPS}}, ""},
		{Event{Type: EventTicketCreated}, ""},
	}
	for _, tt := range tests {
		got, ok := Comeback(tt.e)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Comeback(%+v) = %q, %v; want %q", tt.e, got, ok, tt.want)
		}
	}
}

func TestGrantsBefore(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	entries := []LedgerEntry{
		{ID: 1, RequestID: 1, Status: StatusGranted, CreatedAt: t0},
		{ID: 2, RequestID: 1, Status: StatusFulfilled, CreatedAt: t0.Add(day)},
		{ID: 3, RequestID: 3, Status: StatusPendingApproval, CreatedAt: t0.Add(2 * day)},
		{ID: 4, RequestID: 3, Status: StatusApproved, CreatedAt: t0.Add(3 * day)},
		{ID: 5, RequestID: 5, Status: StatusGranted, CreatedAt: t0.Add(4 * day)},
		{ID: 6, RequestID: 5, Status: StatusCancelled, CreatedAt: t0.Add(5 * day)},
		{ID: 7, RequestID: 7, Status: StatusRefused, CreatedAt: t0.Add(5 * day)},
		{ID: 8, RequestID: 8, Status: StatusGranted, CreatedAt: t0.Add(20 * day)},
	}
	ids := func(es []LedgerEntry) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	tests := []struct {
		at   time.Duration
		want []int64
	}{
		{10 * day, []int64{1, 4}},    // both within 30 days; 5 cancelled, 7 refused, 8 later
		{30 * day, []int64{4, 8}},    // request 1's window closed at day 30 (exclusive)
		{-time.Hour, nil},            // before every grant
		{3 * day, []int64{1, 4}},     // the approval's own moment counts
		{60 * day, nil},              // every window closed
		{20 * day, []int64{1, 4, 8}}, // oldest first
	}
	for _, tt := range tests {
		if got := ids(GrantsBefore(entries, t0.Add(tt.at), 30*day)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("at +%v: %v, want %v", tt.at, got, tt.want)
		}
	}
}
