package view

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/plusone-hq/plusone"
)

// length counts s the way Slack's limits are most likely counted: in UTF-16
// code units (JavaScript string length). It is never less than the number of
// runes, so a text within the limit by this count is within it by any count.
func length(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// truncate shortens s to at most limit characters (as counted by length),
// ending it with "…"; it prefers to cut at a space near the end.
func truncate(s string, limit int) string {
	if length(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	budget := limit - 1 // room for the ellipsis
	n, cut := 0, 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > budget {
			cut = i
			break
		}
		n += w
	}
	kept := s[:cut]
	// Cut at a word boundary when one is close: "Where is my…", not "Where is m…".
	if sp := strings.LastIndexByte(kept, ' '); sp > 0 && len(kept)-sp <= 16 {
		kept = kept[:sp]
	}
	return strings.TrimRight(kept, " ") + "…"
}

// clean makes untrusted text safe for one line of a card or a terminal:
// valid UTF-8, no control or bidi-override characters, every run of
// whitespace (newlines included) collapsed to one space, trimmed.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = true
			continue
		case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
			continue // bidi overrides could make a card or a terminal line lie
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// Replacers are immutable and safe for concurrent use; building one is
// costly (it was 90 % of a card's allocations), so each is built once.
var (
	mrkdwnEscaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	urlEscaper      = strings.NewReplacer("<", "%3C", ">", "%3E", "|", "%7C")
	wordSplitter    = strings.NewReplacer("_", " ", "-", " ")
	mrkdwnUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// escape makes text literal in Slack mrkdwn: Slack requires &, < and > to
// be sent as HTML entities (https://docs.slack.dev/messaging/formatting-message-text#escaping),
// and has no escape for its formatting characters, so neutralise replaces
// them (customers' names, subjects, messages and product titles must not
// turn bold, italic, struck, code or quoted on a card).
func escape(s string) string {
	return neutralise(mrkdwnEscaper.Replace(s))
}

// zwj is the zero-width joiner neutralise puts before a quote's "&gt;" at
// the start of a line: invisible, and not the line start Slack needs.
const zwj = "\u200d"

// lookalike is what neutralise writes for a formatting character: a
// character that looks the same and formats nothing, in Slack or in any
// other mrkdwn renderer (a zero-width character beside it would break an
// opening mark but not always a closing one).
func lookalike(r rune) rune {
	switch r {
	case '*':
		return '∗' // U+2217 ASTERISK OPERATOR
	case '_':
		return 'ˍ' // U+02CD MODIFIER LETTER LOW MACRON
	case '~':
		return '∼' // U+223C TILDE OPERATOR
	case '`':
		return 'ˋ' // U+02CB MODIFIER LETTER GRAVE ACCENT
	}
	return r
}

// neutralise replaces every *, _, ~ and ` that could open or close Slack
// formatting (any one not between two letters or digits:
// "free_express_shipping" and "jane_doe@example.com" stay as they are) by
// its lookalike, and puts a zero-width joiner before a quote's "&gt;" at
// the start of a line. s is escaped.
func neutralise(s string) string {
	if !strings.ContainsAny(s, "*_~`") && !strings.Contains(s, "&gt;") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	lineStart := true
	var prev rune
	for i, r := range s {
		out := r
		switch {
		case r == '*' || r == '_' || r == '~' || r == '`':
			next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
			if !(isWordRune(prev) && isWordRune(next)) {
				out = lookalike(r)
			}
		case lineStart && strings.HasPrefix(s[i:], "&gt;"):
			b.WriteString(zwj)
		}
		b.WriteRune(out)
		switch {
		case r == '\n':
			lineStart = true
		case r != ' ' && r != '\t':
			lineStart = false
		}
		prev = r
	}
	return b.String()
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// maxURL is the longest URL a card links to; longer ones (or ones that are
// not http or https) are left out rather than crowd a section.
const maxURL = 500

// webURL returns u normalised if it is an http(s) URL short enough to show
// (escaped for mrkdwn), and "" otherwise.
func webURL(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > maxURL {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	// <, > and | would end a Slack link early; percent-encoded they mean
	// the same to a browser.
	s := urlEscaper.Replace(p.String())
	if len(escape(s)) > maxURL || strings.ContainsAny(s, " \t\r\n") {
		return ""
	}
	return s
}

// link renders label as a Slack mrkdwn link to u, or as plain escaped text
// when u is not a showable web URL.
func link(u, label string) string {
	w := webURL(u)
	if w == "" {
		return escape(label)
	}
	return "<" + escape(w) + "|" + escape(label) + ">"
}

// shortDate renders t as "Nov 20" in now's year, else "Nov 20, 2025".
func shortDate(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	if t.Year() == now.Year() {
		return t.Format("Jan 2")
	}
	return t.Format("Jan 2, 2006")
}

// sourceName is a source as its users know it (plusone.Source.Title); an
// origin that is no source is humanized.
func sourceName(s plusone.Source) string {
	if t := s.Title(); t != string(s) {
		return t
	}
	return humanize(string(s))
}

// humanize turns an identifier into words: "abandoned_cart" -> "Abandoned cart".
func humanize(s string) string {
	s = clean(wordSplitter.Replace(s))
	if s == "" {
		return ""
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// signalStyle is how a card shows a signal kind: its emoji, its title and
// the label of its link.
func signalStyle(k plusone.SignalKind) (emoji, title, linkLabel string) {
	switch k {
	case plusone.SignalAbandonedCart:
		return ":shopping_trolley:", "Abandoned cart", "view cart"
	case plusone.SignalDelayedOrder:
		return ":package:", "Delayed order", "view order"
	case plusone.SignalLongWait:
		return ":hourglass_flowing_sand:", "Long wait", "view ticket"
	case plusone.SignalRepeatContact:
		return ":repeat:", "Repeat contact", "view"
	case plusone.SignalLowCSAT:
		return ":disappointed:", "Low satisfaction", "view"
	case plusone.SignalBigSpender:
		return ":gem:", "Big spender", "view"
	case plusone.SignalFirstContact:
		return ":wave:", "First contact", "view"
	}
	return ":small_blue_diamond:", humanize(string(k)), "view"
}

// touchTitle names a timeline entry that has no summary of its own.
func touchTitle(k plusone.TouchpointKind) string {
	switch k {
	case plusone.TouchTicketOpened:
		return "Ticket opened"
	case plusone.TouchTicketUpdated:
		return "Ticket updated"
	case plusone.TouchMessage:
		return "Message"
	case plusone.TouchOrder:
		return "Order"
	case plusone.TouchOrderUpdated:
		return "Order updated"
	case plusone.TouchCart:
		return "Cart"
	case plusone.TouchFeedback:
		return "Feedback"
	}
	return humanize(string(k))
}

// bullets is "• a\n• b" of already rendered lines, at most limit of them,
// and a last "…and N more" line for the rest.
func bullets(lines []string, limit int, italic bool) string {
	var b strings.Builder
	for i, l := range lines {
		if i == limit {
			if italic {
				fmt.Fprintf(&b, "\n_…and %d more_", len(lines)-i)
			} else {
				fmt.Fprintf(&b, "\n  …and %d more", len(lines)-i)
			}
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		if italic {
			b.WriteString("• " + l)
		} else {
			b.WriteString("  • " + l)
		}
	}
	return b.String()
}

// cleanLines are the non-empty texts of ss, each cleaned and cut to limit.
func cleanLines(ss []string, limit int) []string {
	var out []string
	for _, s := range ss {
		if s = truncate(clean(s), limit); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// isSlackUserID reports whether id looks like a Slack user ID (U…, W…), so
// that it can be mentioned as <@id> without smuggling markup into a card.
func isSlackUserID(id string) bool {
	if len(id) < 3 || len(id) > 21 || (id[0] != 'U' && id[0] != 'W') {
		return false
	}
	for _, r := range id[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
