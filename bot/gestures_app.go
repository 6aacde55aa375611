package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// Gestures is what the Slack app asks of the gestures service
// (gestures.Service implements it).
type Gestures interface {
	// Offer decides and records an agent's offer (o.Key identifies the
	// click).
	Offer(ctx context.Context, agent string, o plusone.OfferRequest) (plusone.GestureResult, error)
	// Resolve records a supervisor's decision on a request; an error with
	// code EUNAUTHORIZED when the actor is not a supervisor.
	Resolve(ctx context.Context, actor string, requestID int64, approve bool) (plusone.GestureResult, error)
	MarkSent(ctx context.Context, actor string, requestID int64) (plusone.GestureResult, error)
	// Budgets are the agent's own and team budgets this period, and the
	// customer's when customerID is not zero.
	Budgets(ctx context.Context, agent string, customerID int64) ([]plusone.BudgetLine, error)
	// Home is the gestures part of an agent's App Home.
	Home(ctx context.Context, agent string) (plusone.HomeGestures, error)
	// EditableSettings are what a supervisor can change; EUNAUTHORIZED for
	// others.
	EditableSettings(ctx context.Context, actor string) ([]plusone.Setting, error)
	SetOverride(ctx context.Context, actor, path, value string) (plusone.Override, error)
	Currency() string
}

// clickKey identifies an offer click: the same agent on the same button of
// the same card message the same day is one click, however often Slack
// delivers it or the agent presses.
func clickKey(agent, messageTS string, v view.OfferValue, now time.Time) string {
	return fmt.Sprintf("offer:%s:%d:%s:%s:%s:%s", agent, v.CustomerID, v.Gesture, v.TicketKey, messageTS, now.UTC().Format(time.DateOnly))
}

// gestureAction handles the gesture buttons; ok is false for other actions.
func (a *App) gestureAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) bool {
	if a.Gestures == nil {
		return false
	}
	if _, isOffer := view.IsOfferAction(act.ActionID); isOffer {
		a.offer(ctx, cb, act)
		return true
	}
	switch act.ActionID {
	case view.ActionApproveGesture, view.ActionDeclineGesture:
		id, err := strconv.ParseInt(act.Value, 10, 64)
		if err != nil {
			return true
		}
		_, err = a.Gestures.Resolve(ctx, cb.User.ID, id, act.ActionID == view.ActionApproveGesture)
		if err != nil {
			a.respond(ctx, cb, a.failure("approval", err))
		}
		// The request's message is replaced by the outbox once recorded.
	case view.ActionMarkSent:
		id, err := strconv.ParseInt(act.Value, 10, 64)
		if err != nil {
			return true
		}
		if _, err := a.Gestures.MarkSent(ctx, cb.User.ID, id); err != nil {
			a.respond(ctx, cb, a.failure("mark sent", err))
		}
	case view.ActionEditPolicy:
		settings, err := a.Gestures.EditableSettings(ctx, cb.User.ID)
		if err != nil {
			a.Log.Warn("edit policy", "user", cb.User.ID, "err", err)
			return true
		}
		if err := a.API.OpenView(ctx, cb.TriggerID, view.EditPolicyModal(settings)); err != nil {
			a.Log.Error("open edit-policy modal", "err", err)
		}
	default:
		return false
	}
	return true
}

// offer decides an agent's click on a suggested gesture and tells her the
// outcome privately; the card itself shows everyone once it is updated.
func (a *App) offer(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	v, err := view.DecodeOffer(act.Value)
	if err != nil {
		a.Log.Warn("offer with a bad value", "err", err)
		return
	}
	ts := cb.Container.MessageTs
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	out, err := a.Gestures.Offer(ctx, cb.User.ID, plusone.OfferRequest{CustomerID: v.CustomerID, Gesture: v.Gesture,
		TicketKey: v.TicketKey, Key: clickKey(cb.User.ID, ts, v, time.Now())})
	var m view.Message
	switch {
	case err != nil:
		m = a.failure("offer", err)
	case out.Entry.Status == plusone.StatusRefused:
		m = view.RefusalMessage(out.Decision, out.Entry.Title)
	default:
		m = view.OfferResultMessage(out.Entry, out.Customer.DisplayName())
	}
	a.respond(ctx, cb, m)
}

// respond answers the clicker privately.
func (a *App) respond(ctx context.Context, cb slack.InteractionCallback, m view.Message) {
	if cb.ResponseURL == "" {
		return
	}
	if err := a.API.Respond(ctx, cb.ResponseURL, m, false); err != nil {
		a.Log.Error("answer to a click", "err", err)
	}
}

// submitEditPolicy applies a supervisor's change from the modal.
func (a *App) submitEditPolicy(ctx context.Context, cb slack.InteractionCallback) any {
	if a.Gestures == nil {
		return nil
	}
	path, value := view.EditPolicyInput(cb)
	if path == "" {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{view.BlockPolicySetting: "Choose what to change."})
	}
	if _, err := a.Gestures.SetOverride(ctx, cb.User.ID, path, value); err != nil {
		return a.modalFailure(view.BlockPolicyValue, "edit policy", err)
	}
	user := cb.User.ID
	a.later(ctx, "app home", func(ctx context.Context) { a.publishHome(ctx, user) })
	return nil
}

// publishHome publishes an agent's App Home.
func (a *App) publishHome(ctx context.Context, user string) {
	h, err := a.Memory.Home(ctx, user)
	if err != nil {
		a.Log.Error("app home", "err", err)
		return
	}
	var g plusone.HomeGestures
	if a.Gestures != nil {
		if g, err = a.Gestures.Home(ctx, user); err != nil {
			a.Log.Error("app home gestures", "err", err)
		}
	}
	if err := a.API.PublishHome(ctx, user, view.HomeView(h, g, a.feedbackHome(ctx, user)...)); err != nil {
		a.Log.Error("publish app home", "err", err)
	}
}

// budget answers `/plusone budget`.
func (a *App) budget(ctx context.Context, agent string) view.Message {
	if a.Gestures == nil {
		return view.ErrorMessage("No budgets are configured.")
	}
	lines, err := a.Gestures.Budgets(ctx, agent, 0)
	if err != nil {
		return a.failure("budget", err)
	}
	return view.BudgetMessage(lines, a.Gestures.Currency())
}
