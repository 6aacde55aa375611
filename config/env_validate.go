package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// channelID matches a Slack public (C…) or private (G…) channel ID.
var channelID = regexp.MustCompile(`^[CG][A-Z0-9]{2,}$`)

// validate checks the values read, the API variables of sources among
// them, and normalises SlackAPIURL. Variables in failed (parse problems)
// are not checked again.
func (c *Config) validate(failed Problems, sources []plusone.SourceInfo) Problems {
	var ps Problems
	bad := func(name string) bool {
		return slices.ContainsFunc(failed, func(p Problem) bool { return p.Variable == Prefix+name })
	}
	add := func(name, format string, args ...any) {
		if !bad(name) {
			ps = append(ps, Problem{Variable: Prefix + name, Message: fmt.Sprintf(format, args...)})
		}
	}

	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		add("ADDR", "%q is not a listen address (want host:port or :port, e.g. :8080)", c.Addr)
	}
	c.validateDatabase(add)
	if c.MaxBodyBytes <= 0 {
		add("MAX_BODY_BYTES", "must be more than 0 (bytes), e.g. 1048576")
	}
	c.validateSlack(add)
	c.validateConsole(add)
	urls := []string{Prefix + "SLACK_API_URL", Prefix + "OPENAI_BASE_URL", Prefix + "SLACK_OIDC_URL"}
	for _, d := range sources {
		if d.Env.APIURL != "" {
			urls = append(urls, d.Env.APIURL)
		}
	}
	for _, name := range urls {
		if msg := checkHTTPURL(c.Var(name)); msg != "" {
			add(strings.TrimPrefix(name, Prefix), "%s", msg)
		}
	}
	if c.SlackAPIURL != "" && !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/" // the Slack client appends method names to it
	}
	c.validateVendors(add, sources)
	c.validateTuning(add)
	return ps
}

func (c *Config) validateDatabase(add func(string, string, ...any)) {
	switch driver, dsn := c.Database(); driver {
	case "sqlite":
		if dsn == "" {
			add("DATABASE_URL", "sqlite: needs a file path, e.g. sqlite:plusone.db")
		}
	case "postgres":
		if _, err := url.Parse(dsn); err != nil {
			add("DATABASE_URL", "is not a valid postgres:// URL (check its escaping)")
		}
	default:
		add("DATABASE_URL", "must start with sqlite: or postgres:// (e.g. sqlite:plusone.db)")
	}
}

func (c *Config) validateSlack(add func(string, string, ...any)) {
	if c.SlackBotToken != "" && !strings.HasPrefix(c.SlackBotToken, "xoxb-") {
		add("SLACK_BOT_TOKEN", "must start with xoxb- (the app's Bot User OAuth Token)")
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		add("SLACK_APP_TOKEN", "must start with xapp- (an app-level token with the connections:write scope)")
	}
	if c.SlackAppToken != "" && c.SlackBotToken == "" {
		add("SLACK_BOT_TOKEN", "required when PLUSONE_SLACK_APP_TOKEN is set (Socket Mode still posts with the bot token)")
	}
	if c.SlackBotToken != "" && c.SlackAppToken == "" && c.SlackSigningSecret == "" {
		add("SLACK_SIGNING_SECRET", "required when PLUSONE_SLACK_BOT_TOKEN is set and PLUSONE_SLACK_APP_TOKEN is not (HTTP mode)")
	}
	switch {
	case c.SlackBotToken != "" && c.SlackChannel == "":
		add("SLACK_CHANNEL", "required when PLUSONE_SLACK_BOT_TOKEN is set")
	case c.SlackChannel != "" && !channelID.MatchString(c.SlackChannel):
		add("SLACK_CHANNEL", "%q is not a channel ID (want C… or G…, e.g. C0123ABCD; in Slack: channel details, bottom)", c.SlackChannel)
	}
}

// validateConsole checks Sign in with Slack for the web console: a client
// id needs its secret and the public URL Slack redirects back to.
func (c *Config) validateConsole(add func(string, string, ...any)) {
	if c.PublicURL != "" {
		if msg := checkHTTPURL(c.PublicURL); msg != "" {
			add("PUBLIC_URL", "%s", msg)
		}
		c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	}
	if c.SlackClientID == "" {
		if c.SlackClientSecret != "" {
			add("SLACK_CLIENT_ID", "required when PLUSONE_SLACK_CLIENT_SECRET is set (Sign in with Slack needs both)")
		}
		return
	}
	if c.SlackClientSecret == "" {
		add("SLACK_CLIENT_SECRET", "required when PLUSONE_SLACK_CLIENT_ID is set (the Slack app's Basic Information page, App Credentials)")
	}
	if c.PublicURL == "" {
		add("PUBLIC_URL", "required when PLUSONE_SLACK_CLIENT_ID is set: Slack redirects to <PUBLIC_URL>/console/auth/callback after sign-in")
	}
}

// ConsoleOpen says whether the web console may be open without signing in:
// with no Sign in with Slack configured, only when the service listens on a
// loopback address (nobody else can reach it).
func (c *Config) ConsoleOpen() bool {
	if c.SlackClientID != "" {
		return false
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validateVendors checks that each source's API is configured completely
// or not at all: its variables without a default are set together.
func (c *Config) validateVendors(add func(string, string, ...any), sources []plusone.SourceInfo) {
	defaults := map[string]bool{}
	for _, v := range variables() {
		defaults[Prefix+v.name] = v.def != ""
	}
	for _, d := range sources {
		if d.Env.APIURL == "" {
			continue
		}
		var set, unset []string
		for _, name := range append([]string{d.Env.APIURL}, d.Env.APICredentials...) {
			switch {
			case defaults[name]:
			case c.Var(name) != "":
				set = append(set, name)
			default:
				unset = append(unset, strings.TrimPrefix(name, Prefix))
			}
		}
		if len(set) == 0 {
			continue
		}
		verb := "is"
		if len(set) > 1 {
			verb = "are"
		}
		for _, name := range unset {
			add(name, "required when %s %s set", strings.Join(set, " and "), verb)
		}
	}
	if c.ZendeskEmail != "" && !strings.Contains(c.ZendeskEmail, "@") {
		add("ZENDESK_EMAIL", "%q is not an email address", c.ZendeskEmail)
	}
}

func (c *Config) validateTuning(add func(string, string, ...any)) {
	if c.Workers < 1 || c.Workers > 64 {
		add("WORKERS", "must be between 1 and 64, got %d", c.Workers)
	}
	if c.MaxAttempts < 1 {
		add("MAX_ATTEMPTS", "must be at least 1, got %d", c.MaxAttempts)
	}
	for _, d := range []struct {
		name string
		val  fmt.Stringer
		ok   bool
	}{
		{"RETRY_BASE", c.RetryBase, c.RetryBase > 0},
		{"RETRY_MAX", c.RetryMax, c.RetryMax > 0},
		{"SHUTDOWN_TIMEOUT", c.ShutdownTimeout, c.ShutdownTimeout > 0},
		{"LEASE", c.Lease, c.Lease > 0},
		{"STORE_TIMEOUT", c.StoreTimeout, c.StoreTimeout > 0},
		{"INTAKE_TIMEOUT", c.IntakeTimeout, c.IntakeTimeout > 0},
	} {
		if !d.ok {
			add(d.name, "must be a positive duration such as 30s, got %s", d.val)
		}
	}
	if c.RetryBase > 0 && c.RetryMax > 0 && c.RetryMax < c.RetryBase {
		add("RETRY_MAX", "must not be shorter than PLUSONE_RETRY_BASE (%s), got %s", c.RetryBase, c.RetryMax)
	}
	if c.Heartbeat < 100*time.Millisecond || c.Heartbeat > time.Minute {
		add("HEARTBEAT", "must be between 100ms and 1m, got %s", c.Heartbeat)
	}
	if c.LLMTimeout < 100*time.Millisecond || c.LLMTimeout > 10*time.Minute {
		add("LLM_TIMEOUT", "must be between 100ms and 10m, got %s", c.LLMTimeout)
	}
	if c.LLMDailyTokens < 0 {
		add("LLM_DAILY_TOKENS", "must not be negative (0 = no model calls), got %d", c.LLMDailyTokens)
	}
	if c.SlackPace < 0 {
		add("SLACK_PACE", "must not be negative (0 turns pacing off), got %s", c.SlackPace)
	}
	if c.HistoryDays < 0 || c.HistoryDays > 3650 {
		add("HISTORY_DAYS", "must be between 0 (no back-fill) and 3650, got %d", c.HistoryDays)
	}
	if c.HistoryLimit < 1 || c.HistoryLimit > 10000 {
		add("HISTORY_LIMIT", "must be between 1 and 10000, got %d", c.HistoryLimit)
	}
}

// checkHTTPURL returns what is wrong with s as an http or https URL, or ""
// when s is empty or fine. The URL is shown with any password masked.
func checkHTTPURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "is not a valid URL (want e.g. https://example.com)"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Sprintf("%q must be an http:// or https:// URL", redactURL(s))
	}
	if u.Host == "" {
		return fmt.Sprintf("%q has no host (want e.g. https://example.com)", redactURL(s))
	}
	return ""
}
