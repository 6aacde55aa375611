package bot_test

import (
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/delivery"
)

// The card sender takes either the Slack client or the local printer.
var (
	_ delivery.Slack = (*bot.Client)(nil)
	_ delivery.Slack = (*bot.Printer)(nil)
)
