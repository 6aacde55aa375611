package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Chat is where Slack messages (timeline material) arriving over Socket
// Mode are stored: the same intake as the Events API over HTTP
// (server.SlackIntake).
type Chat interface {
	// StoreMessage stores an Events API request carrying a message
	// durably; an error leaves the envelope unacknowledged, so that Slack
	// sends it again.
	StoreMessage(ctx context.Context, body []byte) error
}

// RunSocket serves Slack over Socket Mode until ctx ends: the same
// commands, interactions and events as over HTTP, through the same
// handlers. client needs the app-level token (slack.OptionAppLevelToken);
// messages go to a.Chat. It returns once its envelope loop has stopped;
// clicks it handed on run until done (see Close).
func (a *App) RunSocket(ctx context.Context, client *slack.Client) error {
	sm := socketmode.New(client)
	loopCtx, stopLoop := context.WithCancel(ctx)
	var loop sync.WaitGroup
	loop.Go(func() { a.serveSocket(loopCtx, sm) })
	// RunContext returns only with an error; when ctx ended, that is
	// the shutdown asked for.
	err := sm.RunContext(ctx)
	stopLoop()
	loop.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("socket mode: %w", err)
}

func (a *App) serveSocket(ctx context.Context, sm *socketmode.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt, ok := <-sm.Events:
			if !ok {
				return
			}
			a.socketEvent(ctx, sm, evt)
		}
	}
}

// socketEvent answers one envelope. Each kind is acknowledged with what
// the HTTP handler would answer.
func (a *App) socketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.Log.Info("slack socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeInvalidAuth:
		a.Log.Error("slack socket mode", "event", evt.Type, "data", fmt.Sprint(evt.Data))
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		a.ack(ctx, sm, evt, a.Command(ctx, cmd))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		if cb.Type == slack.InteractionTypeViewSubmission {
			a.ack(ctx, sm, evt, a.Interaction(ctx, cb))
			return
		}
		a.ack(ctx, sm, evt, nil)
		a.interactionLater(ctx, cb)
	case socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			a.ack(ctx, sm, evt, nil)
			return
		}
		body := []byte(evt.Request.Payload)
		if ev.Type == slackevents.CallbackEvent && ev.InnerEvent.Type == "message" {
			if a.Chat == nil {
				a.ack(ctx, sm, evt, nil)
				return
			}
			if err := a.Chat.StoreMessage(ctx, body); err != nil {
				a.Log.Error("store slack message; Slack will resend it", "err", err)
				return
			}
			a.ack(ctx, sm, evt, nil)
			return
		}
		a.ack(ctx, sm, evt, nil)
		a.EventLater(ctx, ev.InnerEvent.Type, body)
	}
}

func (a *App) ack(ctx context.Context, sm *socketmode.Client, evt socketmode.Event, payload any) {
	if err := sm.AckCtx(ctx, evt.Request.EnvelopeID, payload); err != nil {
		a.Log.Warn("socket mode ack", "err", err)
	}
}
