package view

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// suggestionItem is a gesture a card offers, with its button's ids.
type suggestionItem struct {
	title, reason   string
	value           string // "$15"; "" for a gesture of no value
	actionID, offer string // the button's action_id and value
}

// cardSuggestions are the gestures a card offers: the best maxOffers of
// c.Suggestions (as given when a model ordered them, else by Score, then
// as given), one per gesture, none paused.
// A suggestion whose gesture ID cannot make a button (empty, or too long
// for Slack's action_id or value) is left out, and so is every suggestion
// of a card without a customer ID: there is nobody to offer it to.
func cardSuggestions(c plusone.ContextCard, customerID int64, ticketKey string) []suggestionItem {
	if customerID <= 0 {
		return nil
	}
	sugs := slices.Clone(c.Suggestions)
	if !c.Worded {
		slices.SortStableFunc(sugs, func(a, b plusone.Suggestion) int { return cmp.Compare(b.Score, a.Score) })
	}
	var items []suggestionItem
	seen := map[string]bool{}
	for _, s := range sugs {
		g := s.Gesture
		actionID := OfferActionID(g.ID)
		if g.ID == "" || g.Paused || seen[g.ID] || length(actionID) > maxActionID {
			continue
		}
		offer := EncodeOffer(OfferValue{CustomerID: customerID, Gesture: g.ID, TicketKey: ticketKey})
		if offer == "" {
			continue
		}
		seen[g.ID] = true
		it := suggestionItem{
			title:    gestureTitle(g.Title, g.ID),
			reason:   truncate(clean(s.Reason), maxReason),
			actionID: actionID,
			offer:    offer,
		}
		if g.Value != 0 {
			it.value = g.Value.Format(currencyCode(c.Currency))
		}
		items = append(items, it)
		if len(items) == maxOffers {
			break
		}
	}
	return items
}

// plusOneBlocks are the card's Suggested "plus one" part: a section per
// suggestion (title · value, the reason in italics, and its "Offer · $15"
// button), then one context block of her recent gestures.
func plusOneBlocks(v cardView) []slack.Block {
	var blocks []slack.Block
	for i, s := range v.suggestions {
		text, label := "*"+escape(s.title)+"*", "Offer"
		if s.value != "" {
			text += " · " + escape(s.value)
			label += " · " + s.value
		}
		if i == 0 {
			text = "*Suggested “plus one”*\n" + text
		}
		if s.reason != "" {
			text += "\n_" + escape(s.reason) + "_"
		}
		button := slack.NewButtonBlockElement(s.actionID, s.offer, plain(truncate(label, maxButtonText))).
			WithStyle(slack.StylePrimary)
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(text), nil, slack.NewAccessory(button)))
	}
	if v.worded {
		line := ":sparkles: Order and reasons suggested by AI; the policy decides what can be offered."
		if v.note != "" {
			line += "\n*Note for her* (drafted by AI; edit freely): " + escape(v.note)
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncateLine(line, maxTextObject))))
	}
	if len(v.gestures) > 0 {
		lines := make([]string, len(v.gestures))
		for i, g := range v.gestures {
			lines[i] = mrkdwnRenderer.gestureLine(g, "", shortDate(g.at, v.updated))
		}
		if v.moreGestures > 0 {
			lines = append(lines, "_…and "+strconv.Itoa(v.moreGestures)+" more_")
		}
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncateLine(strings.Join(lines, "\n"), maxTextObject))))
	}
	return blocks
}

// plusOneText is the card's Suggested "plus one" part as plain text.
func plusOneText(b *strings.Builder, v cardView) {
	if len(v.suggestions) > 0 {
		b.WriteString("\nSuggested \"plus one\"\n")
		for _, s := range v.suggestions {
			line := "  + " + s.title
			if s.value != "" {
				line += " · " + s.value
			}
			if s.reason != "" {
				line += " — " + s.reason
			}
			b.WriteString(line + "\n")
		}
		if v.worded {
			b.WriteString("  (order and reasons suggested by AI; the policy decides)\n")
			if v.note != "" {
				b.WriteString("  Note for her (drafted by AI): " + v.note + "\n")
			}
		}
	}
	if len(v.gestures) > 0 {
		b.WriteString("\n\"Plus ones\" lately\n")
		for _, g := range v.gestures {
			b.WriteString("  " + textRenderer.gestureLine(g, "", shortDate(g.at, v.updated)) + "\n")
		}
		more(b, v.moreGestures)
	}
}
