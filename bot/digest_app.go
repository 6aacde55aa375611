package bot

import (
	"context"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// Digests is what the Slack app asks for `/plusone digest` (digest.Builder).
type Digests interface {
	// Now is the digest of the period up to now, with the zone its dates
	// are shown in; an error with code EUNAUTHORIZED when user is not a
	// supervisor.
	Now(ctx context.Context, user string) (plusone.Digest, *time.Location, error)
}

// FeedbackSwitch keeps whether agents get the messages about their
// customers coming back (feedback.Service).
type FeedbackSwitch interface {
	FeedbackOn(ctx context.Context, agent string) (bool, error)
	SetFeedback(ctx context.Context, agent string, on bool) error
}

// digest answers `/plusone digest`, to the asker only.
func (a *App) digest(ctx context.Context, user string) view.Message {
	if a.Digests == nil {
		return view.ErrorMessage("The digest is not available here.")
	}
	d, loc, err := a.Digests.Now(ctx, user)
	if err != nil {
		return a.failure("digest", err)
	}
	return view.DigestMessage(d, loc)
}

// feedbackAction turns an agent's feedback messages on or off from her App
// Home, and shows her App Home again.
func (a *App) feedbackAction(ctx context.Context, cb slack.InteractionCallback, act *slack.BlockAction) {
	if a.Feedback == nil {
		return
	}
	if err := a.Feedback.SetFeedback(ctx, cb.User.ID, act.Value == "on"); err != nil {
		a.Log.Error("feedback messages switch", "user", cb.User.ID, "err", err)
		return
	}
	a.publishHome(ctx, cb.User.ID)
}

// feedbackHome is the App Home section of the feedback switch; none when
// unknown.
func (a *App) feedbackHome(ctx context.Context, user string) []slack.Block {
	if a.Feedback == nil {
		return nil
	}
	on, err := a.Feedback.FeedbackOn(ctx, user)
	if err != nil {
		a.Log.Error("app home feedback switch", "err", err)
		return nil
	}
	return view.FeedbackHomeBlocks(on)
}
