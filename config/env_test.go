package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// env returns a getenv over vars, whose keys lack the PLUSONE_ prefix.
func env(vars map[string]string) func(string) string {
	return func(key string) string {
		name, ok := strings.CutPrefix(key, Prefix)
		if !ok {
			return ""
		}
		return vars[name]
	}
}

// problemsOf returns the environment problems in err, failing the test if
// err holds none.
func problemsOf(t *testing.T, err error) Problems {
	t.Helper()
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) holds no Problems", err, err)
	}
	return ps
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil), testSources())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Addr:            ":8080",
		DatabaseURL:     "sqlite:plusone.db",
		MaxBodyBytes:    1048576,
		SlackAPIURL:     "https://slack.com/api/",
		OpenAIBaseURL:   "https://api.openai.com/v1",
		OpenAIModel:     "gpt-4o-mini",
		LLMTimeout:      4 * time.Second,
		LLMDailyTokens:  2000000,
		IntercomURL:     "https://api.intercom.io",
		HelpScoutURL:    "https://api.helpscout.net",
		SlackOIDCURL:    "https://slack.com",
		LogLevel:        slog.LevelInfo,
		Workers:         4,
		MaxAttempts:     10,
		RetryBase:       time.Second,
		RetryMax:        5 * time.Minute,
		SlackPace:       time.Second,
		ShutdownTimeout: 20 * time.Second,
		Lease:           time.Minute,
		Heartbeat:       2 * time.Second,
		StoreTimeout:    10 * time.Second,
		IntakeTimeout:   3 * time.Second,
		HistoryDays:     365,
		HistoryLimit:    100,
	}
	if *c != want {
		t.Errorf("Load(empty) =\n%#v\nwant\n%#v", *c, want)
	}
	if !c.LocalMode() || c.SocketMode() {
		t.Errorf("LocalMode, SocketMode = %v, %v; want true, false", c.LocalMode(), c.SocketMode())
	}
	if d, dsn := c.Database(); d != "sqlite" || dsn != "plusone.db" {
		t.Errorf("Database() = %q, %q; want sqlite, plusone.db", d, dsn)
	}
}

func TestLoadValues(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"ADDR":                     "127.0.0.1:9000",
		"DATABASE_URL":             "postgres://plusone:pw@db:5432/plusone?sslmode=disable",
		"SLACK_BOT_TOKEN":          "xoxb-1-2-3",
		"SLACK_APP_TOKEN":          "xapp-1-A-2",
		"SLACK_API_URL":            "http://127.0.0.1:9999/api",
		"SLACK_CHANNEL":            "C0CARDS",
		"MAX_BODY_BYTES":           " 2048 ",
		"OPENAI_BASE_URL":          "http://localhost:11434/v1",
		"ZENDESK_WEBHOOK_SECRET":   "zd",
		"SHOPIFY_WEBHOOK_SECRET":   "sh",
		"INTERCOM_WEBHOOK_SECRET":  "ic",
		"HELPSCOUT_WEBHOOK_SECRET": "hs",
		"FRESHDESK_WEBHOOK_SECRET": "fd",
		"GENERIC_WEBHOOK_SECRET":   "gen",
		"LOG_LEVEL":                "DEBUG",
		"WORKERS":                  "8",
		"SLACK_PACE":               "0",
		"LEASE":                    "90s",
	}), testSources())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.SlackAPIURL != "http://127.0.0.1:9999/api/" {
		t.Errorf("SlackAPIURL = %q, want a trailing slash added", c.SlackAPIURL)
	}
	if d, dsn := c.Database(); d != "postgres" || dsn != "postgres://plusone:pw@db:5432/plusone?sslmode=disable" {
		t.Errorf("Database() = %q, %q", d, dsn)
	}
	if c.MaxBodyBytes != 2048 || c.Workers != 8 || c.SlackPace != 0 || c.Lease != 90*time.Second || c.LogLevel != slog.LevelDebug {
		t.Errorf("MaxBodyBytes, Workers, SlackPace, Lease, LogLevel = %d, %d, %s, %s, %s", c.MaxBodyBytes, c.Workers, c.SlackPace, c.Lease, c.LogLevel)
	}
	if c.LocalMode() || !c.SocketMode() {
		t.Errorf("LocalMode, SocketMode = %v, %v; want false, true", c.LocalMode(), c.SocketMode())
	}
	want := map[plusone.Source]string{"zendesk": "zd", "shopify": "sh", "intercom": "ic",
		"helpscout": "hs", "freshdesk": "fd", "generic": "gen"}
	for _, d := range testSources() {
		if got := c.WebhookSecret(d); got != want[d.Source] {
			t.Errorf("WebhookSecret(%s) = %q, want %q", d.Source, got, want[d.Source])
		}
	}
	if got := c.OpenWebhooks(testSources()); len(got) != 6 || got[0] != plusone.SourceZendesk {
		t.Errorf("OpenWebhooks = %v, want all six in the contract's order", got)
	}
	for name, want := range map[string]string{"PLUSONE_ZENDESK_WEBHOOK_SECRET": "zd", "PLUSONE_INTERCOM_URL": "https://api.intercom.io",
		"ZENDESK_WEBHOOK_SECRET": "", "PLUSONE_WORKERS": "", "PLUSONE_NO_SUCH": ""} {
		if got := c.Var(name); got != want {
			t.Errorf("Var(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestLoadProblems(t *testing.T) {
	t.Parallel()
	slack := map[string]string{"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "SLACK_CHANNEL": "C0CARDS"}
	with := func(base map[string]string, kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name string
		vars map[string]string
		want string // the one problem expected
	}{
		{"body not a number", with(nil, "MAX_BODY_BYTES", "abc"), `PLUSONE_MAX_BODY_BYTES: "abc" is not a number`},
		{"body zero", with(nil, "MAX_BODY_BYTES", "0"), `PLUSONE_MAX_BODY_BYTES: must be more than 0`},
		{"database scheme", with(nil, "DATABASE_URL", "mysql://x"), `PLUSONE_DATABASE_URL: must start with sqlite: or postgres://`},
		{"database sqlite path", with(nil, "DATABASE_URL", "sqlite:"), `PLUSONE_DATABASE_URL: sqlite: needs a file path`},
		{"addr", with(nil, "ADDR", "8080"), `PLUSONE_ADDR: "8080" is not a listen address`},
		{"bot token", with(slack, "SLACK_BOT_TOKEN", "xoxp-user"), `PLUSONE_SLACK_BOT_TOKEN: must start with xoxb-`},
		{"app token", with(slack, "SLACK_APP_TOKEN", "xoxb-nope"), `PLUSONE_SLACK_APP_TOKEN: must start with xapp-`},
		{"app token without bot", with(nil, "SLACK_APP_TOKEN", "xapp-1"), `PLUSONE_SLACK_BOT_TOKEN: required when PLUSONE_SLACK_APP_TOKEN is set`},
		{"signing secret", with(slack, "SLACK_SIGNING_SECRET", ""),
			`PLUSONE_SLACK_SIGNING_SECRET: required when PLUSONE_SLACK_BOT_TOKEN is set and PLUSONE_SLACK_APP_TOKEN is not (HTTP mode)`},
		{"channel required", with(slack, "SLACK_CHANNEL", ""), `PLUSONE_SLACK_CHANNEL: required when PLUSONE_SLACK_BOT_TOKEN is set`},
		{"channel name", with(nil, "SLACK_CHANNEL", "#support"), `PLUSONE_SLACK_CHANNEL: "#support" is not a channel ID`},
		{"slack url scheme", with(nil, "SLACK_API_URL", "ftp://slack.com/api/"), `PLUSONE_SLACK_API_URL: "ftp://slack.com/api/" must be an http:// or https:// URL`},
		{"openai url host", with(nil, "OPENAI_BASE_URL", "https://"), `PLUSONE_OPENAI_BASE_URL: "https://" has no host`},
		{"zendesk url", with(nil, "ZENDESK_URL", "acme.zendesk.com", "ZENDESK_EMAIL", "a@b.c", "ZENDESK_API_TOKEN", "t"),
			`PLUSONE_ZENDESK_URL: "acme.zendesk.com" must be an http:// or https:// URL`},
		{"zendesk incomplete", with(nil, "ZENDESK_URL", "https://acme.zendesk.com", "ZENDESK_EMAIL", "a@b.c"),
			`PLUSONE_ZENDESK_API_TOKEN: required when PLUSONE_ZENDESK_URL and PLUSONE_ZENDESK_EMAIL are set`},
		{"shopify incomplete", with(nil, "SHOPIFY_ACCESS_TOKEN", "shpat_x"), `PLUSONE_SHOPIFY_URL: required when PLUSONE_SHOPIFY_ACCESS_TOKEN is set`},
		{"freshdesk incomplete", with(nil, "FRESHDESK_URL", "https://acme.freshdesk.com"), `PLUSONE_FRESHDESK_API_KEY: required when PLUSONE_FRESHDESK_URL is set`},
		{"log level", with(nil, "LOG_LEVEL", "verbose"), `PLUSONE_LOG_LEVEL: "verbose" is not a log level (want debug, info, warn or error)`},
		{"log level offset", with(nil, "LOG_LEVEL", "warn+2"), `PLUSONE_LOG_LEVEL: "warn+2" is not a log level`},
		{"workers range", with(nil, "WORKERS", "65"), `PLUSONE_WORKERS: must be between 1 and 64, got 65`},
		{"workers zero", with(nil, "WORKERS", "0"), `PLUSONE_WORKERS: must be between 1 and 64, got 0`},
		{"attempts", with(nil, "MAX_ATTEMPTS", "0"), `PLUSONE_MAX_ATTEMPTS: must be at least 1`},
		{"duration unit", with(nil, "RETRY_BASE", "45"), `PLUSONE_RETRY_BASE: "45" is not a duration`},
		{"duration zero", with(nil, "LEASE", "0s"), `PLUSONE_LEASE: must be a positive duration`},
		{"duration negative", with(nil, "SHUTDOWN_TIMEOUT", "-1s"), `PLUSONE_SHUTDOWN_TIMEOUT: must be a positive duration`},
		{"retry max below base", with(nil, "RETRY_BASE", "10s", "RETRY_MAX", "5s"), `PLUSONE_RETRY_MAX: must not be shorter than PLUSONE_RETRY_BASE`},
		{"pace negative", with(nil, "SLACK_PACE", "-1s"), `PLUSONE_SLACK_PACE: must not be negative`},
		{"heartbeat too short", with(nil, "HEARTBEAT", "10ms"), `PLUSONE_HEARTBEAT: must be between 100ms and 1m, got 10ms`},
		{"model timeout too short", with(nil, "LLM_TIMEOUT", "1ms"), `PLUSONE_LLM_TIMEOUT: must be between 100ms and 10m, got 1ms`},
		{"negative token budget", with(nil, "LLM_DAILY_TOKENS", "-5"), `PLUSONE_LLM_DAILY_TOKENS: must not be negative (0 = no model calls), got -5`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(tt.vars), testSources())
			if c == nil {
				t.Fatal("Load returned no Config with its problems")
			}
			ps := problemsOf(t, err)
			if len(ps) != 1 || !strings.HasPrefix(ps[0].String(), tt.want) {
				t.Errorf("problems:\n%v\nwant one starting with\n%s", err, tt.want)
			}
		})
	}
}

func TestLoadCollectsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{
		"MAX_BODY_BYTES":  "abc",
		"DATABASE_URL":    "mysql://db",
		"SLACK_BOT_TOKEN": "xoxp-wrong",
		"WORKERS":         "many",
		"LEASE":           "forever",
	}), testSources())
	ps := problemsOf(t, err)
	var vars []string
	for _, p := range ps {
		vars = append(vars, p.Variable)
	}
	want := []string{"PLUSONE_MAX_BODY_BYTES", "PLUSONE_WORKERS", "PLUSONE_LEASE", "PLUSONE_DATABASE_URL",
		"PLUSONE_SLACK_BOT_TOKEN", "PLUSONE_SLACK_SIGNING_SECRET", "PLUSONE_SLACK_CHANNEL"}
	if strings.Join(vars, " ") != strings.Join(want, " ") {
		t.Errorf("problems name %v, want %v", vars, want)
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != len(want) {
		t.Errorf("Error() has %d lines, want one per problem:\n%s", len(lines), err)
	}
}

// secrets sets every secret to a recognisable value.
var secrets = map[string]string{
	"API_TOKEN": "SECRET-api", "SLACK_BOT_TOKEN": "xoxb-SECRET-bot", "SLACK_SIGNING_SECRET": "SECRET-signing",
	"SLACK_APP_TOKEN": "xapp-SECRET-app", "OPENAI_API_KEY": "sk-SECRET-openai",
	"ZENDESK_WEBHOOK_SECRET": "SECRET-zd", "SHOPIFY_WEBHOOK_SECRET": "SECRET-sh", "INTERCOM_WEBHOOK_SECRET": "SECRET-ic",
	"HELPSCOUT_WEBHOOK_SECRET": "SECRET-hs", "FRESHDESK_WEBHOOK_SECRET": "SECRET-fd", "GENERIC_WEBHOOK_SECRET": "SECRET-gen",
	"ZENDESK_API_TOKEN": "SECRET-zdapi", "SHOPIFY_ACCESS_TOKEN": "SECRET-shapi", "INTERCOM_ACCESS_TOKEN": "SECRET-icapi",
	"FRESHDESK_API_KEY": "SECRET-fdapi",
}

func TestSecretsRedacted(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"SLACK_CHANNEL": "C0CARDS", "ZENDESK_URL": "https://acme.zendesk.com", "ZENDESK_EMAIL": "ops@acme.example",
		"SHOPIFY_URL": "https://acme.myshopify.com", "FRESHDESK_URL": "https://acme.freshdesk.com",
		"DATABASE_URL":    "postgres://plusone:SECRET-dbpass@db/plusone?sslpassword=SECRET-ssl",
		"OPENAI_BASE_URL": "https://user:SECRET-basic@llm.example/v1",
	}
	for k, v := range secrets {
		vars[k] = v
	}
	c, err := Load(env(vars), testSources())
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c)
	for name, out := range map[string]string{
		"LogValue": logged.String(), "String": c.String(), "%v": fmt.Sprintf("%v %+v %s", c, *c, c), "%#v": fmt.Sprintf("%#v", *c),
	} {
		if strings.Contains(out, "SECRET") {
			t.Errorf("%s leaks a secret:\n%s", name, out)
		}
		for _, want := range []string{"C0CARDS", "[redacted]", "ops@acme.example"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, out)
			}
		}
	}
	if !strings.Contains(logged.String(), `"slack_bot_token":"[redacted]"`) || !strings.Contains(logged.String(), `"api_token":"[redacted]"`) {
		t.Errorf("LogValue keys: %s", logged.String())
	}
}

func TestProblemsDoNotShowSecrets(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{
		"SLACK_BOT_TOKEN": "SECRET-not-xoxb", "SLACK_APP_TOKEN": "SECRET-not-xapp",
		"DATABASE_URL": "postgres://u:SECRET@[bad", "SLACK_API_URL": "ftp://u:SECRET@slack.example/",
	}), testSources())
	ps := problemsOf(t, err)
	if len(ps) < 4 {
		t.Errorf("want at least 4 problems, got:\n%v", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Errorf("problems leak a secret:\n%v", err)
	}
}

func TestDescribe(t *testing.T) {
	t.Parallel()
	vs := Describe()
	byName := map[string]Variable{}
	for _, v := range vs {
		byName[v.Name] = v
		if v.Description == "" {
			t.Errorf("%s has no description", v.Name)
		}
	}
	if len(byName) != len(vs) {
		t.Errorf("Describe lists a variable twice")
	}
	for _, name := range []string{"ADDR", "DATABASE_URL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
		"SLACK_API_URL", "SLACK_CHANNEL", "POLICY_FILE", "API_TOKEN", "MAX_BODY_BYTES", "OPENAI_API_KEY",
		"OPENAI_BASE_URL", "OPENAI_MODEL", "ZENDESK_WEBHOOK_SECRET", "SHOPIFY_WEBHOOK_SECRET", "INTERCOM_WEBHOOK_SECRET",
		"HELPSCOUT_WEBHOOK_SECRET", "FRESHDESK_WEBHOOK_SECRET", "GENERIC_WEBHOOK_SECRET", "ZENDESK_URL", "ZENDESK_EMAIL",
		"ZENDESK_API_TOKEN", "SHOPIFY_URL", "SHOPIFY_ACCESS_TOKEN", "INTERCOM_URL", "INTERCOM_ACCESS_TOKEN",
		"FRESHDESK_URL", "FRESHDESK_API_KEY", "LOG_LEVEL", "WORKERS", "MAX_ATTEMPTS", "RETRY_BASE", "RETRY_MAX",
		"SLACK_PACE", "SHUTDOWN_TIMEOUT", "LEASE", "STORE_TIMEOUT", "INTAKE_TIMEOUT"} {
		v, ok := byName[Prefix+name]
		if !ok {
			t.Errorf("Describe lacks %s%s", Prefix, name)
			continue
		}
		if _, secret := secrets[name]; v.Secret != secret {
			t.Errorf("%s: Secret = %v, want %v", v.Name, v.Secret, secret)
		}
	}
	table := MarkdownTable()
	if !strings.Contains(table, "| `PLUSONE_ADDR` | `:8080` | HTTP listen address |") {
		t.Errorf("MarkdownTable:\n%s", table)
	}
}

// Sign in with Slack needs its secret and the public URL; without it the
// console is open only on a loopback address.
func TestConsoleConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		vars    map[string]string
		problem string // a variable named in the problems, "" for none
		open    bool
	}{
		{vars: map[string]string{"ADDR": "127.0.0.1:8080"}, open: true},
		{vars: map[string]string{"ADDR": "localhost:8080"}, open: true},
		{vars: map[string]string{"ADDR": "[::1]:8080"}, open: true},
		{vars: map[string]string{"ADDR": ":8080"}},
		{vars: map[string]string{"ADDR": "0.0.0.0:8080"}},
		{vars: map[string]string{"ADDR": "127.0.0.1:8080", "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s",
			"PUBLIC_URL": "https://plusone.example/"}},
		{vars: map[string]string{"SLACK_CLIENT_ID": "1.2", "PUBLIC_URL": "https://plusone.example"}, problem: "PLUSONE_SLACK_CLIENT_SECRET"},
		{vars: map[string]string{"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s"}, problem: "PLUSONE_PUBLIC_URL"},
		{vars: map[string]string{"SLACK_CLIENT_SECRET": "s"}, problem: "PLUSONE_SLACK_CLIENT_ID"},
		{vars: map[string]string{"PUBLIC_URL": "plusone.example"}, problem: "PLUSONE_PUBLIC_URL"},
	} {
		c, err := Load(env(tc.vars), testSources())
		switch {
		case tc.problem == "" && err != nil:
			t.Errorf("%v: %v", tc.vars, err)
		case tc.problem != "" && (err == nil || !strings.Contains(err.Error(), tc.problem)):
			t.Errorf("%v: want a problem with %s, got %v", tc.vars, tc.problem, err)
		case tc.problem == "" && c.ConsoleOpen() != tc.open:
			t.Errorf("%v: ConsoleOpen = %v", tc.vars, c.ConsoleOpen())
		}
		if tc.problem == "" && tc.vars["PUBLIC_URL"] != "" && strings.HasSuffix(c.PublicURL, "/") {
			t.Errorf("PublicURL keeps its slash: %q", c.PublicURL)
		}
	}
}
