package view

import (
	"cmp"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// UnfurlBlocks is the compact summary of a customer that plusone attaches,
// with chat.unfurl, to a link of one of her tickets or orders: one section
// (name · tier; lifetime value, orders and open tickets; her most pressing
// signal) and the card's footer. It keeps out what the policy hides, like
// the card. Wrapped in a Message with any fallback text it passes Validate.
func UnfurlBlocks(c plusone.ContextCard) []slack.Block {
	v := newCardView(c)
	p := c.View.Customer.Profile
	text := "*" + escape(v.name) + "* · " + escape(v.tier) + "\n" +
		escape(details("", p.LifetimeValue.Format(cmp.Or(p.Currency, c.Currency))+" lifetime", ordersText(p.Orders),
			openTicketsText(v.openTickets)))
	if len(v.signals) > 0 {
		text += "\n" + signalLine(v.signals[0])
		if n := len(v.signals) - 1 + v.moreSignals; n > 0 {
			text += " _(+" + strconv.Itoa(n) + " more)_"
		}
	}
	return []slack.Block{
		slack.NewSectionBlock(mrkdwn(truncateLine(text, maxSectionText)), nil, nil),
		slack.NewContextBlock("", mrkdwn(footerText(v))),
	}
}

// ordersText is "no orders", "1 order", "3 orders".
func ordersText(n int) string {
	switch {
	case n <= 0:
		return "no orders"
	case n == 1:
		return "1 order"
	}
	return strconv.Itoa(n) + " orders"
}
