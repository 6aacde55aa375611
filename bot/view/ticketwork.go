package view

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// The most the reply modal shows of her preferences and notes, and the
// longest reply it takes.
const (
	maxReplyPrefs  = 5
	maxReplyNotes  = 3
	maxReplyInput  = 2900
	maxStatusValue = 150
)

// TicketControls are the card's controls for working its ticket at the
// helpdesk: Reply (ActionReplyTicket, value the ticket key), Assign to me
// (ActionAssignTicket, the same value) and a status select
// (ActionTicketStatus, each option's value EncodeStatus), or none for a
// source plusone cannot act on.
func TicketControls(source plusone.Source, ticketKey string) []slack.BlockElement {
	statuses := plusone.TicketStatuses(source)
	if len(statuses) == 0 || ticketKey == "" || len(ticketKey) > maxStatusValue-20 {
		return nil
	}
	opts := make([]*slack.OptionBlockObject, len(statuses))
	for i, s := range statuses {
		opts[i] = slack.NewOptionBlockObject(EncodeStatus(ticketKey, s), plain(s.Title()), nil)
	}
	return []slack.BlockElement{
		slack.NewButtonBlockElement(ActionReplyTicket, ticketKey, plain("Reply")),
		slack.NewButtonBlockElement(ActionAssignTicket, ticketKey, plain("Assign to me")),
		slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Set status"), ActionTicketStatus, opts...),
	}
}

// EncodeStatus is a status option's value: "<status> <ticket key>".
func EncodeStatus(ticketKey string, s plusone.TicketStatus) string {
	return string(s) + " " + ticketKey
}

// DecodeStatus reads EncodeStatus's value.
func DecodeStatus(v string) (ticketKey string, s plusone.TicketStatus, ok bool) {
	status, key, ok := strings.Cut(v, " ")
	return key, plusone.TicketStatus(status), ok && key != ""
}

// ReplyMeta is the private_metadata of the reply modal: the ticket and the
// card it was opened from.
type ReplyMeta struct {
	Ticket  string `json:"ticket"`
	Channel string `json:"channel,omitempty"`
}

// ReplyMetadata encodes m for private_metadata.
func ReplyMetadata(m ReplyMeta) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// ParseReplyMetadata reads ReplyMetadata's encoding.
func ParseReplyMetadata(s string) (ReplyMeta, error) {
	var m ReplyMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil || m.Ticket == "" {
		return m, fmt.Errorf("reply modal metadata %q: not a ticket", truncate(s, 80))
	}
	return m, nil
}

// ReplyModal is the modal of the card's Reply button (callback_id
// ViewReplyTicket): above the text box, what the customer prefers and the
// latest notes on her; then a choice of public reply or internal note
// (BlockReplyKind/ActionReplyKind, values "reply" and "note") and the text
// (BlockReplyText/ActionReplyText).
func ReplyModal(source plusone.Source, customerName string, prefs []plusone.Preference, notes []plusone.Note, meta ReplyMeta) slack.ModalViewRequest {
	var lines []string
	for i, p := range prefs {
		if i == maxReplyPrefs {
			break
		}
		lines = append(lines, escape(truncate(clean(p.Key), maxName))+": "+escape(truncate(clean(p.Value), maxName)))
	}
	about := "*" + escape(cmpName(customerName)) + "*"
	intro := about + " has told us no preferences."
	if len(lines) > 0 {
		intro = about + " prefers — " + strings.Join(lines, " · ")
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(intro), nil, nil)}
	if len(notes) > 0 {
		var ns []string
		for i, n := range notes {
			if i == maxReplyNotes {
				break
			}
			ns = append(ns, "• "+escape(truncate(clean(n.Text), 200)))
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*Latest notes*\n"+strings.Join(ns, "\n")), nil, nil))
	}
	reply := slack.NewOptionBlockObject(string(plusone.TicketReply), plain("Public reply (she receives it)"), nil)
	note := slack.NewOptionBlockObject(string(plusone.TicketNote), plain("Internal note (agents only)"), nil)
	kind := slack.NewRadioButtonsBlockElement(ActionReplyKind, reply, note)
	kind.InitialOption = reply
	text := slack.NewPlainTextInputBlockElement(plain("Hi Jane, …"), ActionReplyText)
	text.Multiline, text.MaxLength = true, maxReplyInput
	blocks = append(blocks,
		slack.NewInputBlock(BlockReplyKind, plain("Send as"), nil, kind),
		slack.NewInputBlock(BlockReplyText, plain("Text"), plain("Sent through "+source.Title()+" as you."), text))
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ViewReplyTicket,
		Title:           plain("Reply on " + truncate(source.Title(), 12)),
		Submit:          plain("Send"),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: ReplyMetadata(meta),
	}
}

// WithReplyDraft is the reply modal m with a model's draft in its text box
// (block BlockReplyDraft) and a line saying where it came from: the agent
// reads and edits it, and nothing is sent until she presses Send.
func WithReplyDraft(m slack.ModalViewRequest, draft string) slack.ModalViewRequest {
	draft = truncate(strings.TrimSpace(strings.ToValidUTF8(draft, "")), maxReplyInput)
	if draft == "" {
		return m
	}
	blocks := make([]slack.Block, 0, len(m.Blocks.BlockSet)+1)
	for _, b := range m.Blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok || in.BlockID != BlockReplyText {
			blocks = append(blocks, b)
			continue
		}
		text := slack.NewPlainTextInputBlockElement(plain("Hi Jane, …"), ActionReplyText)
		text.Multiline, text.MaxLength, text.InitialValue = true, maxReplyInput, draft
		blocks = append(blocks,
			slack.NewContextBlock("", mrkdwn(":pencil2: Drafted by AI from her memory and this ticket. Read and edit it; nothing is sent until you press Send.")),
			slack.NewInputBlock(BlockReplyDraft, in.Label, in.Hint, text))
	}
	m.Blocks = slack.Blocks{BlockSet: blocks}
	return m
}

func cmpName(name string) string {
	if n := truncate(clean(name), maxName); n != "" {
		return n
	}
	return "The customer"
}

// TicketWorkMessage says what was done to a ticket, in its card's thread:
// "Replied by Ana · 14:02"; or, failed (ok false), why, to the agent alone.
func TicketWorkMessage(text string, ok bool) Message {
	t := truncate(clean(text), maxResult)
	if ok {
		return Message{Text: escape(t), Blocks: []slack.Block{slack.NewContextBlock("", mrkdwn(":white_check_mark: "+escape(t)))}, Plain: t + "\n"}
	}
	return Message{Text: escape(t), Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(":warning: "+escape(t)), nil, nil)}, Plain: t + "\n"}
}
