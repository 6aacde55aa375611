package view

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// maxTicketInput is the longest description the create-ticket modal
// takes: Slack's plain-text input allows 3000 characters.
const maxTicketInput = 3000

// CreateTicketMeta is the private_metadata of the create-ticket modal:
// where the shortcut was used, so that the result is told there.
type CreateTicketMeta struct {
	Channel string `json:"channel,omitempty"`
}

// CreateTicketMetadata encodes m for private_metadata.
func CreateTicketMetadata(m CreateTicketMeta) string {
	if length(m.Channel) > maxMetaID {
		m.Channel = ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// ParseCreateTicketMetadata reads CreateTicketMetadata's encoding.
func ParseCreateTicketMetadata(s string) (CreateTicketMeta, error) {
	var m CreateTicketMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return m, fmt.Errorf("create-ticket modal metadata %q: %w", truncate(s, 80), err)
	}
	return m, nil
}

// CreateTicketModal is the modal of the create_ticket message shortcut
// (callback_id ViewCreateTicket): which helpdesk (desks, the first
// chosen), the customer's email (pre-filled with customer when known),
// the subject (pre-filled with the message's first line) and the
// description (the message's text), each an input the agent may change.
func CreateTicketModal(desks []plusone.Source, customer, message string, meta CreateTicketMeta) slack.ModalViewRequest {
	opts := make([]*slack.OptionBlockObject, len(desks))
	for i, d := range desks {
		opts[i] = slack.NewOptionBlockObject(string(d), plain(d.Title()), nil)
	}
	desk := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a helpdesk"), ActionTicketDesk, opts...)
	if len(opts) > 0 {
		desk.InitialOption = opts[0]
	}
	email := slack.NewEmailTextInputBlockElement(plain("jane@example.com"), ActionCustomerEmail)
	if c := plusone.NormalizeEmail(customer); c != "" {
		email.InitialValue = c
	}
	subject := slack.NewPlainTextInputBlockElement(plain("What is it about?"), ActionTicketSubject)
	subject.MaxLength, subject.InitialValue = plusone.MaxTicketSubject, ticketSubject(message)
	text := slack.NewPlainTextInputBlockElement(nil, ActionTicketText)
	text.Multiline, text.MaxLength, text.InitialValue = true, maxTicketInput, truncate(strings.TrimSpace(plainSlackText(message)), maxTicketInput)
	blocks := []slack.Block{
		slack.NewInputBlock(BlockTicketDesk, plain("Helpdesk"), nil, desk),
		slack.NewInputBlock(BlockCustomerEmail, plain("Customer's email"), plain("The ticket's requester: found at the helpdesk by her email, or added."), email),
		slack.NewInputBlock(BlockTicketSubject, plain("Subject"), nil, subject),
		slack.NewInputBlock(BlockTicketText, plain("Description"), plain("Her message: the ticket's first message."), text),
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ViewCreateTicket,
		Title:           plain("Create ticket"),
		Submit:          plain("Create"),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: CreateTicketMetadata(meta),
	}
}

// ticketSubject is a message's first non-empty line, cut to a subject's
// length on a word where it can be; Slack's mentions and links read as
// their text.
func ticketSubject(message string) string {
	for line := range strings.SplitSeq(message, "\n") {
		line = strings.Join(strings.Fields(clean(plainSlackText(line))), " ")
		if line == "" {
			continue
		}
		if utf8.RuneCountInString(line) <= plusone.MaxTicketSubject {
			return line
		}
		cut := string([]rune(line)[:plusone.MaxTicketSubject-1])
		if i := strings.LastIndex(cut, " "); i > plusone.MaxTicketSubject/2 {
			cut = cut[:i]
		}
		return cut + "…"
	}
	return ""
}

// plainSlackText is a Slack message's text as a helpdesk shows it: links
// and mentions (<url|label>, <mailto:a@b|a@b>, <@U1>) read as their label
// or bare target, and &amp;, &lt;, &gt; as the characters they escape.
func plainSlackText(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(slackMarkup(s))
}

// slackMarkup resolves Slack's <…> markup of links and mentions.
func slackMarkup(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		j := strings.IndexByte(s[max(i, 0):], '>')
		if i < 0 || j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		inner := s[i+1 : i+j]
		if _, label, ok := strings.Cut(inner, "|"); ok {
			inner = label
		} else {
			inner = strings.TrimPrefix(inner, "mailto:")
		}
		b.WriteString(inner)
		s = s[i+j+1:]
	}
}
