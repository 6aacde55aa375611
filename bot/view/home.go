package view

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// How much the App Home shows.
const (
	maxHomeRecent = 10
	maxHomeNotes  = 10
	maxHomeWhat   = 80
	// Section budgets: far below Slack's 3000 characters a section.
	homeListBudget = 2500
	// MaxHomeExtraBlocks is how many extra blocks HomeView takes at most
	// (fewer when a supervisor's gesture sections take room); the rest are
	// left out (and counted in a line), so the view stays within Slack's
	// 100 blocks.
	MaxHomeExtraBlocks = 80
	// homeTailBlocks is how many blocks follow the extra ones.
	homeTailBlocks = 7
)

// HomeView is an agent's App Home: a header; then what g holds of "plus
// one" gestures (nothing for the zero plusone.HomeGestures): her budgets and
// recent gestures and, when g.Supervisor, every team's spend, the pending
// approvals with Approve and Decline buttons, the latest changes to limits
// and budgets and an "Edit limits and budgets" button (ActionEditPolicy);
// then extra, the place for sections other features add, at most
// MaxHomeExtraBlocks of them (fewer when the gesture sections leave less
// room); then the customers she helped recently (at most 10), her latest
// notes (at most 10), what each signal means with the thresholds of
// h.Signals (the default rules when h.Signals is zero), and the tiers.
// The result always passes ValidateView.
func HomeView(h plusone.AgentHome, g plusone.HomeGestures, extra ...slack.Block) slack.HomeTabViewRequest {
	intro := "Your customers, your notes, and what plusone watches for."
	if isSlackUserID(h.Agent) {
		intro = "Hi <@" + h.Agent + ">! " + intro
	}
	if !h.Now.IsZero() {
		intro += " · " + slackDate(h.Now, "updated {date_short_pretty} at {time}", "updated "+utcLayout)
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain("plusone")),
		slack.NewContextBlock("", mrkdwn(intro)),
	}
	blocks = append(blocks, homeGestureBlocks(g)...)

	// The extension point: sections of other features, right under the
	// header, in the room the rest leaves (and a line counting what did
	// not fit).
	room := min(MaxHomeExtraBlocks, maxViewBlocks-len(blocks)-homeTailBlocks-1)
	if len(extra) > room {
		left := len(extra) - room
		extra = append(extra[:room:room],
			slack.NewContextBlock("", mrkdwn(fmt.Sprintf("_…and %d more not shown_", left))))
	}
	blocks = append(blocks, extra...)

	// homeTailBlocks blocks follow.
	blocks = append(blocks, slack.NewDividerBlock(),
		section("*Customers you helped recently*", recentLines(h), max(0, len(h.Recent)-maxHomeRecent), homeListBudget),
		slack.NewDividerBlock(),
		section("*Your latest notes*", homeNoteLines(h), max(0, len(h.Notes)-maxHomeNotes), homeListBudget),
		slack.NewDividerBlock(),
		section("*What the signals mean*", signalRuleLines(h.Signals), 0, homeListBudget),
		slack.NewContextBlock("", mrkdwn("*Tiers:* New (no order yet) → Satisfied (has ordered) → Loyal → Advocate. "+
			"Your team's policy sets where Loyal and Advocate begin. `"+Command+" help` explains the rest.")),
	)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// recentLines are "• *Jane Doe* · Loyal — looked her up · today".
func recentLines(h plusone.AgentHome) []string {
	if len(h.Recent) == 0 {
		return []string{"_Nobody yet. Look a customer up with `" + Command + " jane@example.com`._"}
	}
	var lines []string
	for _, r := range h.Recent[:min(len(h.Recent), maxHomeRecent)] {
		name, _, _ := choiceItem(r.Customer)
		line := "• *" + escape(name) + "* · " + r.Customer.Profile.Tier.Title()
		if what := truncate(clean(r.What), maxHomeWhat); what != "" {
			line += " — " + escape(what)
		}
		if !r.At.IsZero() {
			line += " · " + slackDate(r.At, "{date_short_pretty}", "Jan 2, 2006")
		}
		lines = append(lines, line)
	}
	return lines
}

// homeNoteLines are the agent's notes: "• Prefers calls _— today_". Notes
// do not name their customer, and the agent wrote them all.
func homeNoteLines(h plusone.AgentHome) []string {
	if len(h.Notes) == 0 {
		return []string{"_No notes yet. Use the *Add note / preference* button on a card, `" + Command +
			" note <email> <text>`, or *Save as note* on any message._"}
	}
	var lines []string
	for _, n := range h.Notes[:min(len(h.Notes), maxHomeNotes)] {
		it := newNoteItem(n, h.Now)
		line := "• " + escape(it.text)
		if it.date != "" {
			date := slackDate(n.CreatedAt, "{date_short_pretty}", "Jan 2, 2006")
			if webURL(it.url) != "" {
				date = link(it.url, it.date)
			}
			line += " _— " + date + "_"
		}
		lines = append(lines, line)
	}
	return lines
}

// signalRuleLines explain each signal, in the order cards show them, with
// the thresholds of rules in words.
func signalRuleLines(rules plusone.SignalRules) []string {
	if rules == (plusone.SignalRules{}) {
		rules = plusone.DefaultSignalRules()
	}
	var lines []string
	for _, k := range plusone.SignalKinds() {
		emoji, title, _ := signalStyle(k)
		lines = append(lines, emoji+" *"+title+"* — "+escape(signalRuleText(k, rules)))
	}
	return lines
}

// signalRuleText says when a signal lights up: "a checkout left open for
// 1 hour or more, not followed by an order".
func signalRuleText(k plusone.SignalKind, r plusone.SignalRules) string {
	const off = "off (no threshold set)"
	switch k {
	case plusone.SignalAbandonedCart:
		if r.AbandonedCartAfter <= 0 {
			return "a checkout left open, not followed by an order"
		}
		return "a checkout left open for " + plusone.Duration(r.AbandonedCartAfter) + " or more, not followed by an order"
	case plusone.SignalDelayedOrder:
		if r.DelayedOrderAfter <= 0 {
			return off
		}
		return "not fulfilled " + plusone.Duration(r.DelayedOrderAfter) + " after the order"
	case plusone.SignalLongWait:
		if r.LongWaitAfter <= 0 {
			return off
		}
		return "waiting " + plusone.Duration(r.LongWaitAfter) + " or more for a reply"
	case plusone.SignalRepeatContact:
		if r.RepeatContactCount <= 1 {
			return off
		}
		return fmt.Sprintf("%d tickets within %s", r.RepeatContactCount, plusone.Duration(r.RepeatContactWindow))
	case plusone.SignalLowCSAT:
		return fmt.Sprintf("her latest rating is CSAT %d/5 or NPS %d/10 or lower", r.LowCSATMax, r.LowNPSMax)
	case plusone.SignalBigSpender:
		if r.BigSpenderMin <= 0 {
			return off
		}
		// AgentHome carries no currency: amounts are the policy's, shown
		// as dollars.
		return r.BigSpenderMin.Format("") + " or more in lifetime value"
	case plusone.SignalFirstContact:
		return "her first ticket, and no orders yet"
	}
	return humanize(string(k))
}

// utcLayout is a time in UTC to the minute, as shown where Slack cannot
// show it in the reader's own time zone: "Jan 2, 2006 15:04 UTC".
const utcLayout = "Jan 2, 2006 15:04 UTC"

// slackDate renders t with a Slack date token, so that each reader sees it
// in her own time zone (and "today", "yesterday" stay true), with the UTC
// date in layout as the fallback
// (https://docs.slack.dev/messaging/formatting-message-text#date-formatting).
func slackDate(t time.Time, token, layout string) string {
	u := t.UTC()
	return fmt.Sprintf("<!date^%d^%s|%s>", u.Unix(), token, strings.TrimSpace(u.Format(layout)))
}
