package main

import (
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/delivery"
	"github.com/plusone-hq/plusone/gestures"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/helpscout"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/shopify"
	"github.com/plusone-hq/plusone/integrations/slackchat"
	"github.com/plusone-hq/plusone/integrations/zendesk"
	"github.com/plusone-hq/plusone/memory"
	"github.com/slack-go/slack"
)

// knownSources are the webhook sources plusone understands.
func knownSources() []plusone.Source {
	return []plusone.Source{plusone.SourceZendesk, plusone.SourceShopify, plusone.SourceIntercom,
		plusone.SourceHelpScout, plusone.SourceFreshdesk, plusone.SourceGeneric}
}

// integrations builds every integration with the configured secrets; a
// source without a secret can still parse what was stored before.
func integrations(cfg *config.Config, log *slog.Logger) map[plusone.Source]plusone.Integration {
	return map[plusone.Source]plusone.Integration{
		plusone.SourceGeneric:   generic.New(cfg.GenericWebhookSecret),
		plusone.SourceZendesk:   zendesk.New(cfg.ZendeskWebhookSecret, zendesk.WithBaseURL(cfg.ZendeskURL), zendesk.WithLogger(log)),
		plusone.SourceShopify:   shopify.New(cfg.ShopifyWebhookSecret),
		plusone.SourceIntercom:  intercom.New(cfg.IntercomWebhookSecret),
		plusone.SourceHelpScout: helpscout.New(cfg.HelpScoutWebhookSecret),
		plusone.SourceFreshdesk: freshdesk.New(cfg.FreshdeskWebhookSecret),
	}
}

// parsers are all integrations, Slack chat included: the workers parse
// whatever was stored.
func parsers(cfg *config.Config, log *slog.Logger, chat plusone.Integration) map[plusone.Source]plusone.Integration {
	m := integrations(cfg, log)
	m[plusone.SourceSlack] = chat
	return m
}

// slackChat is Slack as a chat source: messages in the policy's customer
// channels.
func slackChat(cfg *config.Config, policy func() *plusone.Policy) *slackchat.Source {
	return slackchat.New(cfg.SlackSigningSecret, func(ch string) (string, bool) { return policy().CustomerChannel(ch) })
}

// webhookSources are the integrations whose endpoint is open: those with a
// secret.
func webhookSources(cfg *config.Config, log *slog.Logger) map[plusone.Source]plusone.Integration {
	out := map[plusone.Source]plusone.Integration{}
	for name, in := range integrations(cfg, log) {
		if cfg.WebhookSecret(string(name)) != "" {
			out[name] = in
		}
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
	var out []plusone.Source
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// histories are the vendor APIs configured for back-fill, and enrichers the
// ones that complete events.
func histories(cfg *config.Config, log *slog.Logger) (map[plusone.Source]plusone.History, map[plusone.Source]plusone.Enricher) {
	h := map[plusone.Source]plusone.History{}
	en := map[plusone.Source]plusone.Enricher{}
	if cfg.ZendeskURL != "" && cfg.ZendeskAPIToken != "" {
		api := zendesk.NewAPI(cfg.ZendeskURL, cfg.ZendeskEmail, cfg.ZendeskAPIToken, zendesk.WithAPILogger(log))
		h[plusone.SourceZendesk], en[plusone.SourceZendesk] = api, api
	}
	if cfg.ShopifyURL != "" && cfg.ShopifyAccessToken != "" {
		h[plusone.SourceShopify] = shopify.NewAPI(cfg.ShopifyURL, cfg.ShopifyAccessToken, shopify.WithAPILogger(log))
	}
	if cfg.IntercomAccessToken != "" {
		h[plusone.SourceIntercom] = intercom.NewAPI(cfg.IntercomURL, cfg.IntercomAccessToken, intercom.WithAPILogger(log))
	}
	if cfg.FreshdeskURL != "" && cfg.FreshdeskAPIKey != "" {
		h[plusone.SourceFreshdesk] = freshdesk.NewAPI(cfg.FreshdeskURL, cfg.FreshdeskAPIKey, freshdesk.WithAPILogger(log))
	}
	if cfg.SlackBotToken != "" {
		en[plusone.SourceSlack] = slackchat.NewAPI(cfg.SlackBotToken, cfg.SlackAPIURL, nil)
	}
	if cfg.HistoryDays == 0 {
		clear(h)
	}
	return h, en
}

// writebackTargets are the systems granted gestures are written back to.
func writebackTargets(cfg *config.Config) []plusone.Source {
	var out []plusone.Source
	if cfg.ZendeskURL != "" && cfg.ZendeskAPIToken != "" {
		out = append(out, plusone.SourceZendesk)
	}
	if cfg.ShopifyURL != "" && cfg.ShopifyAccessToken != "" {
		out = append(out, plusone.SourceShopify)
	}
	return out
}

// slackApp is plusone's Slack app (commands, buttons, shortcuts, App Home,
// unfurls), or nil in local mode.
func slackApp(cfg *config.Config, mem *memory.Service, g bot.Gestures, log *slog.Logger, chat bot.Chat) *bot.App {
	if cfg.LocalMode() {
		return nil
	}
	return &bot.App{Memory: mem, Gestures: g, API: bot.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil), Log: log, Chat: chat}
}

// writebackClients are the vendor APIs granted gestures are written back
// through, when configured.
func writebackClients(cfg *config.Config, log *slog.Logger) (gestures.ZendeskNotes, gestures.ShopifyDiscounts) {
	var zd gestures.ZendeskNotes
	var sh gestures.ShopifyDiscounts
	if cfg.ZendeskURL != "" && cfg.ZendeskAPIToken != "" {
		zd = zendesk.NewAPI(cfg.ZendeskURL, cfg.ZendeskEmail, cfg.ZendeskAPIToken, zendesk.WithAPILogger(log))
	}
	if cfg.ShopifyURL != "" && cfg.ShopifyAccessToken != "" {
		sh = shopify.NewAPI(cfg.ShopifyURL, cfg.ShopifyAccessToken, shopify.WithAPILogger(log))
	}
	return zd, sh
}

// socketClient is the Slack client of Socket Mode: the bot token with the
// app-level token.
func socketClient(cfg *config.Config) *slack.Client {
	return slack.New(cfg.SlackBotToken, slack.OptionAppLevelToken(cfg.SlackAppToken), slack.OptionAPIURL(cfg.SlackAPIURL))
}

// slackCards returns where cards go: Slack, or stdout in local mode.
func slackCards(cfg *config.Config, stdout io.Writer) (delivery.Slack, func(error) delivery.Failure, error) {
	classify := func(err error) delivery.Failure {
		f := bot.Classify(err)
		return delivery.Failure{RetryAfter: f.RetryAfter, Permanent: f.Kind == bot.Permanent}
	}
	if cfg.LocalMode() {
		return bot.NewPrinter(stdout), classify, nil
	}
	return bot.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, nil), classify, nil
}
