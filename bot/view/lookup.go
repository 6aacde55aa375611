package view

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// How much of a list of matching customers an answer shows.
const (
	maxChoices  = 10
	maxQuery    = 100
	maxChoiceID = 120 // name or email on a choice line
)

// LookupMessage is the ephemeral answer to "/plusone <email>": the
// customer's card as CardMessage renders it (without a ticket when
// c.Ticket.ID is empty, else with the ticket the caller chose, such as her
// most recent open one), with "Jane Doe (Loyal)" as its fallback text. The
// metadata is CardMessage's; an ephemeral answer may leave it out.
func LookupMessage(c plusone.ContextCard) Message {
	v := newCardView(c)
	m := cardMessage(v, c)
	m.Text = customerTitle(v)
	return m
}

// ChoiceMessage is the ephemeral answer to "/plusone <name>" when several
// customers match: at most 10 of them, each with her name, email, tier and
// orders and a "Show" button (ActionShowCustomer, value the customer ID).
// more (or more than 10 customers) adds a line asking for more of the name
// or an email. Emails are shown whatever the policy hides: the agent needs
// them to choose. Without customers it is NoMatchMessage.
func ChoiceMessage(query string, customers []plusone.Customer, more bool) Message {
	if len(customers) == 0 {
		return NoMatchMessage(query)
	}
	if len(customers) > maxChoices {
		customers, more = customers[:maxChoices], true
	}
	q := truncate(clean(query), maxQuery)
	intro := fmt.Sprintf("%d customers match “%s”:", len(customers), q)
	switch {
	case more:
		intro = fmt.Sprintf("Customers matching “%s”:", q)
	case len(customers) == 1:
		intro = fmt.Sprintf("1 customer matches “%s”:", q)
	}
	const moreText = "There are more matches — type more of the name, or an email."

	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(escape(intro)), nil, nil)}
	var b strings.Builder
	b.WriteString(intro + "\n")
	for _, c := range customers {
		name, email, facts := choiceItem(c)
		text := "*" + escape(name) + "*"
		plainLine := "  • " + name
		if email != "" {
			text += " · " + escape(email)
			plainLine += " · " + email
		}
		text += "\n" + escape(facts)
		plainLine += " · " + facts
		var accessory *slack.Accessory
		if c.ID > 0 {
			accessory = slack.NewAccessory(slack.NewButtonBlockElement(ActionShowCustomer, strconv.FormatInt(c.ID, 10), plain("Show")))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(text), nil, accessory))
		b.WriteString(plainLine + "\n")
	}
	if more {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(escape(moreText))))
		b.WriteString(moreText + "\n")
	}
	return Message{Text: escape(intro), Blocks: blocks, Plain: b.String()}
}

// choiceItem is one matching customer as raw text: her name (or email),
// her email when the name is not it, and "Loyal · 3 orders".
func choiceItem(c plusone.Customer) (name, email, facts string) {
	name = truncate(clean(c.Name), maxChoiceID)
	email = truncate(clean(c.Email), maxChoiceID)
	switch {
	case name == "" && email != "":
		name, email = email, ""
	case name == "":
		name = fmt.Sprintf("Customer #%d", c.ID)
	}
	return name, email, c.Profile.Tier.Title() + " · " + ordersText(c.Profile.Orders)
}

// NoMatchMessage is the ephemeral answer to a lookup that matches nobody.
func NoMatchMessage(query string) Message {
	q := truncate(clean(query), maxQuery)
	text := fmt.Sprintf("No customer matches “%s”.", q)
	if q == "" {
		text = "Whom should I look up?"
	}
	const tip = "Try her email, or the first letters of her name: `/plusone jane@example.com` or `/plusone Jane`."
	return Message{
		Text: escape(text),
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn(":mag: "+escape(text)), nil, nil),
			slack.NewContextBlock("", mrkdwn(tip)),
		},
		Plain: text + "\n" + strings.ReplaceAll(tip, "`", "") + "\n",
	}
}
