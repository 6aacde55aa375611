package view

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// RefusalMessage is the ephemeral answer to an offer the policy refused
// (d.Status refused), shown only to the agent who clicked: why (d.Reason),
// and what would make it possible — each of d.Blocking, or, for refusals
// that no limit explains (cooldown, eligibility), the reason alone. title
// names the gesture.
func RefusalMessage(d plusone.Decision, title string) Message {
	t := gestureTitle(title, "")
	reason := cmp.Or(truncate(clean(d.Reason), maxReason), "the policy does not allow it")
	blocking := cleanLines(d.Blocking, maxReason)

	head := ":no_entry_sign: You can't offer *" + escape(t) + "* right now.\n*Why:* " + escape(reason)
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}
	var b strings.Builder
	fmt.Fprintf(&b, "You can't offer %s right now.\nWhy: %s\n", t, reason)
	if len(blocking) > 0 {
		block, text := reasonsBlock("What stands in the way", "What stands in the way:", blocking)
		blocks = append(blocks, block)
		b.WriteString(text)
	}
	const tip = "Supervisors set the limits and budgets; ask one if you think it should be possible."
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(tip)))
	b.WriteString(tip + "\n")
	return Message{Text: escape(fmt.Sprintf("Can't offer %s: %s", t, reason)), Blocks: blocks, Plain: b.String()}
}

// reasonsBlock is a section of heading (bold) and lines as italic
// bullets, at most maxBlocking of them, and the same as plain text under
// plainHeading, each line ending in a newline. lines are raw text.
func reasonsBlock(heading, plainHeading string, lines []string) (slack.Block, string) {
	esc := make([]string, len(lines))
	for i, s := range lines {
		esc[i] = escape(s)
	}
	block := slack.NewSectionBlock(mrkdwn(truncateLine(
		"*"+heading+"*\n"+bullets(esc, maxBlocking, true), maxSectionText)), nil, nil)
	return block, plainHeading + "\n" + bullets(lines, maxBlocking, false) + "\n"
}

// OfferResultMessage is the ephemeral confirmation to the agent who
// offered e (the request's first entry) to the customer named
// customerName: granted, or sent for approval with the reason it needs one
// (e.Reason: put the blocking reasons there). Any other status is
// reported as it is.
func OfferResultMessage(e plusone.LedgerEntry, customerName string) Message {
	it := newGestureItem(e, "")
	name := customerLabel(customerName, e.CustomerID)
	m, p := mrkdwnRenderer, textRenderer
	var head, plainHead, foot, fallback string
	switch e.Status {
	case plusone.StatusGranted, plusone.StatusApproved:
		head = ":white_check_mark: Granted: " + m.bold(m.subject(it)) + " for " + m.bold(escape(name)) + "."
		plainHead = "Granted: " + p.subject(it) + " for " + name + "."
		fallback = "Granted: " + p.subject(it) + " for " + name
		foot = "It counts against your budgets. Let her know!"
	case plusone.StatusPendingApproval:
		head = ":hourglass_flowing_sand: " + m.bold(m.subject(it)) + " for " + m.bold(escape(name)) +
			" needs a supervisor's approval; the request is on its way."
		plainHead = p.subject(it) + " for " + name + " needs a supervisor's approval; the request is on its way."
		fallback = "Sent for approval: " + p.subject(it) + " for " + name
		foot = "You will hear back in the card's thread."
	default:
		head = m.emoji(e.Status) + " " + m.bold(m.subject(it)) + " for " + m.bold(escape(name)) + ": " + m.outcome(it) + "."
		plainHead = p.subject(it) + " for " + name + ": " + p.outcome(it) + "."
		fallback = plainHead
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}
	plainText := plainHead + "\n"
	if it.reason != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*Why:* "+escape(it.reason)), nil, nil))
		plainText += "Why: " + it.reason + "\n"
	}
	if foot != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(foot)))
		plainText += foot + "\n"
	}
	return Message{Text: escape(fallback), Blocks: blocks, Plain: plainText}
}

// ThreadOutcomeMessage tells the agent, in the card's thread, what became
// of her request: "<@U0ANA> your request for Free express shipping ($15)
// was approved by <@U0SUP>", declined (with the supervisor's reason, if
// any) or expired. title, when not empty, names the gesture instead of
// outcome.Title. The fallback text mentions the agent, so she is notified.
func ThreadOutcomeMessage(outcome plusone.LedgerEntry, title string) Message {
	it := newGestureItem(outcome, "")
	if t := truncate(clean(title), maxGestureTitle); t != "" {
		it.title = t
	}
	say := func(r renderer) string {
		s := "Your request for "
		if !it.agent.empty() {
			s = r.who(it.agent) + " your request for "
		}
		s += r.subject(it)
		switch outcome.Status {
		case plusone.StatusApproved:
			return s + " was " + r.by("approved", it.by) + ". It is granted: go ahead."
		case plusone.StatusDeclined:
			return s + " was " + r.by("declined", it.by) + "."
		case plusone.StatusExpired:
			return s + " expired: no supervisor decided in time."
		case plusone.StatusGranted:
			return s + " was granted."
		case plusone.StatusFulfilled:
			return s + " was " + r.by("sent", it.by) + "."
		case plusone.StatusCancelled:
			return s + " was " + r.by("cancelled", it.by) + "."
		}
		return s + ": " + r.outcome(it) + "."
	}
	text := say(mrkdwnRenderer)
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(mrkdwnRenderer.emoji(outcome.Status)+" "+text), nil, nil)}
	plainText := say(textRenderer) + "\n"
	if it.reason != "" && outcome.Status != plusone.StatusApproved {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("“"+escape(it.reason)+"”")))
		plainText += "“" + it.reason + "”\n"
	}
	return Message{Text: text, Blocks: blocks, Plain: plainText}
}

// WritebackResultMessage is the note in the card's thread on writing e
// back to target (a vendor: "Zendesk", "Shopify"). result is what
// happened, in words following the target's name ("internal note added",
// "discount code PLUS1-AB12CD created"), or, when !ok, what went wrong.
func WritebackResultMessage(e plusone.LedgerEntry, target, result string, ok bool) Message {
	it := newGestureItem(e, "")
	t := cmp.Or(truncate(clean(target), maxTarget), "the helpdesk")
	res := truncate(clean(result), maxResult)
	if ok && res == "" {
		res = "updated"
	}
	if ok && clean(target) == "" {
		t = "The helpdesk"
	}
	var head, foot string
	if ok {
		head = strings.TrimSpace(t + " " + res)
		foot = textRenderer.subject(it)
	} else {
		head = "Could not write back to " + t
		if res != "" {
			head += ": " + res
		}
		foot = textRenderer.subject(it) + " is recorded in plusone; add it in " + t + " by hand."
	}
	emoji := ":white_check_mark: "
	if !ok {
		emoji = ":warning: "
	}
	return Message{
		Text: escape(head),
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn(emoji+escape(head)), nil, nil),
			slack.NewContextBlock("", mrkdwn(escape(foot))),
		},
		Plain: head + "\n" + foot + "\n",
	}
}
