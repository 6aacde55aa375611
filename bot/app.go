package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// Memory is what the Slack app asks of plusone's customer memory
// (memory.Service implements it).
type Memory interface {
	// Lookup finds customers by email or name prefix.
	Lookup(ctx context.Context, agent, query string) (card *plusone.ContextCard, choices []plusone.Customer, more bool, err error)
	// Customer is one customer's card as an agent looks her up.
	Customer(ctx context.Context, agent string, id int64) (*plusone.ContextCard, error)
	// CustomerName is how a customer is called, read alone.
	CustomerName(ctx context.Context, id int64) (string, error)
	// CardCustomer tells which customer a card, or a message in its thread,
	// is about.
	CardCustomer(ctx context.Context, channel, ts, threadTS string) (id int64, name string, ok bool, err error)
	AddNote(ctx context.Context, n plusone.Note) (customerName string, err error)
	AddNoteByEmail(ctx context.Context, email string, n plusone.Note) (customerName string, err error)
	SetPreference(ctx context.Context, agent string, customerID int64, key, value string) error
	Home(ctx context.Context, agent string) (plusone.AgentHome, error)
	// ByLink is the card of the customer a vendor URL belongs to.
	ByLink(ctx context.Context, link string) (*plusone.ContextCard, bool, error)
	// MayErase is nil when actor may erase customers (a supervisor), an
	// EUNAUTHORIZED error otherwise.
	MayErase(actor string) error
	// EraseAsSupervisor erases the customer with email (ENOTFOUND when
	// nobody has it, EUNAUTHORIZED for anyone but a supervisor).
	EraseAsSupervisor(ctx context.Context, actor, email string) error
}

// SlackAPI is the Slack Web API the app calls besides answering requests
// (Client implements it).
type SlackAPI interface {
	OpenView(ctx context.Context, triggerID string, view slack.ModalViewRequest) error
	// OpenModal is OpenView that returns the view's id and hash.
	OpenModal(ctx context.Context, triggerID string, view slack.ModalViewRequest) (id, hash string, err error)
	PublishHome(ctx context.Context, userID string, view slack.HomeTabViewRequest) error
	Unfurl(ctx context.Context, channel, ts string, unfurls map[string]slack.Attachment) error
	// Respond posts to an interaction's response_url.
	Respond(ctx context.Context, responseURL string, m view.Message, replaceOriginal bool) error
}

// App answers Slack: the /plusone command, the card's buttons, the
// save_note and create_ticket shortcuts, modals, App Home and link unfurls. It is the same
// over HTTP (HTTPHandlers) and Socket Mode (RunSocket).
type App struct {
	Memory Memory
	API    SlackAPI
	Log    *slog.Logger
	// Chat stores Slack messages that arrive over Socket Mode (over HTTP
	// they reach /slack/events).
	Chat Chat
	// Gestures runs "plus one" gestures; nil leaves their buttons
	// unanswered.
	Gestures Gestures
	// Tickets queues work on tickets from their cards (reply, assign,
	// status); nil leaves those controls unanswered.
	Tickets Tickets
	// Drafts queues a model's reply draft for a reply modal once it is
	// open (wording.Service); nil drafts none.
	Drafts ReplyDrafts
	// Digests answers `/plusone digest`, Feedback keeps the agents'
	// feedback switch in App Home; nil turns them away.
	Digests  Digests
	Feedback FeedbackSwitch
	// Answer bounds how long a request may take before the app answers
	// Slack at once and sends the result to the response URL later; Slack
	// gives 3 seconds in all.
	Answer time.Duration

	// work is what the app does after answering; Close waits for it.
	work work
}

// Close stops the app taking new work and waits until the work it does
// after answering Slack (clicks, late answers, App Home) is done, or ctx
// ends: then that work's contexts are cancelled and Close returns at once
// with an error. Call it after the HTTP server and RunSocket have
// returned, and before the store closes.
func (a *App) Close(ctx context.Context) error {
	return a.work.close(ctx)
}

// later does fn after the answer to Slack, in a goroutine the app owns
// (see Close); what names it in the log when the app is closing and
// refuses it.
func (a *App) later(ctx context.Context, what string, fn func(ctx context.Context)) bool {
	if a.work.start(ctx, a.recovering(what, fn)) {
		return true
	}
	a.Log.Warn("slack app shutting down; not started", "work", what)
	return false
}

// recovering is fn with a panic caught and logged: work after the answer
// runs outside net/http's own recovery, and one bad click must not end
// the process with every other replica's view of it.
func (a *App) recovering(what string, fn func(ctx context.Context)) func(ctx context.Context) {
	return func(ctx context.Context) {
		defer func() {
			if v := recover(); v != nil {
				a.Log.Error("slack app: panic in work after the answer", "work", what, "panic", fmt.Sprint(v),
					"stack", string(debug.Stack()))
			}
		}()
		fn(ctx)
	}
}

func (a *App) answerWithin() time.Duration {
	if a.Answer > 0 {
		return a.Answer
	}
	return 2 * time.Second
}

// CommandResponse is the immediate answer to a slash command.
type CommandResponse = slack.WebhookMessage

func ephemeral(m view.Message) *CommandResponse {
	return &CommandResponse{Text: m.Text, Blocks: &slack.Blocks{BlockSet: m.Blocks}, ResponseType: slack.ResponseTypeEphemeral}
}

// Command answers /plusone, and any other command with an error. Whatever
// takes longer than Answer is sent to the command's response URL when
// done, and "One moment…" is answered now.
func (a *App) Command(ctx context.Context, cmd slack.SlashCommand) *CommandResponse {
	if cmd.Command != view.Command {
		return ephemeral(view.ErrorMessage("plusone does not know " + cmd.Command + "."))
	}
	// The work answers here if it is done in time, else itself to the
	// response URL: answered is unbuffered, so exactly one of the two
	// happens.
	answered := make(chan view.Message)
	gaveUp := make(chan struct{})
	started := a.later(ctx, "command", func(ctx context.Context) {
		m := a.command(ctx, cmd)
		select {
		case answered <- m:
			return
		case <-gaveUp:
		}
		if err := a.API.Respond(ctx, cmd.ResponseURL, m, false); err != nil {
			a.Log.Error("late answer to /plusone", "err", err)
		}
	})
	if !started {
		return ephemeral(view.ErrorMessage("plusone is restarting; please try again in a moment."))
	}
	timer := time.NewTimer(a.answerWithin())
	defer timer.Stop()
	select {
	case m := <-answered:
		return ephemeral(m)
	case <-timer.C:
		close(gaveUp)
		return ephemeral(view.Message{Text: "One moment…"})
	}
}

func (a *App) command(ctx context.Context, cmd slack.SlashCommand) view.Message {
	text := strings.TrimSpace(cmd.Text)
	verb, rest, _ := strings.Cut(text, " ")
	switch strings.ToLower(verb) {
	case "", "help":
		return view.HelpMessage()
	case "note":
		email, note, _ := strings.Cut(strings.TrimSpace(rest), " ")
		if email == "" || strings.TrimSpace(note) == "" {
			return view.ErrorMessage("Use `/plusone note <email> <text>`, for example `/plusone note jane@example.com Prefers a call after 5pm`.")
		}
		n := plusone.Note{Author: cmd.UserID, Text: note, Via: plusone.NoteViaCommand}
		name, err := a.Memory.AddNoteByEmail(ctx, email, n)
		if err != nil {
			return a.failure("note", err)
		}
		n.Text = strings.TrimSpace(n.Text)
		return view.NoteSavedMessage(name, n)
	case "budget":
		return a.budget(ctx, cmd.UserID)
	case "erase":
		// Nothing is erased yet: the answer asks to confirm (eraseCustomer).
		email := plusone.NormalizeEmail(rest)
		if email == "" {
			return view.ErrorMessage("Use `/plusone erase <email>`, for example `/plusone erase jane@example.com`.")
		}
		if err := a.Memory.MayErase(cmd.UserID); err != nil {
			return a.failure("erase", err)
		}
		return view.EraseConfirmMessage(email)
	case "digest":
		return a.digest(ctx, cmd.UserID)
	default:
		card, choices, more, err := a.Memory.Lookup(ctx, cmd.UserID, text)
		switch {
		case err != nil:
			return a.failure("lookup", err)
		case card != nil:
			return view.LookupMessage(*card)
		case len(choices) > 0:
			return view.ChoiceMessage(text, choices, more)
		default:
			return view.NoMatchMessage(text)
		}
	}
}

// failure turns an error into a message for the agent: what is wrong when
// it is theirs to fix, a generic apology (and a log line) otherwise.
func (a *App) failure(what string, err error) view.Message {
	switch plusone.ErrorCode(err) {
	case plusone.EINVALID, plusone.ENOTFOUND, plusone.ECONFLICT, plusone.EUNAUTHORIZED:
		return view.ErrorMessage(plusone.ErrorMessage(err))
	}
	a.Log.Error("slack "+what, "err", err)
	return view.ErrorMessage("Something went wrong on plusone's side; please try again in a moment.")
}

// Interaction answers a click, a shortcut or a modal's submission. The
// result is the body of the immediate answer: nil, or a
// *slack.ViewSubmissionResponse with errors to show in the modal.
func (a *App) Interaction(ctx context.Context, cb slack.InteractionCallback) any {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, act := range cb.ActionCallback.BlockActions {
			a.blockAction(ctx, cb, act)
		}
		return nil
	case slack.InteractionTypeMessageAction:
		switch {
		case cb.CallbackID == view.ShortcutSaveNote:
			a.saveNoteShortcut(ctx, cb)
		case cb.CallbackID == view.ShortcutCreateTicket && a.Tickets != nil:
			a.createTicketShortcut(ctx, cb)
		}
		return nil
	case slack.InteractionTypeViewSubmission:
		switch cb.View.CallbackID {
		case view.ViewNote:
			return a.submitNote(ctx, cb)
		case view.ViewSaveNote:
			return a.submitSaveNote(ctx, cb)
		case view.ViewEditPolicy:
			return a.submitEditPolicy(ctx, cb)
		case view.ViewReplyTicket:
			if a.Tickets != nil {
				return a.submitReply(ctx, cb)
			}
		case view.ViewCreateTicket:
			if a.Tickets != nil {
				return a.submitCreateTicket(ctx, cb)
			}
		}
		return nil
	default:
		return nil
	}
}

// interactionLater hands a click or a shortcut to Interaction in work the
// app owns (see Close) and returns at once, so that Slack's 3 seconds are
// kept whatever the work takes.
func (a *App) interactionLater(ctx context.Context, cb slack.InteractionCallback) {
	a.later(ctx, "interaction "+string(cb.Type), func(ctx context.Context) { a.Interaction(ctx, cb) })
}

func (a *App) blockAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	if a.gestureAction(ctx, cb, act) || a.Tickets != nil && a.ticketAction(ctx, cb, act) {
		return
	}
	switch act.ActionID {
	case view.ActionFeedbackMessages:
		a.feedbackAction(ctx, cb, act)
	case view.ActionAddNote:
		id, err := strconv.ParseInt(act.Value, 10, 64)
		if err != nil {
			a.Log.Warn("add_note with a bad value", "value", act.Value)
			return
		}
		// The trigger expires in seconds: read her name alone.
		name, err := a.Memory.CustomerName(ctx, id)
		if err != nil {
			a.Log.Error("add_note: customer", "customer", id, "err", err)
			return
		}
		meta := view.NoteMeta{CustomerID: id, Channel: cb.Channel.ID, ThreadTS: cb.Message.Timestamp}
		if err := a.API.OpenView(ctx, cb.TriggerID, view.NoteModal(name, meta)); err != nil {
			a.Log.Error("open note modal", "err", err)
		}
	case view.ActionShowCustomer:
		id, err := strconv.ParseInt(act.Value, 10, 64)
		if err != nil {
			return
		}
		m := view.Message{}
		card, err := a.Memory.Customer(ctx, cb.User.ID, id)
		if err != nil {
			m = a.failure("show customer", err)
		} else {
			m = view.LookupMessage(*card)
		}
		if err := a.API.Respond(ctx, cb.ResponseURL, m, true); err != nil {
			a.Log.Error("show customer", "err", err)
		}
	case view.ActionEraseCustomer:
		// Slack showed the confirmation dialog before sending the click.
		m := view.ErasedMessage(act.Value)
		if err := a.Memory.EraseAsSupervisor(ctx, cb.User.ID, act.Value); err != nil {
			m = a.failure("erase", err)
		}
		if err := a.API.Respond(ctx, cb.ResponseURL, m, true); err != nil {
			a.Log.Error("answer to an erasure", "err", err)
		}
	default:
		a.Log.Debug("unhandled block action", "action_id", act.ActionID)
	}
}

// saveNoteShortcut saves a Slack message as a note: at once when the
// message is a card or in a card's thread, else through a modal asking
// which customer it is about.
func (a *App) saveNoteShortcut(ctx context.Context, cb slack.InteractionCallback) {
	msg := cb.Message
	link := permalink(cb.Team.Domain, cb.Channel.ID, msg.Timestamp)
	id, _, ok, err := a.Memory.CardCustomer(ctx, cb.Channel.ID, msg.Timestamp, msg.ThreadTimestamp)
	if err != nil {
		a.Log.Error("save_note: which customer", "err", err)
	}
	if !ok {
		meta := view.SaveNoteMeta{Text: msg.Text, Link: link, Channel: cb.Channel.ID}
		if err := a.API.OpenView(ctx, cb.TriggerID, view.SaveNoteModal(meta)); err != nil {
			a.Log.Error("open save-note modal", "err", err)
		}
		return
	}
	n := plusone.Note{CustomerID: id, Author: cb.User.ID, Text: msg.Text, Via: plusone.NoteViaShortcut, Link: link}
	name, err := a.Memory.AddNote(ctx, n)
	answer := view.NoteSavedMessage(name, n)
	if err != nil {
		answer = a.failure("save_note", err)
	}
	if err := a.API.Respond(ctx, cb.ResponseURL, answer, false); err != nil {
		a.Log.Error("save_note answer", "err", err)
	}
}

func (a *App) submitNote(ctx context.Context, cb slack.InteractionCallback) any {
	meta, err := view.ParseNoteMetadata(cb.View.PrivateMetadata)
	if err != nil {
		a.Log.Warn("note modal", "err", err)
		return nil
	}
	text := inputValue(cb, view.BlockNoteText, view.ActionNoteText)
	key, value := inputValue(cb, view.BlockPrefKey, view.ActionPrefKey), inputValue(cb, view.BlockPrefValue, view.ActionPrefValue)
	switch {
	case text == "" && key == "" && value == "":
		return slack.NewErrorsViewSubmissionResponse(map[string]string{view.BlockNoteText: "Write a note or a preference."})
	case key == "" && value != "":
		return slack.NewErrorsViewSubmissionResponse(map[string]string{view.BlockPrefKey: "Name the preference (e.g. delivery)."})
	case key != "" && value == "":
		return slack.NewErrorsViewSubmissionResponse(map[string]string{view.BlockPrefValue: "Give the preference a value."})
	}
	if text != "" {
		if _, err := a.Memory.AddNote(ctx, plusone.Note{CustomerID: meta.CustomerID, Author: cb.User.ID, Text: text, Via: plusone.NoteViaModal}); err != nil {
			return a.modalFailure(view.BlockNoteText, "note modal", err)
		}
	}
	if key != "" {
		if err := a.Memory.SetPreference(ctx, cb.User.ID, meta.CustomerID, key, value); err != nil {
			return a.modalFailure(view.BlockPrefKey, "preference", err)
		}
	}
	return nil
}

func (a *App) submitSaveNote(ctx context.Context, cb slack.InteractionCallback) any {
	meta, err := view.ParseSaveNoteMetadata(cb.View.PrivateMetadata)
	if err != nil {
		a.Log.Warn("save-note modal", "err", err)
		return nil
	}
	email := inputValue(cb, view.BlockCustomerEmail, view.ActionCustomerEmail)
	n := plusone.Note{Author: cb.User.ID, Text: meta.Text, Via: plusone.NoteViaShortcut, Link: meta.Link}
	if _, err := a.Memory.AddNoteByEmail(ctx, email, n); err != nil {
		return a.modalFailure(view.BlockCustomerEmail, "save-note modal", err)
	}
	return nil
}

func (a *App) modalFailure(block, what string, err error) any {
	switch plusone.ErrorCode(err) {
	case plusone.EINVALID, plusone.ENOTFOUND, plusone.EUNAUTHORIZED:
		return slack.NewErrorsViewSubmissionResponse(map[string]string{block: plusone.ErrorMessage(err)})
	}
	a.Log.Error(what, "err", err)
	return slack.NewErrorsViewSubmissionResponse(map[string]string{block: "Something went wrong on plusone's side; please try again."})
}

func inputValue(cb slack.InteractionCallback, block, action string) string {
	if cb.View.State == nil {
		return ""
	}
	return strings.TrimSpace(cb.View.State.Values[block][action].Value)
}

// permalink is a message's link; it needs the workspace's domain.
func permalink(domain, channel, ts string) string {
	if domain == "" || channel == "" || ts == "" {
		return ""
	}
	return fmt.Sprintf("https://%s.slack.com/archives/%s/p%s", domain, channel, strings.ReplaceAll(ts, ".", ""))
}

// EventLater hands an Events API event that is not timeline material to
// Event, in work the app owns (see Close), and returns at once.
func (a *App) EventLater(ctx context.Context, kind string, body []byte) {
	a.later(ctx, "event "+kind, func(ctx context.Context) { a.Event(ctx, kind, body) })
}

// Event handles the Events API events that are not timeline material:
// App Home opened, links shared. kind is the inner event's type; body the
// whole Events API request.
func (a *App) Event(ctx context.Context, kind string, body []byte) {
	ev, err := parseEvent(body)
	if err != nil {
		a.Log.Warn("slack event", "kind", kind, "err", err)
		return
	}
	switch kind {
	case "app_home_opened":
		if ev.Tab != "" && ev.Tab != "home" {
			return
		}
		a.publishHome(ctx, ev.User)
	case "link_shared":
		unfurls := map[string]slack.Attachment{}
		for _, l := range ev.Links {
			card, ok, err := a.Memory.ByLink(ctx, l.URL)
			if err != nil {
				a.Log.Error("unfurl", "err", err)
				continue
			}
			if ok {
				unfurls[l.URL] = slack.Attachment{Blocks: slack.Blocks{BlockSet: view.UnfurlBlocks(*card)}}
			}
		}
		if len(unfurls) == 0 {
			return
		}
		if err := a.API.Unfurl(ctx, ev.Channel, ev.MessageTS, unfurls); err != nil {
			a.Log.Error("chat.unfurl", "err", err)
		}
	default:
		a.Log.Debug("unhandled slack event", "kind", kind)
	}
}

var errNoEvent = errors.New("no event in the request")
