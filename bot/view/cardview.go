package view

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// How much of a customer a card shows, so that an agent never has to scroll
// and no Slack limit is ever near. Lengths are in characters of raw text.
const (
	maxName         = 100
	maxSubject      = 150
	maxFact         = 120
	maxEvidence     = 200
	maxSummary      = 140
	maxPrefKey      = 40
	maxPrefValue    = 120
	maxKey          = 80
	maxNoteText     = 200
	maxAuthor       = 40
	maxSignals      = 8
	maxActivity     = 5
	maxOtherTickets = 3
	maxPrefs        = 5
	maxNotes        = 3
	maxCardNote     = 400
)

// cardView is what a context card shows, chosen, cleaned and shortened
// once, so that the Block Kit and the plain-text renderings agree. Strings
// are raw text: each renderer escapes them for its medium.
type cardView struct {
	customerID int64
	name       string
	tier       string
	// lookup marks a customer looked up in Slack, without a current
	// ticket: the card then shows how many tickets she has open instead.
	lookup      bool
	openTickets int
	ticket      ticketItem
	facts       []fact
	// deskFacts are the helpdesk's facts the policy's card.fields names,
	// in its order.
	deskFacts []fact
	signals   []signalItem
	activity  []activityItem
	others    []ticketItem
	prefs     []prefItem
	notes     []noteItem
	// The Suggested "plus one" part: gestures to offer, and her recent
	// ones (never refused ones).
	suggestions []suggestionItem
	gestures    []gestureItem
	// worded says that a model ordered and worded the suggestions, note
	// is the note to the customer it drafted.
	worded bool
	note   string
	// Counts of what did not fit.
	moreSignals, moreOthers, morePrefs, moreNotes, moreGestures int
	key                                                         string
	updated                                                     time.Time
}

type ticketItem struct {
	subject, url, source, status, when string
}

type fact struct{ label, value string }

type signalItem struct {
	emoji, title, evidence, url, linkLabel string
}

type activityItem struct {
	date, source, summary, url string
}

type noteItem struct {
	text, date, url string
	author          string // Slack user ID, mentioned on the card
	authorName      string // any other author, as text
}

type prefItem struct {
	key, value string
	origin     string // "Zendesk", "derived", "" …
	agent      string // Slack user ID when an agent set it
}

func newCardView(c plusone.ContextCard) cardView {
	cust := c.View.Customer
	hidden := func(field string) bool {
		return slices.ContainsFunc(c.Hidden, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), field) })
	}
	v := cardView{
		customerID: cust.ID,
		name:       displayName(cust, hidden),
		tier:       cust.Profile.Tier.Title(),
		lookup:     c.Ticket.ID == "",
		updated:    c.Now,
	}
	key := "" // the card's ticket, carried by its offer buttons
	if !v.lookup {
		key = c.Ticket.Key()
		v.ticket = newTicketItem(c.Ticket, c.Now, true)
		v.key = truncate(clean(key), maxKey)
	}
	v.facts = facts(c, hidden)
	v.deskFacts = deskFacts(c.Facts)
	v.suggestions = cardSuggestions(c, cust.ID, key)
	if c.Worded && len(v.suggestions) > 0 {
		v.worded, v.note = true, truncate(clean(c.Note), maxCardNote)
	}
	v.gestures, v.moreGestures = recentGestures(c.Gestures, c.Currency, maxCardGestures)

	signals := slices.Clone(c.Signals)
	slices.SortStableFunc(signals, func(a, b plusone.Signal) int { return cmp.Compare(signalRank(a.Kind), signalRank(b.Kind)) })
	for i, s := range signals {
		if i == maxSignals {
			v.moreSignals = len(signals) - i
			break
		}
		emoji, title, label := signalStyle(s.Kind)
		v.signals = append(v.signals, signalItem{emoji: emoji, title: title, linkLabel: label,
			evidence: truncate(clean(s.Evidence), maxEvidence), url: s.URL})
	}

	timeline := slices.Clone(c.View.Timeline)
	slices.SortStableFunc(timeline, func(a, b plusone.Touchpoint) int { return b.OccurredAt.Compare(a.OccurredAt) })
	for _, tp := range timeline[:min(len(timeline), maxActivity)] {
		v.activity = append(v.activity, activityItem{date: shortDate(tp.OccurredAt, c.Now), source: sourceName(tp.Source),
			summary: truncate(touchSummary(tp, c.Currency), maxSummary), url: tp.URL})
	}

	open := 0
	for _, t := range c.View.Tickets {
		if !t.Open() {
			continue
		}
		open++
		if !v.lookup && t.Key() == key {
			continue
		}
		if len(v.others) == maxOtherTickets {
			v.moreOthers++
			continue
		}
		v.others = append(v.others, newTicketItem(t, c.Now, false))
	}
	// The profile counts every open ticket, the view only the latest ones;
	// never say "no open ticket" while listing one.
	v.openTickets = max(cust.Profile.OpenTickets, open)

	for i, p := range c.View.Preferences {
		if i == maxPrefs {
			v.morePrefs = len(c.View.Preferences) - i
			break
		}
		item := prefItem{key: truncate(clean(p.Key), maxPrefKey), value: truncate(clean(p.Value), maxPrefValue)}
		item.origin, item.agent = prefOrigin(p.Origin)
		v.prefs = append(v.prefs, item)
	}

	notes := slices.Clone(c.View.Notes)
	slices.SortStableFunc(notes, func(a, b plusone.Note) int { return b.CreatedAt.Compare(a.CreatedAt) })
	for i, n := range notes {
		if i == maxNotes {
			v.moreNotes = len(notes) - i
			break
		}
		v.notes = append(v.notes, newNoteItem(n, c.Now))
	}
	return v
}

// newNoteItem is a note as cards and the App Home show it: its text on one
// line, who wrote it and when, and the Slack message it was saved from.
func newNoteItem(n plusone.Note, now time.Time) noteItem {
	it := noteItem{text: truncate(clean(n.Text), maxNoteText), date: shortDate(n.CreatedAt, now), url: n.Link}
	if it.text == "" {
		it.text = "(empty note)"
	}
	if a := clean(n.Author); isSlackUserID(a) {
		it.author = a
	} else {
		it.authorName = truncate(a, maxAuthor)
	}
	return it
}

// displayName is the best name the policy lets us show.
func displayName(c plusone.Customer, hidden func(string) bool) string {
	if n := clean(c.Name); n != "" && !hidden("name") {
		return truncate(n, maxName)
	}
	if e := clean(c.Email); e != "" && !hidden("email") {
		return truncate(e, maxName)
	}
	if c.ID != 0 {
		return fmt.Sprintf("Customer #%d", c.ID)
	}
	return "Unknown customer"
}

func newTicketItem(t plusone.TicketRecord, now time.Time, current bool) ticketItem {
	it := ticketItem{
		subject: truncate(clean(t.Subject), maxSubject),
		url:     t.URL,
		source:  sourceName(t.Source),
		status:  humanize(t.Status),
	}
	if it.subject == "" {
		it.subject = truncate("Ticket "+clean(t.ID), maxSubject)
	}
	if !t.CreatedAt.IsZero() {
		if current {
			it.when = "opened " + plusone.Ago(now, t.CreatedAt)
		} else {
			it.when = "opened " + shortDate(t.CreatedAt, now)
		}
	}
	return it
}

func facts(c plusone.ContextCard, hidden func(string) bool) []fact {
	cust := c.View.Customer
	p := cust.Profile
	currency := cmp.Or(p.Currency, c.Currency)
	since := "—"
	if t := earliest(p.FirstSeen, cust.CreatedAt); !t.IsZero() {
		since = t.In(c.Now.Location()).Format("Jan 2006")
	}
	fs := []fact{
		{"Lifetime value", p.LifetimeValue.Format(currency)},
		{"Orders", strconv.Itoa(p.Orders)},
		{"Customer since", since},
		{"Open tickets", strconv.Itoa(p.OpenTickets)},
	}
	if e := clean(cust.Email); e != "" && !hidden("email") {
		fs = append(fs, fact{"Email", truncate(e, maxFact)})
	}
	if ph := clean(cust.Phone); ph != "" && !hidden("phone") {
		fs = append(fs, fact{"Phone", truncate(ph, maxFact)})
	}
	var rating []string
	if p.NPS != nil {
		rating = append(rating, fmt.Sprintf("NPS %d", *p.NPS))
	}
	if p.CSAT != nil {
		rating = append(rating, fmt.Sprintf("CSAT %d", *p.CSAT))
	}
	if len(rating) > 0 {
		fs = append(fs, fact{"Latest rating", strings.Join(rating, " · ")})
	}
	return fs
}

// deskFacts are the helpdesk's facts as the card labels them: the known
// names capitalised ("Assignee"), a custom field by its own name.
func deskFacts(fs []plusone.CardFact) []fact {
	var out []fact
	for _, f := range fs[:min(len(fs), maxSectionFields)] {
		label := truncate(clean(f.Name), maxFact)
		if l := strings.ToLower(label); l == plusone.CardFieldCompany || slices.Contains(plusone.CardFieldNames(), l) {
			label = strings.ToUpper(l[:1]) + l[1:]
		}
		if v := truncate(clean(f.Value), maxFact); label != "" && v != "" {
			out = append(out, fact{label, v})
		}
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// signalRank orders signals as plusone.SignalKinds lists them; unknown last.
func signalRank(k plusone.SignalKind) int {
	kinds := plusone.SignalKinds()
	if i := slices.Index(kinds, k); i >= 0 {
		return i
	}
	return len(kinds)
}

func touchSummary(tp plusone.Touchpoint, currency string) string {
	if s := clean(tp.Summary); s != "" {
		return s
	}
	s := touchTitle(tp.Kind)
	if tp.Amount != 0 {
		s += " " + tp.Amount.Format(cmp.Or(tp.Currency, currency))
	}
	if tp.Score != nil {
		s += fmt.Sprintf(" %s %d", strings.ToUpper(cmp.Or(clean(tp.Scale), "score")), *tp.Score)
	}
	return s
}

// prefOrigin splits a preference's origin into a source name or an agent's
// Slack user ID (mentioned on the card).
func prefOrigin(origin string) (name, agent string) {
	origin = clean(origin)
	if id, ok := strings.CutPrefix(origin, "agent:"); ok {
		if isSlackUserID(id) {
			return "", id
		}
		return truncate("agent "+id, maxPrefKey), ""
	}
	switch origin {
	case "", "derived":
		return origin, ""
	}
	return truncate(sourceName(plusone.Source(origin)), maxPrefKey), ""
}
