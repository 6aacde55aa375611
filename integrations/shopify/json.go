package shopify

import (
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// id is an identifier that Shopify writes as a number, or a string in
// hand-made payloads.
type id = webhook.ID
