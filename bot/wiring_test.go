package bot_test

import (
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/delivery"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/server"
)

var (
	// The card sender takes either the Slack client or the local printer.
	_ delivery.Slack = (*bot.Client)(nil)
	_ delivery.Slack = (*bot.Printer)(nil)
	// The app takes the services as they are: no adapter between them.
	_ bot.Gestures = (*gestures.Service)(nil)
	_ bot.Memory   = (*memory.Service)(nil)
	_ bot.Chat     = (*server.SlackIntake)(nil)
	// The server mounts the app's routes.
	_ server.SlackApp = (*bot.App)(nil)
)
