package view

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// HelpMessage is the ephemeral answer to "/plusone help" (and to a command
// plusone does not understand): every command, the "Save as note" message
// shortcut, the card's button, the App Home, and what tiers and signals
// mean, briefly.
func HelpMessage() Message {
	var signals []string
	for _, k := range plusone.SignalKinds() {
		_, title, _ := signalStyle(k)
		signals = append(signals, title)
	}
	sections := []string{
		"plusone remembers every customer across your helpdesk, shop and chat, and shows what matters on a card in Slack. " +
			"Here is what you can do.",
		"*Look a customer up*\n" +
			"`" + Command + " jane@example.com` — her card, just for you: tier, lifetime value, orders, signals, " +
			"recent activity, preferences and notes.\n" +
			"`" + Command + " Jane` — the customers whose name starts with “Jane”; pick one with *Show*.",
		"*Write things down*\n" +
			"`" + Command + " note jane@example.com Prefers calls after 5pm` — adds a note to her memory.\n" +
			"*Save as note* — on any message, open its ⋯ menu and choose *Save as note*. " +
			"In the thread of a card plusone knows the customer; anywhere else it asks for her email.\n" +
			"*Add note / preference* — the button on every card. A preference (such as “contact: email, mornings”) " +
			"stays on her card.\n" +
			"Notes are for colleagues: they show on her cards, never to her.",
		"*Budgets*\n" +
			"`" + Command + " budget` — what you can still give customers in gestures, and what your team can.\n" +
			"`" + Command + " digest` — for supervisors: spend, approvals, why customers contacted you and what gestures did.",
		"*Privacy* (supervisors)\n" +
			"`" + Command + " erase jane@example.com` — erases everything plusone stores about her, after you confirm; " +
			"her gestures stay in the ledger, anonymised.",
		"*Your App Home*\n" +
			"Open plusone under *Apps* to see the customers you helped lately, your latest notes, and what each signal means.",
		"*Tiers*\n" +
			"New (no order yet) → Satisfied (has ordered) → Loyal → Advocate (orders often, spends most, rates us highly). " +
			"Your team's policy sets where Loyal and Advocate begin.",
		"*Signals* — what customers don't say out loud\n" +
			strings.Join(signals, " · ") + ". Your App Home shows when each one lights up.",
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain("plusone — how it works"))}
	var b strings.Builder
	b.WriteString("plusone — how it works\n\n")
	for _, s := range sections {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(s), nil, nil))
		b.WriteString(plainMrkdwn(s) + "\n\n")
	}
	const again = "`" + Command + " help` shows this again."
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(again)))
	b.WriteString(plainMrkdwn(again) + "\n")
	return Message{Text: "plusone help: look customers up, take notes, check budgets", Blocks: blocks, Plain: b.String()}
}

// plainMrkdwn turns the mrkdwn plusone writes itself (bold, code, escaped
// text; no links) into plain text.
func plainMrkdwn(s string) string {
	return mrkdwnUnescaper.Replace(mrkdwnStripper.Replace(s))
}

// mrkdwnStripper removes the bold and code marks of plusone's own mrkdwn;
// immutable, like the other replacers.
var mrkdwnStripper = strings.NewReplacer("*", "", "`", "")
