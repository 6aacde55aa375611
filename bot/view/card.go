package view

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// Character budgets of the card's list sections. With the caps on each
// item they keep a whole card under about 8,000 characters whatever the
// data: Slack rejects messages far shorter than 50 full blocks
// (msg_blocks_too_long, reported near 13,000 characters; not documented).
const (
	signalsBudget  = 1000
	activityBudget = 1200
	othersBudget   = 700
	prefsBudget    = 700
	notesBudget    = 800
)

// CardMessage renders the context card of a ticket as a Slack message:
// who the customer is and what matters now (header, ticket, facts, signals)
// first; then the Suggested "plus one" part: up to three of c.Suggestions,
// each with an "Offer · $15" button (action_id OfferActionID(gesture),
// value EncodeOffer), and up to three of her recent c.Gestures with their
// outcome (refused ones never show); then her recent history and
// colleagues' notes, an "Add note / preference" button (ActionAddNote),
// then a small footer. A card without a ticket (c.Ticket.ID empty: a
// customer looked up in Slack) says how many tickets she has open instead,
// and its metadata names no ticket. Every text is cut to fit Slack's
// limits, so the result always passes Validate.
//
// The card of an erased customer (c.Erased) says only that: nothing about
// her is left to show.
func CardMessage(c plusone.ContextCard) Message {
	if c.Erased {
		return ErasedCardMessage(c.Ticket.Key())
	}
	return cardMessage(newCardView(c), c)
}

// ErasedText is what an erased customer's cards say instead of her data.
const ErasedText = "Customer data erased on request."

// ErasedCardMessage is the card of ticket (its key) once its customer was
// erased: one line, and the metadata naming the ticket, so that a card in
// doubt is still found and adopted rather than posted again.
func ErasedCardMessage(ticket string) Message {
	return Message{
		Text:     ErasedText,
		Blocks:   []slack.Block{slack.NewSectionBlock(mrkdwn(":wastebasket: _"+ErasedText+"_"), nil, nil)},
		Plain:    ErasedText + "\n",
		Metadata: &slack.SlackMetadata{EventType: CardEventType, EventPayload: map[string]any{"ticket": ticket}},
	}
}

// ErasedNoticeMessage replaces an erased customer's approval request or
// to-do: one line, nothing of hers, no buttons.
func ErasedNoticeMessage() Message {
	return Message{
		Text:   ErasedText,
		Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(":wastebasket: _"+ErasedText+"_"), nil, nil)},
		Plain:  ErasedText + "\n",
	}
}

// cardMessage is CardMessage of v, the view of c.
func cardMessage(v cardView, c plusone.ContextCard) Message {
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(headerText(v))),
		slack.NewSectionBlock(mrkdwn(ticketText(v)), nil, nil),
		slack.NewSectionBlock(nil, factFields(v.facts), nil),
	}
	if len(v.deskFacts) > 0 {
		blocks = append(blocks, slack.NewSectionBlock(nil, factFields(v.deskFacts), nil))
	}
	if len(v.signals) > 0 {
		lines := make([]string, len(v.signals))
		for i, s := range v.signals {
			lines[i] = signalLine(s)
		}
		blocks = append(blocks, section("", lines, v.moreSignals, signalsBudget))
	}
	blocks = append(blocks, plusOneBlocks(v)...)
	var history []slack.Block
	if len(v.activity) > 0 {
		lines := make([]string, len(v.activity))
		for i, a := range v.activity {
			lines[i] = fmt.Sprintf("*%s* · %s · %s", escape(a.date), escape(a.source), link(a.url, a.summary))
		}
		history = append(history, section("*Recent activity*", lines, 0, activityBudget))
	}
	if len(v.others) > 0 {
		lines := make([]string, len(v.others))
		for i, t := range v.others {
			lines[i] = "• " + link(t.url, t.subject) + escape(details(" · ", t.source, t.status, t.when))
		}
		history = append(history, section("*"+othersHeading(v)+"*", lines, v.moreOthers, othersBudget))
	}
	if len(v.prefs) > 0 {
		lines := make([]string, len(v.prefs))
		for i, p := range v.prefs {
			lines[i] = prefLine(p)
		}
		history = append(history, section("*Preferences*", lines, v.morePrefs, prefsBudget))
	}
	if len(v.notes) > 0 {
		lines := make([]string, len(v.notes))
		for i, n := range v.notes {
			lines[i] = noteLine(n)
		}
		history = append(history, section("*Notes*", lines, v.moreNotes, notesBudget))
	}
	if len(history) > 0 {
		blocks = append(blocks, slack.NewDividerBlock())
		blocks = append(blocks, history...)
	}
	if v.customerID > 0 {
		var work []slack.BlockElement
		if !v.lookup {
			work = TicketControls(c.Ticket.Source, c.Ticket.Key())
		}
		blocks = append(blocks, slack.NewActionBlock("", append(work, slack.NewButtonBlockElement(
			ActionAddNote, strconv.FormatInt(v.customerID, 10), plain("Add note / preference")))...))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(footerText(v))))
	payload := map[string]any{"customer_id": c.View.Customer.ID}
	if !v.lookup {
		payload["ticket"] = c.Ticket.Key()
	}
	return Message{Text: fallbackText(v), Blocks: blocks, Plain: renderText(v), Metadata: &slack.SlackMetadata{
		EventType: CardEventType, EventPayload: payload,
	}}
}

// headerText is "Jane Doe · Loyal"; a long name is cut, never the tier.
func headerText(v cardView) string {
	tier := " · " + v.tier
	return truncate(truncate(v.name, maxHeaderText-length(tier))+tier, maxHeaderText)
}

// fallbackText is the notification text: "Jane Doe (Loyal) — Where is my
// order?", or "Jane Doe (Loyal)" without a ticket.
func fallbackText(v cardView) string {
	if v.lookup {
		return customerTitle(v)
	}
	return escape(fmt.Sprintf("%s (%s) — %s", v.name, v.tier, v.ticket.subject))
}

// customerTitle is "Jane Doe (Loyal)", escaped.
func customerTitle(v cardView) string {
	return escape(fmt.Sprintf("%s (%s)", v.name, v.tier))
}

// ticketText is the card's current ticket, or for a looked-up customer how
// many tickets she has open.
func ticketText(v cardView) string {
	if v.lookup {
		return ":ticket: " + humanize(openTicketsText(v.openTickets))
	}
	t := v.ticket
	return ":ticket: *" + link(t.url, t.subject) + "*\n" + escape(details("", t.source, t.status, t.when))
}

// openTicketsText is "no open ticket", "1 open ticket", "3 open tickets".
func openTicketsText(n int) string {
	switch n {
	case 0:
		return "no open ticket"
	case 1:
		return "1 open ticket"
	}
	return fmt.Sprintf("%d open tickets", n)
}

// othersHeading names the list of open tickets: beside the card's own
// ticket they are the other ones.
func othersHeading(v cardView) string {
	if v.lookup {
		return "Open tickets"
	}
	return "Other open tickets"
}

func factFields(fs []fact) []*slack.TextBlockObject {
	fields := make([]*slack.TextBlockObject, 0, min(len(fs), maxSectionFields))
	for _, f := range fs[:min(len(fs), maxSectionFields)] {
		fields = append(fields, mrkdwn(truncateLine("*"+escape(f.label)+"*\n"+escape(f.value), maxFieldText)))
	}
	return fields
}

func signalLine(s signalItem) string {
	line := s.emoji + " *" + escape(s.title) + "*"
	if s.evidence != "" {
		line += " — " + escape(s.evidence)
	}
	if webURL(s.url) != "" {
		line += " · " + link(s.url, s.linkLabel)
	}
	return line
}

func prefLine(p prefItem) string {
	line := "• *" + escape(p.key) + ":* " + escape(p.value)
	switch {
	case p.agent != "":
		line += " _(via <@" + p.agent + ">)_"
	case p.origin != "":
		line += " _(" + escape(p.origin) + ")_"
	}
	return line
}

// noteLine is "• Prefers calls _— @Ben · Nov 20_", the date linking to the
// Slack message the note was saved from.
func noteLine(n noteItem) string {
	var by []string
	switch {
	case n.author != "":
		by = append(by, "<@"+n.author+">")
	case n.authorName != "":
		by = append(by, escape(n.authorName))
	}
	if n.date != "" {
		by = append(by, link(n.url, n.date))
	}
	line := "• " + escape(n.text)
	if len(by) > 0 {
		line += " _— " + strings.Join(by, " · ") + "_"
	}
	return line
}

// footerText shows the update time in each reader's own time zone, with the
// UTC time as the fallback for clients that cannot
// (https://docs.slack.dev/messaging/formatting-message-text#date-formatting).
func footerText(v cardView) string {
	s := "plusone"
	if v.key != "" {
		s += " · " + escape(v.key)
	}
	if !v.updated.IsZero() {
		s += " · " + slackDate(v.updated, "updated {date_short_pretty} at {time}", "updated "+utcLayout)
	}
	return s
}
