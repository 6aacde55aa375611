package view

import (
	"time"

	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// now is the moment every sample card is rendered at.
var now = viewtest.Now

func ago(d time.Duration) time.Time { return now.Add(-d) }

const day = 24 * time.Hour
