package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/internal/livecheck"
	"github.com/plusone-hq/plusone/prompts"
)

// liveTimeout bounds each check of `plusone check --live`.
const liveTimeout = 10 * time.Second

// check prints every problem of the environment and the policy file; with
// live, it then reaches everything they name, one line per check. No
// webhook source configured is a warning, not a problem: Slack and the
// store can be set up and checked first, but nothing reaches plusone yet.
func check(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer, live bool) error {
	cfg, policy, err := config.Check(getenv, sources())
	if err != nil {
		fmt.Fprintln(stdout, "plusone check: problems found")
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stdout, "  "+line)
		}
		return errCheckFailed
	}
	mode := "Slack over HTTP"
	switch {
	case cfg.LocalMode():
		mode = "local (no Slack token: cards are printed)"
	case cfg.SocketMode():
		mode = "Slack over Socket Mode"
	}
	driver, _ := cfg.Database()
	var open []string
	for _, s := range cfg.OpenWebhooks(sources()) {
		open = append(open, string(s))
	}
	var warnings []string
	if len(open) == 0 {
		open = []string{"none"}
		warnings = append(warnings, "no webhook source configured: nothing will reach plusone; set PLUSONE_<SOURCE>_WEBHOOK_SECRET "+
			"(ZENDESK, SHOPIFY, INTERCOM, HELPSCOUT, FRESHDESK or GENERIC)")
	}
	policyName := "built-in"
	if cfg.PolicyFile != "" {
		policyName = cfg.PolicyFile
	}
	status := "ok"
	if len(warnings) > 0 {
		status = fmt.Sprintf("ok, %d warning(s)", len(warnings))
	}
	fmt.Fprintf(stdout, "plusone check: %s\n  mode: %s\n  store: %s\n  webhooks: %s\n  policy: %s (%d gestures)\n",
		status, mode, driver, strings.Join(open, ", "), policyName, len(policy.Gestures))
	for _, w := range warnings {
		fmt.Fprintln(stdout, "  warning: "+w)
	}
	if !live {
		return nil
	}
	fmt.Fprintln(stdout, "plusone check --live:")
	log := newLogger(stderr, slog.LevelWarn)
	if failed := livecheck.Run(ctx, stdout, liveChecks(cfg, policy, log), liveTimeout); failed > 0 {
		return fmt.Errorf("%w: %d of them", errLiveFailed, failed)
	}
	return nil
}

// liveChecks are the checks of everything cfg and policy name.
func liveChecks(cfg *config.Config, policy *plusone.Policy, log *slog.Logger) []livecheck.Check {
	checks := []livecheck.Check{storeCheck(cfg)}
	checks = append(checks, slackChecks(cfg, policy)...)
	list := sources()
	apis := newVendorAPIs(cfg, list, log, nil)
	for _, d := range list {
		name := string(d.Source) + " API"
		api, ok := apis[d.Source].(interface{ Check(context.Context) error })
		if !ok {
			if d.Env.APIURL != "" {
				checks = append(checks, livecheck.Check{Name: name, Skip: "no credentials configured"})
			}
			continue
		}
		checks = append(checks, livecheck.Check{Name: name, Run: func(ctx context.Context) (string, error) {
			return "an authenticated read succeeded", api.Check(ctx)
		}})
	}
	drafter := prompts.New(cfg.OpenAIAPIKey, cfg.OpenAIBaseURL, cfg.OpenAIModel, nil)
	if !drafter.Enabled() {
		checks = append(checks, livecheck.Check{Name: "LLM", Skip: "not configured (rules only)"})
	} else {
		checks = append(checks, livecheck.Check{Name: "LLM", Run: func(ctx context.Context) (string, error) {
			return "the endpoint lists model " + cfg.OpenAIModel, drafter.Check(ctx)
		}})
	}
	return checks
}

// storeCheck opens the store as serve does (which migrates it), and asks it
// whether it is ready: connected, migrated, and a durable write succeeds.
func storeCheck(cfg *config.Config) livecheck.Check {
	driver, _ := cfg.Database()
	return livecheck.Check{Name: "store", Run: func(ctx context.Context) (string, error) {
		s, err := openStore(ctx, cfg, false)
		if err != nil {
			return "", fmt.Errorf("%w; is the database running, and is PLUSONE_DATABASE_URL right?", err)
		}
		defer s.Close()
		if err := s.Ready(ctx); err != nil {
			return "", fmt.Errorf("not ready: %w", err)
		}
		return driver + ", migrated, a write succeeded", nil
	}}
}

// slackChecks are auth.test and, for every channel the environment and the
// policy name, that the bot is in it.
func slackChecks(cfg *config.Config, policy *plusone.Policy) []livecheck.Check {
	if cfg.SlackBotToken == "" {
		return []livecheck.Check{{Name: "slack", Skip: "local mode (no PLUSONE_SLACK_BOT_TOKEN)"}}
	}
	client := bot.NewClient(cfg.SlackBotToken, cfg.SlackAPIURL, &http.Client{Timeout: liveTimeout})
	// The bot's name, for the /invite advice, once auth.test has answered.
	who := make(chan string, 1)
	checks := []livecheck.Check{{Name: "slack auth.test", Run: func(ctx context.Context) (string, error) {
		id, err := client.AuthTest(ctx)
		if err != nil {
			close(who)
			return "", fmt.Errorf("%w; check PLUSONE_SLACK_BOT_TOKEN", err)
		}
		who <- id.User
		close(who)
		return fmt.Sprintf("the bot is @%s in %s", id.User, id.Team), nil
	}}}
	botName := func(ctx context.Context) string {
		select {
		case name, ok := <-who:
			if ok && name != "" {
				return name
			}
		case <-ctx.Done():
		}
		return "plusone"
	}
	for _, ch := range slackChannels(cfg, policy) {
		checks = append(checks, livecheck.Check{Name: "slack channel " + ch, Run: func(ctx context.Context) (string, error) {
			m, err := client.Channel(ctx, ch)
			if err != nil {
				if e, ok := errors.AsType[slack.SlackErrorResponse](err); ok && e.Err == "channel_not_found" {
					return "", fmt.Errorf("channel %s not found: check its ID in the environment or the policy, "+
						"or, if it is private, /invite @%s there", ch, botName(ctx))
				}
				return "", err
			}
			if !m.Member {
				return "", fmt.Errorf("the bot is not in #%s (%s): /invite @%s there", m.Name, ch, botName(ctx))
			}
			return "the bot is in #" + m.Name, nil
		}})
	}
	return checks
}

// slackChannels are the channels the environment and the policy name:
// the default card channel, the routes', the approvals' and the customer
// channels, sorted.
func slackChannels(cfg *config.Config, policy *plusone.Policy) []string {
	set := map[string]bool{}
	add := func(ch string) {
		if ch != "" {
			set[ch] = true
		}
	}
	add(cfg.SlackChannel)
	for _, r := range policy.Routing {
		add(r.Channel)
	}
	add(policy.Approvals.Channel)
	for ch := range policy.CustomerChannels {
		add(ch)
	}
	return slices.Sorted(maps.Keys(set))
}

// healthcheck asks the local server's /readyz (at PLUSONE_ADDR) whether it
// is ready, for a container's health check: the image has no shell or curl.
func healthcheck(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	addr := getenv("PLUSONE_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("PLUSONE_ADDR %q: %w", addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	url := "http://" + net.JoinHostPort(host, port) + "/readyz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}
