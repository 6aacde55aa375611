package main

import (
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/delivery"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/integrations/slackchat"
	"github.com/slack-go/slack"
)

// integrations builds the integration of every source with its
// configured variables; a source without a secret can still parse what was
// stored before. Build them once: parsers and webhookSources share them.
func integrations(cfg *config.Config, list []plusone.SourceInfo, log *slog.Logger) map[plusone.Source]plusone.Integration {
	m := map[plusone.Source]plusone.Integration{}
	for _, d := range list {
		m[d.Source] = d.New(cfg.Var, log)
	}
	return m
}

// parsers are all integrations, Slack chat included: the workers parse
// whatever was stored.
func parsers(all map[plusone.Source]plusone.Integration, chat plusone.Integration) map[plusone.Source]plusone.Integration {
	m := maps.Clone(all)
	m[plusone.SourceSlack] = chat
	return m
}

// slackChat is Slack as a chat source: messages in the policy's customer
// channels.
func slackChat(cfg *config.Config, policy func() *plusone.Policy) *slackchat.Source {
	return slackchat.New(cfg.SlackSigningSecret, func(ch string) (string, bool) { return policy().CustomerChannel(ch) })
}

// webhookSources are the integrations of all whose endpoint is open: those
// with a secret.
func webhookSources(cfg *config.Config, list []plusone.SourceInfo, all map[plusone.Source]plusone.Integration) map[plusone.Source]plusone.Integration {
	out := map[plusone.Source]plusone.Integration{}
	for _, name := range cfg.OpenWebhooks(list) {
		out[name] = all[name]
	}
	return out
}

// known names the sources of list.
func known(list []plusone.SourceInfo) []plusone.Source {
	out := make([]plusone.Source, len(list))
	for i, d := range list {
		out[i] = d.Source
	}
	return out
}

func sourceNames[V any](m map[plusone.Source]V) string {
	var names []string
	for _, n := range sortedSources(m) {
		names = append(names, string(n))
	}
	return strings.Join(names, ",")
}

func sortedSources[V any](m map[plusone.Source]V) []plusone.Source {
	return slices.Sorted(maps.Keys(m))
}

// vendorAPIs are the vendor API clients of the sources, each built once
// when configured (absent otherwise) and shared by back-fill, enrichment
// and write-back, so that an account has one rate pacer and one cache.
type vendorAPIs map[plusone.Source]plusone.History

func newVendorAPIs(cfg *config.Config, list []plusone.SourceInfo, log *slog.Logger, calls plusone.APICalls) vendorAPIs {
	v := vendorAPIs{}
	for _, d := range list {
		if d.NewAPI == nil {
			continue
		}
		if api := d.NewAPI(cfg.Var, log, calls); api != nil {
			v[d.Source] = api
		}
	}
	return v
}

// histories are the vendor APIs configured for back-fill, and enrichers the
// ones that complete events (Slack's among them).
func histories(cfg *config.Config, apis vendorAPIs, people *slackchat.API) (map[plusone.Source]plusone.History, map[plusone.Source]plusone.Enricher) {
	h := map[plusone.Source]plusone.History{}
	en := map[plusone.Source]plusone.Enricher{}
	for source, api := range apis {
		h[source] = api
		if e, ok := api.(plusone.Enricher); ok {
			en[source] = e
		}
	}
	if people != nil {
		en[plusone.SourceSlack] = people
	}
	if cfg.HistoryDays == 0 {
		clear(h)
	}
	return h, en
}

// slackPeople is Slack's users.info with its cache, built once: it
// completes chat events and finds the agents who work tickets; nil without
// a bot token.
func slackPeople(cfg *config.Config) *slackchat.API {
	if cfg.SlackBotToken == "" {
		return nil
	}
	return slackchat.NewAPI(cfg.SlackBotToken, cfg.SlackAPIURL, nil)
}

// ticketDesks are the vendor APIs that act on their tickets from the
// cards: the same clients as back-fill, enrichment and write-back.
func (v vendorAPIs) ticketDesks() map[plusone.Source]plusone.TicketDesk {
	out := map[plusone.Source]plusone.TicketDesk{}
	for source, api := range v {
		if d, ok := api.(plusone.TicketDesk); ok {
			out[source] = d
		}
	}
	return out
}

// writebackTargets are the systems granted gestures are written back to.
func (v vendorAPIs) writebackTargets() []plusone.Source {
	zd, sh := v.writebackClients()
	var out []plusone.Source
	if zd != nil {
		out = append(out, plusone.SourceZendesk)
	}
	if sh != nil {
		out = append(out, plusone.SourceShopify)
	}
	return out
}

// writebackClients are the vendor APIs granted gestures are written back
// through, when configured; an unconfigured one is a nil interface (never
// an interface holding a nil pointer: the map holds only built clients).
func (v vendorAPIs) writebackClients() (gestures.ZendeskNotes, gestures.ShopifyDiscounts) {
	zd, _ := v[plusone.SourceZendesk].(gestures.ZendeskNotes)
	sh, _ := v[plusone.SourceShopify].(gestures.ShopifyDiscounts)
	return zd, sh
}

// socketClient is the Slack client of Socket Mode: the bot token with the
// app-level token.
func socketClient(cfg *config.Config) *slack.Client {
	return slack.New(cfg.SlackBotToken, slack.OptionAppLevelToken(cfg.SlackAppToken), slack.OptionAPIURL(cfg.SlackAPIURL))
}

// slackCards returns where cards and messages go, and the Slack client
// when there is one: Slack, or stdout in local mode (client nil).
func slackCards(cfg *config.Config, stdout io.Writer) (out delivery.Slack, client *bot.Client) {
	if cfg.LocalMode() {
		return bot.NewPrinter(stdout), nil
	}
	client = bot.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil)
	return client, client
}
