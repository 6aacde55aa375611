package generic

import (
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// id is an identifier that senders write either as a JSON string or as a
// number.
type id = webhook.ID
