package bot

import (
	"context"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// Tickets is what the Slack app asks of the ticket worker's queue
// (tickets.Service implements it).
type Tickets interface {
	// Queue queues w to be sent to the helpdesk once, durably; key names
	// the Slack interaction, so that the same one twice is queued once.
	// An EINVALID error says, in words for the agent, what is wrong.
	Queue(ctx context.Context, key string, w plusone.TicketWork) error
	// Helpdesks are the helpdesks a ticket can be created at (those with
	// API credentials), in a stable order.
	Helpdesks() []plusone.Source
	// Customer is the email of the customer a Slack message is about, or
	// "": the customer of a Slack Connect channel shared with her (her
	// email, or the author's when the channel is her company's domain),
	// else that of the card the message is in the thread of. author is
	// the message's Slack user.
	Customer(ctx context.Context, channel, ts, threadTS, author string) string
}

// ReplyDrafts queues a reply draft for an open reply modal
// (wording.Service implements it).
type ReplyDrafts interface {
	QueueReplyDraft(ctx context.Context, j plusone.DraftReplyJob) error
}

// ticketAction answers the card's Reply, Assign to me and status select;
// false when act is none of them.
func (a *App) ticketAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) bool {
	switch act.ActionID {
	case view.ActionReplyTicket:
		a.openReply(ctx, cb, act.Value)
	case view.ActionAssignTicket:
		a.queueTicketWork(ctx, cb, plusone.TicketWork{Kind: plusone.TicketAssign, TicketKey: act.Value}, act.ActionTs)
	case view.ActionTicketStatus:
		key, status, ok := view.DecodeStatus(act.SelectedOption.Value)
		if !ok {
			a.Log.Warn("ticket_status with a bad value", "value", act.SelectedOption.Value)
			return true
		}
		a.queueTicketWork(ctx, cb, plusone.TicketWork{Kind: plusone.TicketSetStatus, TicketKey: key, Status: status}, act.ActionTs)
	default:
		return false
	}
	return true
}

// openReply opens the reply modal, with what the customer prefers and the
// latest notes on her above the text box. It opens at once, within Slack's
// trigger time; a model's draft, when one is configured, is queued after
// and fills the text box when it comes (views.update).
func (a *App) openReply(ctx context.Context, cb slack.InteractionCallback, ticketKey string) {
	source, _ := plusone.TicketWork{TicketKey: ticketKey}.Ticket()
	var (
		name       string
		customerID int64
		prefs      []plusone.Preference
		notes      []plusone.Note
	)
	// The trigger expires in seconds: read only what the modal shows.
	if id, n, ok, err := a.Memory.CardCustomer(ctx, cb.Channel.ID, cb.Message.Timestamp, cb.Message.ThreadTimestamp); err != nil {
		a.Log.Warn("reply modal: whose card", "err", err)
	} else if ok {
		name, customerID = n, id
		if card, err := a.Memory.Customer(ctx, cb.User.ID, id); err != nil {
			a.Log.Warn("reply modal: her memory", "customer", id, "err", err)
		} else {
			prefs, notes = card.View.Preferences, card.View.Notes
		}
	}
	m := view.ReplyModal(source, name, prefs, notes, view.ReplyMeta{Ticket: ticketKey, Channel: cb.Channel.ID})
	viewID, hash, err := a.API.OpenModal(ctx, cb.TriggerID, m)
	if err != nil {
		a.Log.Error("open reply modal", "err", err)
		return
	}
	if a.Drafts == nil || customerID == 0 {
		return
	}
	j := plusone.DraftReplyJob{ViewID: viewID, Hash: hash, Ticket: ticketKey, Channel: cb.Channel.ID, CustomerID: customerID}
	if err := a.Drafts.QueueReplyDraft(ctx, j); err != nil {
		a.Log.Warn("reply modal: queue a draft", "err", err)
	}
}

// submitReply queues the modal's reply or note; the modal closes once it
// is stored, and the helpdesk's answer shows on the card.
func (a *App) submitReply(ctx context.Context, cb slack.InteractionCallback) any {
	meta, err := view.ParseReplyMetadata(cb.View.PrivateMetadata)
	if err != nil {
		a.Log.Warn("reply modal", "err", err)
		return nil
	}
	kind := plusone.TicketReply
	if cb.View.State != nil && cb.View.State.Values[view.BlockReplyKind][view.ActionReplyKind].SelectedOption.Value == string(plusone.TicketNote) {
		kind = plusone.TicketNote
	}
	w := plusone.TicketWork{Kind: kind, TicketKey: meta.Ticket, Agent: cb.User.ID, Channel: meta.Channel,
		Text: inputValue(cb, view.BlockReplyText, view.ActionReplyText)}
	textBlock := view.BlockReplyText
	if cb.View.State != nil {
		if _, drafted := cb.View.State.Values[view.BlockReplyDraft]; drafted {
			// The modal was updated with a model's draft, edited by her.
			textBlock = view.BlockReplyDraft
			w.Text = inputValue(cb, textBlock, view.ActionReplyText)
		}
	}
	// The modal's id is the submission's: Slack's retry of it is the same.
	if err := a.Tickets.Queue(ctx, "view:"+cb.View.ID, w); err != nil {
		return a.modalFailure(textBlock, "reply modal", err)
	}
	return nil
}

// queueTicketWork queues an assignment or a status change; what cannot be
// queued is told to the agent alone.
func (a *App) queueTicketWork(ctx context.Context, cb slack.InteractionCallback, w plusone.TicketWork, actionTS string) {
	w.Agent, w.Channel = cb.User.ID, cb.Channel.ID
	err := a.Tickets.Queue(ctx, fmt.Sprintf("action:%s:%s:%s", cb.User.ID, w.TicketKey, actionTS), w)
	if err == nil {
		return
	}
	if err := a.API.Respond(ctx, cb.ResponseURL, a.failure("ticket "+string(w.Kind), err), false); err != nil {
		a.Log.Error("ticket work: tell the agent", "err", err)
	}
}

// createTicketShortcut opens the create-ticket modal on a message: the
// helpdesks plusone can create tickets at, her email when the channel or
// the card's thread tells it, the message's first line as the subject and
// its text as the description. Without a helpdesk the agent is told so.
func (a *App) createTicketShortcut(ctx context.Context, cb slack.InteractionCallback) {
	desks := a.Tickets.Helpdesks()
	if len(desks) == 0 {
		m := view.ErrorMessage("No helpdesk's API is configured in plusone, so it cannot create tickets; ask an admin to set one (see the README).")
		if err := a.API.Respond(ctx, cb.ResponseURL, m, false); err != nil {
			a.Log.Error("create_ticket answer", "err", err)
		}
		return
	}
	msg := cb.Message
	customer := a.Tickets.Customer(ctx, cb.Channel.ID, msg.Timestamp, msg.ThreadTimestamp, msg.User)
	m := view.CreateTicketModal(desks, customer, msg.Text, view.CreateTicketMeta{Channel: cb.Channel.ID})
	if err := a.API.OpenView(ctx, cb.TriggerID, m); err != nil {
		a.Log.Error("open create-ticket modal", "err", err)
	}
}

// submitCreateTicket queues the ticket the modal describes; what is wrong
// with it shows under its input, and the modal closes once it is stored.
// The helpdesk's answer, the ticket's link or why it failed, is told to
// the agent alone where she used the shortcut.
func (a *App) submitCreateTicket(ctx context.Context, cb slack.InteractionCallback) any {
	meta, err := view.ParseCreateTicketMetadata(cb.View.PrivateMetadata)
	if err != nil {
		a.Log.Warn("create-ticket modal", "err", err)
		return nil
	}
	desk := ""
	if cb.View.State != nil {
		desk = cb.View.State.Values[view.BlockTicketDesk][view.ActionTicketDesk].SelectedOption.Value
	}
	w := plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: desk, Agent: cb.User.ID, Channel: meta.Channel,
		Customer: inputValue(cb, view.BlockCustomerEmail, view.ActionCustomerEmail),
		Subject:  inputValue(cb, view.BlockTicketSubject, view.ActionTicketSubject),
		Text:     inputValue(cb, view.BlockTicketText, view.ActionTicketText)}
	switch {
	case !slices.Contains(a.Tickets.Helpdesks(), plusone.Source(desk)):
		return slack.NewErrorsViewSubmissionResponse(map[string]string{view.BlockTicketDesk: "Choose a helpdesk."})
	case plusone.NormalizeEmail(w.Customer) == "":
		return slack.NewErrorsViewSubmissionResponse(map[string]string{view.BlockCustomerEmail: "Give the customer's email address."})
	case w.Subject == "":
		return slack.NewErrorsViewSubmissionResponse(map[string]string{view.BlockTicketSubject: "Give the ticket a subject."})
	case w.Text == "":
		return slack.NewErrorsViewSubmissionResponse(map[string]string{view.BlockTicketText: "Describe what she needs."})
	}
	// The modal's id is the submission's: Slack's retry of it is the same.
	if err := a.Tickets.Queue(ctx, "view:"+cb.View.ID, w); err != nil {
		return a.modalFailure(view.BlockTicketDesk, "create-ticket modal", err)
	}
	return nil
}
