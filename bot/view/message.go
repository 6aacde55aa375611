package view

import "github.com/slack-go/slack"

// Message is one Slack message: its notification fallback text and its
// Block Kit blocks, plus the same content as plain text for local mode.
type Message struct {
	// Text is the notification fallback, in Slack mrkdwn (already escaped).
	Text string
	// Blocks is the Block Kit layout Slack shows.
	Blocks []slack.Block
	// Plain is the message as readable plain text for a terminal. Slack
	// never sees it; the local Printer prints it instead of Text.
	Plain string
	// Metadata, when set, is attached to the message (Slack message
	// metadata), so that plusone can recognise its own cards.
	Metadata *slack.SlackMetadata
}

// CardEventType is the metadata event type of context cards; their payload
// holds "ticket" (the ticket key) and "customer_id".
const CardEventType = "plusone_card"

// ErrorMessage tells the agent what went wrong, in text that is shown as
// written.
func ErrorMessage(text string) Message {
	return Message{Text: text, Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(escape(text)), nil, nil)}}
}
