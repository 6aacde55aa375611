package config

import (
	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/helpscout"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/shopify"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

// testSources are the webhook sources in the contract's order, as
// cmd/plusone lists them.
func testSources() []plusone.SourceInfo {
	return []plusone.SourceInfo{zendesk.Describe(), shopify.Describe(), intercom.Describe(),
		helpscout.Describe(), freshdesk.Describe(), generic.Describe()}
}
