package main

import (
	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/helpscout"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/shopify"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

// sources are the webhook sources, in the contract's order: the one list
// that config (their variables), memory (their links) and the wiring
// (their integrations) range over. A new source is its own package under
// integrations/ and one line here; TestSources says what else it needs.
func sources() []plusone.SourceInfo {
	return []plusone.SourceInfo{
		zendesk.Describe(),
		shopify.Describe(),
		intercom.Describe(),
		helpscout.Describe(),
		freshdesk.Describe(),
		generic.Describe(),
	}
}
