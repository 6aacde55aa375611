package view

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
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
	// ShortcutCreateTicket is the callback_id of the message shortcut
	// "Create ticket" (fixed by the contract): it opens CreateTicketModal.
	ShortcutCreateTicket = "create_ticket"

	// ActionAddNote is the card's "Add note / preference" button; its value
	// is the customer ID in decimal.
	ActionAddNote = "add_note"
	// ActionShowCustomer is the "Show" button of a list of matching
	// customers; its value is the customer ID in decimal.
	ActionShowCustomer = "show_customer"

	// ActionOfferGesture begins the action_id of a card's offer buttons:
	// each is ActionOfferGesture + ":" + the gesture's ID (OfferActionID),
	// so that ids are unique in a message and all start with the
	// contract's prefix. The button's value is EncodeOffer's; read the
	// action with IsOfferAction and the value with DecodeOffer.
	ActionOfferGesture = "offer_gesture"
	// ActionApproveGesture and ActionDeclineGesture are a supervisor's
	// buttons on an approval request (and on the App Home's pending
	// approvals); their value is the ledger request ID in decimal.
	ActionApproveGesture = "approve_gesture"
	ActionDeclineGesture = "decline_gesture"
	// ActionMarkSent is the "Mark sent" button of a to-do to send a
	// physical gesture; its value is the ledger request ID in decimal.
	ActionMarkSent = "mark_sent"
	// ActionEditPolicy is the supervisors' App Home button that opens
	// EditPolicyModal.
	ActionEditPolicy = "edit_policy"
	// ActionReplyTicket is the card's Reply button (it opens ReplyModal),
	// ActionAssignTicket its "Assign to me"; their value is the ticket key.
	// ActionTicketStatus is its status select, each option's value
	// EncodeStatus. The names are the contract's.
	ActionReplyTicket  = "reply_ticket"
	ActionAssignTicket = "assign_ticket"
	ActionTicketStatus = "ticket_status"
	// ActionFeedbackMessages is the agent's App Home button that turns the
	// messages about customers coming back after her gestures on or off;
	// its value is "on" or "off", what a click sets.
	ActionFeedbackMessages = "feedback_messages"

	// ViewNote is the callback_id of the note-or-preference modal; its
	// private_metadata is NoteMetadata.
	ViewNote = "note_modal"
	// ViewSaveNote is the callback_id of the modal that asks which customer
	// a shortcut's message is about; its private_metadata is
	// SaveNoteMetadata.
	ViewSaveNote = "save_note_modal"
	// ViewEditPolicy is the callback_id of EditPolicyModal; read its
	// submission with EditPolicyInput.
	ViewEditPolicy = "edit_policy_modal"
	// ViewReplyTicket is the callback_id of ReplyModal; its
	// private_metadata is ReplyMetadata.
	ViewReplyTicket = "reply_ticket_modal"
	// ViewCreateTicket is the callback_id of CreateTicketModal; its
	// private_metadata is CreateTicketMetadata.
	ViewCreateTicket = "create_ticket_modal"

	// Block and action ids of the modals' inputs: a submission's value is
	// view.State.Values[Block…][Action…].Value.
	BlockReplyKind  = "reply_kind"
	ActionReplyKind = "reply_kind_input"
	BlockReplyText  = "reply_text"
	// BlockReplyDraft is the reply's text box once a model's draft filled
	// it (WithReplyDraft): a new block id, so that Slack shows the draft
	// as the box's initial value; its action is ActionReplyText.
	BlockReplyDraft     = "reply_text_draft"
	ActionReplyText     = "reply_text_input"
	BlockNoteText       = "note_text"
	ActionNoteText      = "note_text_input"
	BlockPrefKey        = "pref_key"
	ActionPrefKey       = "pref_key_input"
	BlockPrefValue      = "pref_value"
	ActionPrefValue     = "pref_value_input"
	BlockCustomerEmail  = "customer_email"
	ActionCustomerEmail = "customer_email_input"
	// The create-ticket modal: the helpdesk (a static select whose option
	// values are sources), the customer's email (BlockCustomerEmail), the
	// subject and the description.
	BlockTicketDesk     = "ticket_desk"
	ActionTicketDesk    = "ticket_desk_input"
	BlockTicketSubject  = "ticket_subject"
	ActionTicketSubject = "ticket_subject_input"
	BlockTicketText     = "ticket_text"
	ActionTicketText    = "ticket_text_input"
	// The edit-policy modal: a static select whose option values are
	// override paths (plusone.Override), and the new value as text.
	BlockPolicySetting  = "policy_setting"
	ActionPolicySetting = "policy_setting_input"
	BlockPolicyValue    = "policy_value"
	ActionPolicyValue   = "policy_value_input"
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

// OfferValue is what a card's offer button carries to the handler of its
// click: whom the gesture is for, which gesture, and the card's ticket.
type OfferValue struct {
	CustomerID int64
	Gesture    string
	// TicketKey is the card's ticket ("zendesk:5158"); empty for a
	// customer looked up in Slack.
	TicketKey string
}

// EncodeOffer encodes o as a button value: "c=42;g=free_express_shipping;
// t=zendesk:5158", every byte outside printable ASCII and every '%', ';'
// and '=' percent-encoded, so that the value is ASCII and at most 2000
// characters (Slack's limit). A ticket key that would make it longer is
// left out; when the gesture ID alone is too long, EncodeOffer returns "".
func EncodeOffer(o OfferValue) string {
	s := "c=" + strconv.FormatInt(o.CustomerID, 10) + ";g=" + offerEscape(o.Gesture)
	if o.TicketKey != "" {
		if t := ";t=" + offerEscape(o.TicketKey); len(s)+len(t) <= maxButtonVal {
			s += t
		}
	}
	if len(s) > maxButtonVal {
		return ""
	}
	return s
}

// DecodeOffer reads what EncodeOffer wrote. It fails on a malformed value,
// a repeated field, and a value that names no customer or no gesture;
// fields it does not know are ignored, so that later versions may add some.
func DecodeOffer(s string) (OfferValue, error) {
	var o OfferValue
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ";") {
		k, raw, ok := strings.Cut(part, "=")
		if !ok {
			return OfferValue{}, fmt.Errorf("offer value: %q is not key=value", part)
		}
		if seen[k] {
			return OfferValue{}, fmt.Errorf("offer value: %q repeated", k)
		}
		seen[k] = true
		val, err := url.PathUnescape(raw)
		if err != nil {
			return OfferValue{}, fmt.Errorf("offer value: %s: %w", k, err)
		}
		switch k {
		case "c":
			id, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return OfferValue{}, fmt.Errorf("offer value: customer %q: %w", val, err)
			}
			o.CustomerID = id
		case "g":
			o.Gesture = val
		case "t":
			o.TicketKey = val
		}
	}
	switch {
	case o.CustomerID <= 0:
		return OfferValue{}, errors.New("offer value: no customer")
	case o.Gesture == "":
		return OfferValue{}, errors.New("offer value: no gesture")
	}
	return o, nil
}

// offerEscape percent-encodes every byte of s outside printable ASCII, and
// the separators '%', ';' and '='. url.PathUnescape undoes it.
func offerEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '%' || c == ';' || c == '=' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// OfferActionID is the action_id of the offer button of gesture:
// "offer_gesture:free_express_shipping".
func OfferActionID(gesture string) string { return ActionOfferGesture + ":" + gesture }

// IsOfferAction reports whether actionID is a card's offer button, and
// names the gesture its action_id carries ("" for a bare
// "offer_gesture"). The button's value (DecodeOffer) names it too, and is
// what a handler should trust.
func IsOfferAction(actionID string) (gesture string, ok bool) {
	if actionID == ActionOfferGesture {
		return "", true
	}
	if g, ok := strings.CutPrefix(actionID, ActionOfferGesture+":"); ok {
		return g, true
	}
	return "", false
}
