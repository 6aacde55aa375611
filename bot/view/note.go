package view

import (
	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// How much the note views show, and the longest inputs they take.
const (
	maxQuoted = 500 // a note or a message quoted back to the agent
	// Slack allows text inputs up to 3000 characters
	// (https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element);
	// a preference key longer than a card shows would be cut there.
	maxNoteInput      = 3000
	maxPrefKeyInput   = maxPrefKey
	maxPrefValueInput = 300
)

// NoteSavedMessage is the ephemeral confirmation that n was saved on the
// customer named customerName. An empty n.Text (a preference saved alone)
// confirms without quoting.
func NoteSavedMessage(customerName string, n plusone.Note) Message {
	name := truncate(clean(customerName), maxName)
	if name == "" {
		name = "the customer"
	}
	text := truncate(clean(n.Text), maxQuoted)
	head := "Saved for *" + escape(name) + "*."
	fallback := "Saved for " + name
	plainText := "Saved for " + name + ".\n"
	if text != "" {
		head = "Note saved on *" + escape(name) + "*:\n>" + escape(text)
		fallback = "Note saved on " + name
		plainText = "Note saved on " + name + ":\n  " + text + "\n"
	}
	foot := "Colleagues see it on her cards from now on; she never does."
	if u := webURL(n.Link); u != "" {
		foot += " · " + link(n.Link, "the message it came from")
		plainText += "From " + u + "\n"
	}
	return Message{
		Text: escape(fallback),
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn(":white_check_mark: "+head), nil, nil),
			slack.NewContextBlock("", mrkdwn(foot)),
		},
		Plain: plainText,
	}
}

// NoteModal is the modal of the card's "Add note / preference" button: an
// optional multiline note and an optional preference (key and value; the
// handler checks that both or neither are given). Its callback_id is
// ViewNote and its private_metadata NoteMetadata(meta); the inputs are
// BlockNoteText/ActionNoteText, BlockPrefKey/ActionPrefKey and
// BlockPrefValue/ActionPrefValue.
func NoteModal(customerName string, meta NoteMeta) slack.ModalViewRequest {
	name := truncate(clean(customerName), maxName)
	intro := "What should colleagues know about this customer?"
	if name != "" {
		intro = "What should colleagues know about *" + escape(name) + "*?"
	}
	intro += " Notes and preferences show on her cards; she never sees them."

	note := slack.NewPlainTextInputBlockElement(plain("She prefers a call back after 5pm…"), ActionNoteText)
	note.Multiline, note.MaxLength = true, maxNoteInput
	key := slack.NewPlainTextInputBlockElement(plain("contact, sizes, delivery…"), ActionPrefKey)
	key.MaxLength = maxPrefKeyInput
	value := slack.NewPlainTextInputBlockElement(plain("email, mornings"), ActionPrefValue)
	value.MaxLength = maxPrefValueInput

	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: ViewNote,
		Title:      plain("Note or preference"),
		Submit:     plain("Save"),
		Close:      plain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(mrkdwn(intro), nil, nil),
			slack.NewInputBlock(BlockNoteText, plain("Note"), nil, note).WithOptional(true),
			slack.NewInputBlock(BlockPrefKey, plain("Preference"), nil, key).WithOptional(true),
			slack.NewInputBlock(BlockPrefValue, plain("Value"), plain("Fill in both the preference and its value, or neither."),
				value).WithOptional(true),
		}},
		PrivateMetadata: NoteMetadata(meta),
	}
}

// SaveNoteModal is the modal of the "Save as note" shortcut outside a
// card's thread: it shows the message being saved (cut to a few lines) and
// asks for the customer's email (BlockCustomerEmail/ActionCustomerEmail).
// Its callback_id is ViewSaveNote and its private_metadata
// SaveNoteMetadata(meta), which carries the message's text in full (cut
// only past Slack's 3000 characters).
func SaveNoteModal(meta SaveNoteMeta) slack.ModalViewRequest {
	quoted := "_(this message has no text)_"
	if t := truncate(clean(meta.Text), maxQuoted); t != "" {
		quoted = ">" + escape(t)
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn("*Save this message as a note:*\n"+quoted), nil, nil)}
	if webURL(meta.Link) != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(link(meta.Link, "Open the message"))))
	}
	email := slack.NewEmailTextInputBlockElement(plain("jane@example.com"), ActionCustomerEmail)
	blocks = append(blocks, slack.NewInputBlock(BlockCustomerEmail, plain("Customer's email"),
		plain("The note goes on this customer's memory. Colleagues see it on her cards; she never does."), email))
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      ViewSaveNote,
		Title:           plain("Save as note"),
		Submit:          plain("Save note"),
		Close:           plain("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: SaveNoteMetadata(meta),
	}
}
