package view

import (
	"net/url"

	"github.com/slack-go/slack"
)

// ActionEraseCustomer is the button of EraseConfirmMessage that erases a
// customer after Slack's confirmation dialog; its value is her email.
const ActionEraseCustomer = "erase_customer"

// EraseConfirmMessage asks a supervisor, privately, to confirm the erasure
// of the customer with email: a red "Erase…" button whose Slack
// confirmation dialog says what goes and what stays.
func EraseConfirmMessage(email string) Message {
	what := "Everything plusone stores about " + email + " goes: her identities, timeline, notes, preferences " +
		"and card texts (her cards in Slack will say she was erased). The ledger keeps her gestures, anonymised. " +
		"This cannot be undone."
	btn := slack.NewButtonBlockElement(ActionEraseCustomer, email, plain("Erase…"))
	btn.Style = slack.StyleDanger
	btn.Confirm = slack.NewConfirmationBlockObject(plain("Erase this customer?"), plain(truncate(what, 300)),
		plain("Erase"), plain("Cancel"))
	btn.Confirm.WithStyle(slack.StyleDanger)
	text := "Erase *" + escape(email) + "*? " + escape(what)
	return Message{
		Text:   "Erase " + escape(email) + "?",
		Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil), slack.NewActionBlock("", btn)},
		Plain:  "Erase " + email + "? " + what + "\n",
	}
}

// ErasedMessage tells the supervisor that the customer with email was
// erased.
func ErasedMessage(email string) Message {
	text := "Erased " + email + ". Her cards in Slack will say so in a moment; her gestures stay in the ledger, anonymised."
	return Message{Text: escape(text), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(escape(text)), nil, nil)},
		Plain: text + "\n"}
}

// DataRequestMessage tells the supervisors that a source (Shopify) asked
// for what plusone stores about a customer: the request's id and shop,
// her email and id there, and how to fetch the export. Nothing else of
// hers is in it.
func DataRequestMessage(source, shop, ref, email, externalID string) Message {
	who := email
	if who == "" {
		who = "the customer with " + source + " id " + externalID
	}
	from := sourceLabel(source)
	if shop != "" {
		from += " (" + shop + ")"
	}
	fetch := "GET /api/v1/customers/export?email=" + url.QueryEscape(email)
	if email == "" {
		fetch = "look her up by her " + source + " id; the export API takes an email"
	}
	text := from + " asks for the data plusone stores about " + who + " (request " + ref + "). " +
		"Fetch it with " + fetch + " (with the API token) and send it to the merchant."
	return Message{
		Text: escape(from + " data request " + ref),
		Blocks: []slack.Block{
			slack.NewHeaderBlock(plain(truncate("Data request from "+from, 150))),
			slack.NewSectionBlock(mrkdwn(escape(truncate(text, 2900))), nil, nil),
		},
		Plain: text + "\n",
	}
}

// sourceLabel is a source's name as people write it.
func sourceLabel(source string) string {
	if source == "" {
		return "A source"
	}
	return humanize(source)
}
