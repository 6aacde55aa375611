package view

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"
)

// The Block Kit pieces every view is built from.

// details joins the non-empty parts with " · ", after prefix.
func details(prefix string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return ""
	}
	return prefix + strings.Join(kept, " · ")
}

// section is a mrkdwn section of a heading and one line per item. Lines
// that would take it past budget characters are left out and counted, with
// more, in a last "…and N more" line. Budgets keep a whole card compact and
// far below Slack's limits (a section's text: 3000), whatever the data.
func section(heading string, lines []string, more, budget int) *slack.SectionBlock {
	const reserve = 40 // room for the "…and N more" line
	budget = min(budget, maxSectionText) - reserve
	var b strings.Builder
	b.WriteString(heading)
	for i, line := range lines {
		line = truncateLine(line, budget-length(heading)-1)
		if length(b.String())+1+length(line) > budget {
			more += len(lines) - i
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	if more > 0 {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "_…and %d more_", more)
	}
	return slack.NewSectionBlock(mrkdwn(b.String()), nil, nil)
}

// truncateLine is a last resort for an already-escaped mrkdwn line longer
// than limit: view items are short enough that it should never cut. It cuts
// before any link or entity it would break.
func truncateLine(s string, limit int) string {
	if length(s) <= limit {
		return s
	}
	cut := strings.TrimSuffix(truncate(s, limit), "…")
	if i := strings.LastIndexByte(cut, '<'); i >= 0 && !strings.Contains(cut[i:], ">") {
		cut = cut[:i] // a link cut in half
	}
	if i := strings.LastIndexByte(cut, '&'); i >= 0 && !strings.Contains(cut[i:], ";") {
		cut = cut[:i] // an entity cut in half
	}
	return strings.TrimRight(cut, " ") + "…"
}

// plain is plain text, emoji shortcodes shown as emoji.
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

// mrkdwn is Slack mrkdwn text; s must be escaped already.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}
