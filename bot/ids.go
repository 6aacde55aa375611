package bot

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The ids plusone's Slack surfaces use, shared by the views that set them,
// the handlers that read them and the app manifest that declares them.
const (
	// Command is the slash command: "/plusone <email or name>", "note",
	// "budget", "help".
	Command = "/plusone"
	// ShortcutSaveNote is the callback_id of the message shortcut "Save as
	// note" (fixed by the contract).
	ShortcutSaveNote = "save_note"

	// ActionAddNote is the card's "Add note / preference" button; its value
	// is the customer ID in decimal.
	ActionAddNote = "add_note"
	// ActionShowCustomer is the "Show" button of a list of matching
	// customers; its value is the customer ID in decimal.
	ActionShowCustomer = "show_customer"

	// ViewNote is the callback_id of the note-or-preference modal; its
	// private_metadata is NoteMetadata.
	ViewNote = "note_modal"
	// ViewSaveNote is the callback_id of the modal that asks which customer
	// a shortcut's message is about; its private_metadata is
	// SaveNoteMetadata.
	ViewSaveNote = "save_note_modal"

	// Block and action ids of the modals' inputs: a submission's value is
	// view.State.Values[Block…][Action…].Value.
	BlockNoteText       = "note_text"
	ActionNoteText      = "note_text_input"
	BlockPrefKey        = "pref_key"
	ActionPrefKey       = "pref_key_input"
	BlockPrefValue      = "pref_value"
	ActionPrefValue     = "pref_value_input"
	BlockCustomerEmail  = "customer_email"
	ActionCustomerEmail = "customer_email_input"
)

// maxPrivateMetadata is the longest private_metadata of a view: "Max length
// of 3000 characters." https://docs.slack.dev/reference/views/modal-views
const maxPrivateMetadata = 3000

// Longer values than these cannot be real Slack ids or permalinks; the
// metadata helpers drop them rather than let them crowd out the rest.
const (
	maxMetaID   = 100
	maxMetaLink = 1000
)

// NoteMeta is what the note-or-preference modal carries from the card (or
// command) that opened it to its submission.
type NoteMeta struct {
	CustomerID int64 `json:"customer_id"`
	// Channel and ThreadTS locate the card the modal was opened from, if
	// any, so that the handler can answer there.
	Channel  string `json:"channel,omitempty"`
	ThreadTS string `json:"thread_ts,omitempty"`
}

// NoteMetadata encodes m as a view's private_metadata: JSON of at most
// 3000 characters (an implausibly long channel or ts is left out).
func NoteMetadata(m NoteMeta) string {
	if length(m.Channel) > maxMetaID {
		m.Channel = ""
	}
	if length(m.ThreadTS) > maxMetaID {
		m.ThreadTS = ""
	}
	return encodeMeta(m)
}

// ParseNoteMetadata decodes what NoteMetadata encoded. It fails on
// anything else, and when no customer is named.
func ParseNoteMetadata(s string) (NoteMeta, error) {
	var m NoteMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return NoteMeta{}, fmt.Errorf("note modal metadata: %w", err)
	}
	if m.CustomerID <= 0 {
		return NoteMeta{}, errors.New("note modal metadata: no customer")
	}
	return m, nil
}

// SaveNoteMeta is what the save-note modal carries from the message
// shortcut to its submission: the message to save and where it was.
type SaveNoteMeta struct {
	Text string `json:"text"`
	// Link is the message's permalink, kept with the note.
	Link    string `json:"link,omitempty"`
	Channel string `json:"channel,omitempty"`
}

// SaveNoteMetadata encodes m as a view's private_metadata: JSON of at most
// 3000 characters. A long Text is cut (ending in "…") to fit; an
// implausibly long Link or Channel is left out.
func SaveNoteMetadata(m SaveNoteMeta) string {
	if length(encodeMeta(m.Link)) > maxMetaLink {
		m.Link = ""
	}
	if length(m.Channel) > maxMetaID {
		m.Channel = ""
	}
	s := encodeMeta(m)
	if length(s) <= maxPrivateMetadata {
		return s
	}
	// The longest cut of Text that fits, found by bisection: a character
	// takes 1 to 6 characters of JSON (\u0001), so no one ratio will do.
	// Text empty always fits: the rest is far below the limit.
	full := m.Text
	m.Text = ""
	best := encodeMeta(m)
	lo, hi := 0, min(length(full), maxPrivateMetadata)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		m.Text = truncate(full, mid)
		if enc := encodeMeta(m); length(enc) <= maxPrivateMetadata {
			lo, best = mid, enc
		} else {
			hi = mid - 1
		}
	}
	return best
}

// ParseSaveNoteMetadata decodes what SaveNoteMetadata encoded.
func ParseSaveNoteMetadata(s string) (SaveNoteMeta, error) {
	var m SaveNoteMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return SaveNoteMeta{}, fmt.Errorf("save-note modal metadata: %w", err)
	}
	return m, nil
}

// encodeMeta marshals metadata or a string, which cannot fail: they hold
// strings and integers only. <, > and & stay as they are (not \u003c):
// the metadata never meets HTML, and more of a message fits.
func encodeMeta(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("bot: encode view metadata: %v", err)) // unreachable: strings and integers only
	}
	return strings.TrimSuffix(b.String(), "\n")
}
