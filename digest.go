package plusone

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Last returns the latest time at or before now when a digest is due, in
// loc (UTC when nil).
func (s DigestSchedule) Last(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	start := Budget{Per: s.Every}.PeriodStart(now, loc)
	at := s.in(start, loc)
	if at.After(now) {
		// Not yet this period: the one before.
		at = s.in(Budget{Per: s.Every}.PeriodStart(start.Add(-time.Nanosecond), loc), loc)
	}
	return at
}

// in is the send time within the period that starts at start.
func (s DigestSchedule) in(start time.Time, loc *time.Location) time.Time {
	y, m, d := start.Date()
	switch s.Every {
	case PerWeek:
		d += (int(s.Weekday) + 6) % 7 // days after Monday
	case PerMonth:
		d += max(s.Day, 1) - 1
	}
	return time.Date(y, m, d, s.Hour, s.Minute, 0, 0, loc)
}

// Covers returns the period a digest sent at `at` (a time Last returned)
// reports on: from the send time before it up to at.
func (s DigestSchedule) Covers(at time.Time, loc *time.Location) (from, to time.Time) {
	return s.Last(at.Add(-time.Nanosecond), loc), at
}

// Back returns t moved back by one period of the schedule (a calendar day,
// week or month), for a digest asked for now rather than on schedule.
func (s DigestSchedule) Back(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	switch s.Every {
	case PerWeek:
		return t.AddDate(0, 0, -7)
	case PerMonth:
		return t.AddDate(0, -1, 0)
	default:
		return t.AddDate(0, 0, -1)
	}
}

// Digest is what the supervisors' digest tells about one period: spend
// against budgets, approval turnaround, why customers contacted support
// and what plusone noticed, each with the period before for a trend, and
// the effect each gesture is measured to have.
type Digest struct {
	From, To time.Time
	Currency string
	// Spend is what was granted in the period, by gesture (most spent
	// first).
	Spend     []GestureSpend
	Spent     Money
	Granted   int
	Refused   int
	Budgets   []BudgetLine // the team budgets as they stand now
	Approvals Turnaround
	// Reasons are the period's top contact reasons: ticket tags and
	// grouped subjects, most frequent first.
	Reasons []ContactReason
	Tickets Trend // tickets opened
	// Signals are what plusone noticed in the period, with the period
	// before.
	Signals []SignalTrend
	// Repeat lists the customers who contacted support more than once in
	// the period, most contacts first.
	Repeat []RepeatContact
	// Effects is each gesture's measured effect, when outcomes are
	// measured.
	Effects []GestureEffect
}

// GestureSpend is what one gesture cost in a period.
type GestureSpend struct {
	Gesture, Title string
	Count          int
	Spent          Money
}

// Turnaround is how long supervisors took to decide approval requests
// decided in a period, from request to decision.
type Turnaround struct {
	Decided     int
	Approved    int
	Median, P90 time.Duration
	// Waiting is how many requests still await a decision.
	Waiting int
}

// Trend is a count in a period and in the period before.
type Trend struct {
	Now, Before int
}

// ContactReason is a reason customers contacted support: a ticket tag
// (Tag) or a group of tickets with the same subject.
type ContactReason struct {
	Label string
	Tag   bool
	Trend
}

// SignalTrend counts the customers showing a signal in a period.
type SignalTrend struct {
	Kind SignalKind
	Trend
}

// RepeatContact is a customer who contacted support several times.
type RepeatContact struct {
	CustomerID int64
	Name       string
	Contacts   int
}

// GestureEffect is a gesture's measured effect on repeat purchase: the
// difference treatment − holdout with its 95% interval, in proportions.
type GestureEffect struct {
	Gesture, Title  string
	Diff, Low, High float64
	Granted         int
	// CostPerExtra is the cost of one incremental purchase (0: unknown).
	CostPerExtra float64
}

// DigestFacts is what a digest is built from: the ledger entries of the
// period, the decided approval requests, the tickets, feedback and carts
// of the period and of the one before.
type DigestFacts struct {
	From, To, PrevFrom time.Time
	Currency           string
	// Ledger holds the entries created in [From, To).
	Ledger []LedgerEntry
	// Requested maps the request ID of every approval decided in the
	// period to when it was asked for.
	Requested map[int64]time.Time
	Waiting   int
	Budgets   []BudgetLine
	// Tickets holds the tickets created in [PrevFrom, To).
	Tickets []TicketRecord
	// Touchpoints holds the feedback and cart touchpoints of [PrevFrom, To).
	Touchpoints []Touchpoint
	Names       map[int64]string
	Rules       SignalRules
	Effects     []GestureEffect
}

// How much a digest lists.
const (
	digestReasons = 8
	digestRepeat  = 10
)

// BuildDigest computes the digest of a period from its facts.
func BuildDigest(f DigestFacts) Digest {
	d := Digest{From: f.From, To: f.To, Currency: f.Currency, Budgets: f.Budgets, Effects: f.Effects}
	d.Spend, d.Spent, d.Granted, d.Refused = spendOf(f.Ledger, f.From, f.To)
	d.Approvals = turnaround(f.Ledger, f.Requested, f.From, f.To)
	d.Approvals.Waiting = f.Waiting
	now, before := splitTickets(f.Tickets, f.PrevFrom, f.From, f.To)
	d.Tickets = Trend{len(now), len(before)}
	d.Reasons = contactReasons(now, before)
	d.Signals = signalTrends(f, now, before)
	d.Repeat = repeatContacts(now, f.Names)
	return d
}

func within(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// spendOf sums the grants (granted or approved entries) of the period by
// gesture.
func spendOf(ledger []LedgerEntry, from, to time.Time) (out []GestureSpend, total Money, granted, refused int) {
	by := map[string]*GestureSpend{}
	for _, e := range ledger {
		if !within(e.CreatedAt, from, to) {
			continue
		}
		switch e.Status {
		case StatusRefused, StatusDeclined:
			refused++
			continue
		case StatusGranted, StatusApproved:
		default:
			continue
		}
		g := by[e.Gesture]
		if g == nil {
			g = &GestureSpend{Gesture: e.Gesture, Title: e.Title}
			by[e.Gesture] = g
		}
		g.Count++
		g.Spent += e.Charge
		total += e.Charge
		granted++
	}
	for _, g := range by {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b GestureSpend) int {
		return cmp.Or(cmp.Compare(b.Spent, a.Spent), cmp.Compare(b.Count, a.Count), strings.Compare(a.Gesture, b.Gesture))
	})
	return out, total, granted, refused
}

// turnaround measures the approvals decided in the period: from the
// request to the supervisor's decision.
func turnaround(ledger []LedgerEntry, requested map[int64]time.Time, from, to time.Time) Turnaround {
	var t Turnaround
	var waits []time.Duration
	for _, e := range ledger {
		if e.Status != StatusApproved && e.Status != StatusDeclined || !within(e.CreatedAt, from, to) {
			continue
		}
		asked, ok := requested[e.RequestID]
		if !ok {
			continue
		}
		t.Decided++
		if e.Status == StatusApproved {
			t.Approved++
		}
		waits = append(waits, max(0, e.CreatedAt.Sub(asked)))
	}
	t.Median, t.P90 = Percentile(waits, 0.5), Percentile(waits, 0.9)
	return t
}

// Percentile returns the q-quantile (0 < q ≤ 1) of ds by the nearest-rank
// method: the smallest value with at least q of them at or below it; 0 for
// none.
func Percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(float64(len(s))*q + 0.999999999)
	return s[min(max(rank, 1), len(s))-1]
}

// splitTickets sorts tickets into the period and the one before.
func splitTickets(tickets []TicketRecord, prevFrom, from, to time.Time) (now, before []TicketRecord) {
	for _, t := range tickets {
		switch {
		case within(t.CreatedAt, from, to):
			now = append(now, t)
		case within(t.CreatedAt, prevFrom, from):
			before = append(before, t)
		}
	}
	return now, before
}

// contactReasons counts the tags of the period's tickets and their
// subjects grouped (SubjectGroup), most frequent first; a subject seen
// once is no reason.
func contactReasons(now, before []TicketRecord) []ContactReason {
	type key struct {
		label string
		tag   bool
	}
	count := func(ts []TicketRecord) map[key]int {
		m := map[key]int{}
		for _, t := range ts {
			seen := map[string]bool{}
			for _, tag := range t.Tags {
				tag = strings.ToLower(strings.TrimSpace(tag))
				if tag != "" && !seen[tag] {
					seen[tag] = true
					m[key{tag, true}]++
				}
			}
			if g := SubjectGroup(t.Subject); g != "" {
				m[key{g, false}]++
			}
		}
		return m
	}
	n, b := count(now), count(before)
	var out []ContactReason
	for k, c := range n {
		if !k.tag && c < 2 {
			continue
		}
		out = append(out, ContactReason{Label: k.label, Tag: k.tag, Trend: Trend{c, b[k]}})
	}
	slices.SortFunc(out, func(a, b ContactReason) int {
		return cmp.Or(cmp.Compare(b.Now, a.Now), strings.Compare(a.Label, b.Label), boolCompare(a.Tag, b.Tag))
	})
	return out[:min(len(out), digestReasons)]
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	default:
		return 1
	}
}

// SubjectGroup is what tickets with alike subjects share: the subject in
// lower case without reply and forward prefixes, numbers (order and
// ticket numbers) and punctuation. "Re: Where is my order #1042?" and
// "where is my order 2210" are both "where is my order".
func SubjectGroup(subject string) string {
	s := strings.ToLower(strings.TrimSpace(subject))
	for {
		trimmed := s
		for _, p := range []string{"re:", "fw:", "fwd:", "aw:"} {
			trimmed = strings.TrimSpace(strings.TrimPrefix(trimmed, p))
		}
		if trimmed == s {
			break
		}
		s = trimmed
	}
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	return strings.Join(words, " ")
}

// signalTrends counts, in each period, the customers with a signal that
// the period's own facts show: more tickets than the repeat-contact rule
// allows, a low CSAT or NPS, an abandoned cart, a first contact.
func signalTrends(f DigestFacts, now, before []TicketRecord) []SignalTrend {
	count := func(tickets []TicketRecord, from, to time.Time) map[SignalKind]int {
		m := map[SignalKind]int{}
		perCustomer := map[int64]int{}
		for _, t := range tickets {
			perCustomer[t.CustomerID]++
		}
		repeatAt := max(f.Rules.RepeatContactCount, 2)
		for _, n := range perCustomer {
			if n >= repeatAt {
				m[SignalRepeatContact]++
			}
		}
		low, carts := map[int64]bool{}, map[int64]bool{}
		for _, tp := range f.Touchpoints {
			if !within(tp.OccurredAt, from, to) {
				continue
			}
			switch {
			case tp.Kind == TouchFeedback && tp.Score != nil && lowScore(tp.Scale, *tp.Score, f.Rules):
				low[tp.CustomerID] = true
			case tp.Kind == TouchCart:
				carts[tp.CustomerID] = true
			}
		}
		m[SignalLowCSAT], m[SignalAbandonedCart] = len(low), len(carts)
		return m
	}
	n, b := count(now, f.From, f.To), count(before, f.PrevFrom, f.From)
	var out []SignalTrend
	for _, k := range SignalKinds() {
		if n[k] > 0 || b[k] > 0 {
			out = append(out, SignalTrend{Kind: k, Trend: Trend{n[k], b[k]}})
		}
	}
	return out
}

// lowScore applies the low-CSAT rule to a feedback score.
func lowScore(scale string, score int, r SignalRules) bool {
	if scale == ScaleNPS {
		return score <= r.LowNPSMax
	}
	return score <= r.LowCSATMax
}

// repeatContacts lists the customers with two or more tickets in the
// period.
func repeatContacts(now []TicketRecord, names map[int64]string) []RepeatContact {
	perCustomer := map[int64]int{}
	for _, t := range now {
		perCustomer[t.CustomerID]++
	}
	var out []RepeatContact
	for id, n := range perCustomer {
		if n >= 2 {
			out = append(out, RepeatContact{CustomerID: id, Name: names[id], Contacts: n})
		}
	}
	slices.SortFunc(out, func(a, b RepeatContact) int {
		return cmp.Or(cmp.Compare(b.Contacts, a.Contacts), cmp.Compare(a.CustomerID, b.CustomerID))
	})
	return out[:min(len(out), digestRepeat)]
}

// RepeatContactIDs lists the customers with two or more of tickets, so
// that their names can be looked up.
func RepeatContactIDs(tickets []TicketRecord, from, to time.Time) []int64 {
	var in []TicketRecord
	for _, t := range tickets {
		if within(t.CreatedAt, from, to) {
			in = append(in, t)
		}
	}
	var ids []int64
	for _, r := range repeatContacts(in, nil) {
		ids = append(ids, r.CustomerID)
	}
	return ids
}
