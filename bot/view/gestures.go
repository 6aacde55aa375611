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

// How much of a gesture the views show. Lengths are in characters of raw
// text.
const (
	maxGestureTitle = 80
	maxReason       = 200
	maxTarget       = 40
	maxResult       = 300
	maxBlocking     = 10
	maxCurrency     = 8  // "USD"; longer ones are cut
	maxStatus       = 40 // a status plusone does not know, in words
	maxOffers       = 3  // suggestions on a card
	maxCardGestures = 3  // recent gestures on a card
)

// gestureItem is a ledger entry as cards, messages and the App Home show
// it, cleaned and shortened once. Strings are raw text.
type gestureItem struct {
	status     plusone.LedgerStatus
	title      string // "Free express shipping on the next order"
	value      string // "$15"; "" for a gesture of no value
	agent      person // who offered it
	by         person // who made the entry's decision
	reason     string
	ticket     string // the card's ticket key
	customerID int64
	requestID  int64
	at         time.Time
}

func newGestureItem(e plusone.LedgerEntry, currency string) gestureItem {
	it := gestureItem{
		status:     e.Status,
		title:      gestureTitle(e.Title, e.Gesture),
		agent:      newPerson(e.Agent),
		by:         newPerson(e.By),
		reason:     truncate(clean(e.Reason), maxReason),
		ticket:     truncate(clean(e.TicketKey), maxKey),
		customerID: e.CustomerID,
		requestID:  cmp.Or(e.RequestID, e.ID),
		at:         e.CreatedAt,
	}
	if e.Value != 0 {
		it.value = e.Value.Format(currencyCode(cmp.Or(clean(e.Currency), currency)))
	}
	return it
}

// gestureTitle is a gesture's title, else its ID in words.
func gestureTitle(title, id string) string {
	if t := truncate(clean(title), maxGestureTitle); t != "" {
		return t
	}
	if t := truncate(humanize(id), maxGestureTitle); t != "" {
		return t
	}
	return "a gesture"
}

// requestValue is a request ID as the buttons carry it; "" when there is
// none to act on.
func (it gestureItem) requestValue() string {
	if it.requestID <= 0 {
		return ""
	}
	return strconv.FormatInt(it.requestID, 10)
}

// person is someone named in a ledger entry: a Slack user, mentioned in
// mrkdwn, or anything else ("plusone"), shown as text.
type person struct{ id, name string }

func newPerson(s string) person {
	s = clean(s)
	if isSlackUserID(s) {
		return person{id: s}
	}
	return person{name: truncate(s, maxAuthor)}
}

func (p person) empty() bool { return p.id == "" && p.name == "" }

// mrkdwn is "<@U0ANA>" or the escaped name.
func (p person) mrkdwn() string {
	if p.id != "" {
		return "<@" + p.id + ">"
	}
	return escape(p.name)
}

// text is the user ID or the name, for plain text.
func (p person) text() string { return cmp.Or(p.id, p.name) }

// renderer writes mrkdwn or plain text: how text is escaped, people named
// and names set off.
type renderer struct {
	plain bool
	esc   func(string) string
	who   func(person) string
	bold  func(string) string // of already escaped text
}

// The two renderers; immutable.
var (
	mrkdwnRenderer = renderer{esc: escape, who: person.mrkdwn, bold: func(s string) string { return "*" + s + "*" }}
	textRenderer   = renderer{plain: true, esc: func(s string) string { return s }, who: person.text,
		bold: func(s string) string { return s }}
)

// emoji is a status's emoji: a Slack shortcode, or the character itself.
func (r renderer) emoji(s plusone.LedgerStatus) string {
	code, char := statusEmoji(s)
	if r.plain {
		return char
	}
	return code
}

// by is "declined by <@U0SUP>", or the verb alone when nobody is named.
func (r renderer) by(verb string, p person) string {
	if p.empty() {
		return verb
	}
	return verb + " by " + r.who(p)
}

// subject is "Free express shipping ($15)".
func (r renderer) subject(it gestureItem) string {
	s := r.esc(it.title)
	if it.value != "" {
		s += " (" + r.esc(it.value) + ")"
	}
	return s
}

// outcome says what became of a gesture: "granted by <@U0ANA>",
// "awaiting approval (asked by <@U0ANA>)", "declined by <@U0SUP>".
func (r renderer) outcome(it gestureItem) string {
	by := r.by
	asked := func(s string) string {
		if it.agent.empty() {
			return s
		}
		return s + " (asked by " + r.who(it.agent) + ")"
	}
	switch it.status {
	case plusone.StatusGranted:
		return by("granted", cmp.Or(it.agent, it.by))
	case plusone.StatusApproved:
		return asked(by("approved", it.by))
	case plusone.StatusPendingApproval:
		return asked("awaiting approval")
	case plusone.StatusDeclined:
		return by("declined", it.by)
	case plusone.StatusExpired:
		return "expired"
	case plusone.StatusFulfilled:
		return by("sent", it.by)
	case plusone.StatusCancelled:
		return by("cancelled", it.by)
	case plusone.StatusRefused:
		return "refused"
	}
	return by(r.esc(strings.ToLower(cmp.Or(statusWords(it.status), "recorded"))), it.by)
}

// statusWords is a status in words, "On hold", cut short: for statuses
// this version does not know.
func statusWords(s plusone.LedgerStatus) string {
	return truncate(humanize(string(s)), maxStatus)
}

// currencyCode is a currency as amounts show it, cleaned and cut short.
func currencyCode(s string) string {
	return truncate(clean(s), maxCurrency)
}

// gestureLine is a recent gesture on one line: "✅ Free express shipping
// ($15) granted by <@U0ANA> · Nov 20"; customer, when given, is named after
// the subject ("… for *Jane Doe* …").
func (r renderer) gestureLine(it gestureItem, customer, date string) string {
	s := r.emoji(it.status) + " " + r.subject(it)
	if customer != "" {
		s += " for " + r.bold(r.esc(customer))
	}
	s += " " + r.outcome(it)
	if date != "" {
		s += " · " + date
	}
	return s
}

// statusEmoji is how a ledger status shows in Slack and on a terminal.
func statusEmoji(s plusone.LedgerStatus) (shortcode, char string) {
	switch s {
	case plusone.StatusGranted, plusone.StatusApproved:
		return ":white_check_mark:", "✅"
	case plusone.StatusPendingApproval:
		return ":hourglass_flowing_sand:", "⏳"
	case plusone.StatusDeclined:
		return ":x:", "❌"
	case plusone.StatusExpired:
		return ":hourglass:", "⌛"
	case plusone.StatusFulfilled:
		return ":package:", "📦"
	case plusone.StatusCancelled:
		return ":leftwards_arrow_with_hook:", "↩︎"
	case plusone.StatusRefused:
		return ":no_entry_sign:", "🚫"
	}
	return ":small_blue_diamond:", "•"
}

// recentGestures are the entries a card or the App Home lists: refused
// ones left out (only the agent who clicked sees those), the latest entry
// of each request, newest first, at most limit; more counts the rest.
func recentGestures(entries []plusone.LedgerEntry, currency string, limit int) (items []gestureItem, more int) {
	entries = slices.Clone(entries)
	slices.SortStableFunc(entries, func(a, b plusone.LedgerEntry) int { return b.CreatedAt.Compare(a.CreatedAt) })
	seen := map[int64]bool{}
	for _, e := range entries {
		if e.Status == plusone.StatusRefused {
			continue
		}
		if id := cmp.Or(e.RequestID, e.ID); id != 0 {
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		if len(items) == limit {
			more++
			continue
		}
		items = append(items, newGestureItem(e, currency))
	}
	return items, more
}

// customerLabel is the customer's name as given, else "customer #42".
func customerLabel(name string, id int64) string {
	if n := truncate(clean(name), maxName); n != "" {
		return n
	}
	if id > 0 {
		return fmt.Sprintf("customer #%d", id)
	}
	return "the customer"
}

// when is a time in Slack (each reader's time zone) and as plain text, or
// two empty strings for the zero time.
func when(t time.Time) (mrkdwnDate, plainDate string) {
	if t.IsZero() {
		return "", ""
	}
	return slackDate(t, "{date_short_pretty} at {time}", utcLayout), t.UTC().Format(utcLayout)
}
