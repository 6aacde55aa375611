package view

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/plusone-hq/plusone"
)

// CardText renders the context card of a ticket as plain text for a
// terminal: what local mode prints instead of posting to Slack. It shows
// the same facts as CardMessage, with URLs written out.
func CardText(c plusone.ContextCard) string {
	return renderText(newCardView(c))
}

func renderText(v cardView) string {
	var b strings.Builder
	title := v.name + " · " + v.tier
	fmt.Fprintf(&b, "%s\n%s\n", title, strings.Repeat("═", min(length(title), 60)))

	if v.lookup {
		fmt.Fprintf(&b, "Ticket  %s\n", humanize(openTicketsText(v.openTickets)))
	} else {
		fmt.Fprintf(&b, "Ticket  %s\n", v.ticket.subject)
		if d := details("", v.ticket.source, v.ticket.status, v.ticket.when); d != "" {
			fmt.Fprintf(&b, "        %s\n", d)
		}
		if u := webURL(v.ticket.url); u != "" {
			fmt.Fprintf(&b, "        %s\n", u)
		}
	}

	b.WriteByte('\n')
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, f := range append(slices.Clone(v.facts), v.deskFacts...) {
		fmt.Fprintf(tw, "%s\t%s\n", f.label, f.value)
	}
	tw.Flush()

	if len(v.signals) > 0 {
		b.WriteString("\nSignals\n")
		for _, s := range v.signals {
			line := "  ! " + s.title
			if s.evidence != "" {
				line += " — " + s.evidence
			}
			if u := webURL(s.url); u != "" {
				line += "  " + u
			}
			b.WriteString(line + "\n")
		}
		more(&b, v.moreSignals)
	}

	plusOneText(&b, v)

	if len(v.activity) > 0 {
		b.WriteString("\nRecent activity\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, a := range v.activity {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", a.date, a.source, a.summary)
		}
		tw.Flush()
	}

	if len(v.others) > 0 {
		b.WriteString("\n" + othersHeading(v) + "\n")
		for _, t := range v.others {
			line := "  • " + t.subject + details(" · ", t.source, t.status, t.when)
			if u := webURL(t.url); u != "" {
				line += "  " + u
			}
			b.WriteString(line + "\n")
		}
		more(&b, v.moreOthers)
	}

	if len(v.prefs) > 0 {
		b.WriteString("\nPreferences\n")
		for _, p := range v.prefs {
			line := "  • " + p.key + ": " + p.value
			switch {
			case p.agent != "":
				line += " (via agent " + p.agent + ")"
			case p.origin != "":
				line += " (" + p.origin + ")"
			}
			b.WriteString(line + "\n")
		}
		more(&b, v.morePrefs)
	}

	if len(v.notes) > 0 {
		b.WriteString("\nNotes\n")
		for _, n := range v.notes {
			b.WriteString("  • " + noteText(n) + "\n")
		}
		more(&b, v.moreNotes)
	}

	b.WriteString("\nplusone")
	if v.key != "" {
		b.WriteString(" · " + v.key)
	}
	if !v.updated.IsZero() {
		b.WriteString(" · updated " + v.updated.UTC().Format(utcLayout))
	}
	b.WriteByte('\n')
	return b.String()
}

func more(b *strings.Builder, n int) {
	if n > 0 {
		fmt.Fprintf(b, "  …and %d more\n", n)
	}
}

// noteText is a note as plain text: "Prefers calls — U0BEN · Nov 20  <link>".
func noteText(n noteItem) string {
	by := details("", cmp.Or(n.author, n.authorName), n.date)
	line := n.text
	if by != "" {
		line += " — " + by
	}
	if u := webURL(n.url); u != "" {
		line += "  " + u
	}
	return line
}

// Printed is m as the local Printer writes it to a terminal: a rule
// naming title (and the channel, if any), then m's Plain form, else its
// Text unescaped, and a blank line.
func Printed(title, channel string, m Message) string {
	if channel != "" {
		title += " in " + clean(channel)
	}
	body := m.Plain
	if body == "" {
		body = mrkdwnUnescaper.Replace(clean(m.Text))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "── %s %s\n%s", title, strings.Repeat("─", max(0, 56-length(title))), body)
	if !strings.HasSuffix(body, "\n") {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.String()
}
