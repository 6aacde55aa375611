package config

import (
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// Prefix starts the name of every variable plusone reads.
const Prefix = "PLUSONE_"

// Config is plusone's environment: every PLUSONE_* variable, with its default
// applied and its value checked. Make one with Load.
//
// The struct tags are the single source of truth for the variables: the
// `envconfig` tag is the name without the prefix (as envconfig v1.4.0 reads
// it), `default` and `desc` are envconfig's, and `redact` is ours: "all" for
// secrets, which never appear in errors, String or LogValue, and "password"
// for URLs whose password is masked. Describe lists them for the README.
//
// Operational tuning (all optional):
//
//	PLUSONE_LOG_LEVEL         info  debug, info, warn or error
//	PLUSONE_WORKERS           4     event workers, 1 to 64
//	PLUSONE_MAX_ATTEMPTS      10    processing attempts before an event is parked
//	PLUSONE_RETRY_BASE        1s    first retry backoff, doubling up to RETRY_MAX
//	PLUSONE_RETRY_MAX         5m    longest retry backoff
//	PLUSONE_SLACK_PACE        1s    least time between two messages to one channel; 0 = no pacing
//	PLUSONE_SHUTDOWN_TIMEOUT  20s   how long shutdown waits for work in flight
//	PLUSONE_LEASE             1m    how long a worker's claim on an event lasts
//	PLUSONE_HEARTBEAT         2s    how often each instance beats; one silent for 3 beats is taken over
//	PLUSONE_STORE_TIMEOUT     10s   longest one database call may take before it is given up
//	PLUSONE_INTAKE_TIMEOUT    3s    how long a webhook waits for the database before a 503
//	PLUSONE_HISTORY_DAYS      365   how far back a new customer's history is back-filled; 0 = none
//	PLUSONE_HISTORY_LIMIT     100   items per vendor and customer in a back-fill
type Config struct {
	Addr         string `envconfig:"ADDR" default:":8080" desc:"HTTP listen address"`
	DatabaseURL  string `envconfig:"DATABASE_URL" default:"sqlite:plusone.db" redact:"password" desc:"sqlite:PATH (embedded) or postgres://…"`
	MaxBodyBytes int64  `envconfig:"MAX_BODY_BYTES" default:"1048576" desc:"larger webhook bodies get 413"`
	PolicyFile   string `envconfig:"POLICY_FILE" desc:"policy file (YAML); unset = a conservative built-in policy"`
	APIToken     string `envconfig:"API_TOKEN" redact:"all" desc:"bearer token for /api/v1; unset = API off"`

	SlackBotToken      string `envconfig:"SLACK_BOT_TOKEN" redact:"all" desc:"xoxb-…; unset = local mode"`
	SlackSigningSecret string `envconfig:"SLACK_SIGNING_SECRET" redact:"all" desc:"verifies /slack/* requests; required with a bot token in HTTP mode"`
	SlackAppToken      string `envconfig:"SLACK_APP_TOKEN" redact:"all" desc:"xapp-…; Slack over Socket Mode (no public URL needed)"`
	SlackAPIURL        string `envconfig:"SLACK_API_URL" default:"https://slack.com/api/" desc:"Slack Web API base URL"`
	SlackChannel       string `envconfig:"SLACK_CHANNEL" desc:"default channel ID for context cards"`

	PublicURL         string `envconfig:"PUBLIC_URL" desc:"the service's public base URL (links to the console, the Sign in with Slack redirect)"`
	SlackClientID     string `envconfig:"SLACK_CLIENT_ID" desc:"Sign in with Slack (OpenID Connect) for the web console; unset = the console is open on a loopback address only"`
	SlackClientSecret string `envconfig:"SLACK_CLIENT_SECRET" redact:"all" desc:"the Slack app's client secret, for Sign in with Slack"`
	SlackOIDCURL      string `envconfig:"SLACK_OIDC_URL" default:"https://slack.com" desc:"Sign in with Slack's OpenID Connect issuer"`

	OpenAIAPIKey   string        `envconfig:"OPENAI_API_KEY" redact:"all" desc:"LLM personalisation; neither key nor base URL set = rules only"`
	OpenAIBaseURL  string        `envconfig:"OPENAI_BASE_URL" default:"https://api.openai.com/v1" redact:"password" desc:"any OpenAI-compatible server"`
	OpenAIModel    string        `envconfig:"OPENAI_MODEL" default:"gpt-4o-mini" desc:"model name"`
	LLMTimeout     time.Duration `envconfig:"LLM_TIMEOUT" default:"4s" desc:"longest wait for the model; cards never wait: its answer updates a card already posted"`
	LLMDailyTokens int64         `envconfig:"LLM_DAILY_TOKENS" default:"2000000" desc:"the model's tokens per day (all replicas); past it, rules only until the next day"`

	ZendeskWebhookSecret   string `envconfig:"ZENDESK_WEBHOOK_SECRET" redact:"all" desc:"enables /webhooks/zendesk; several webhooks' secrets separated by commas"`
	ShopifyWebhookSecret   string `envconfig:"SHOPIFY_WEBHOOK_SECRET" redact:"all" desc:"enables /webhooks/shopify"`
	IntercomWebhookSecret  string `envconfig:"INTERCOM_WEBHOOK_SECRET" redact:"all" desc:"enables /webhooks/intercom (the app's client secret)"`
	HelpScoutWebhookSecret string `envconfig:"HELPSCOUT_WEBHOOK_SECRET" redact:"all" desc:"enables /webhooks/helpscout"`
	FreshdeskWebhookSecret string `envconfig:"FRESHDESK_WEBHOOK_SECRET" redact:"all" desc:"enables /webhooks/freshdesk (shared token in X-Plusone-Token)"`
	GenericWebhookSecret   string `envconfig:"GENERIC_WEBHOOK_SECRET" redact:"all" desc:"enables /webhooks/generic"`

	ZendeskURL      string `envconfig:"ZENDESK_URL" redact:"password" desc:"Zendesk API (history back-fill, write-back)"`
	ZendeskEmail    string `envconfig:"ZENDESK_EMAIL" desc:"Zendesk API user"`
	ZendeskAPIToken string `envconfig:"ZENDESK_API_TOKEN" redact:"all" desc:"Zendesk API token"`

	ShopifyURL         string `envconfig:"SHOPIFY_URL" redact:"password" desc:"Shopify Admin API"`
	ShopifyAccessToken string `envconfig:"SHOPIFY_ACCESS_TOKEN" redact:"all" desc:"Shopify Admin API access token"`

	IntercomURL         string `envconfig:"INTERCOM_URL" default:"https://api.intercom.io" redact:"password" desc:"Intercom API"`
	IntercomAccessToken string `envconfig:"INTERCOM_ACCESS_TOKEN" redact:"all" desc:"Intercom API access token"`

	HelpScoutURL       string `envconfig:"HELPSCOUT_URL" default:"https://api.helpscout.net" redact:"password" desc:"Help Scout Mailbox API"`
	HelpScoutAppID     string `envconfig:"HELPSCOUT_APP_ID" redact:"all" desc:"Help Scout app id (OAuth2 client credentials)"`
	HelpScoutAppSecret string `envconfig:"HELPSCOUT_APP_SECRET" redact:"all" desc:"Help Scout app secret"`
	FreshdeskURL       string `envconfig:"FRESHDESK_URL" redact:"password" desc:"Freshdesk API"`
	FreshdeskAPIKey    string `envconfig:"FRESHDESK_API_KEY" redact:"all" desc:"Freshdesk API key"`

	LogLevel        slog.Level    `envconfig:"LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`
	Workers         int           `envconfig:"WORKERS" default:"4" desc:"event workers, 1 to 64"`
	MaxAttempts     int           `envconfig:"MAX_ATTEMPTS" default:"10" desc:"processing attempts before an event is parked"`
	RetryBase       time.Duration `envconfig:"RETRY_BASE" default:"1s" desc:"first retry backoff; it doubles up to RETRY_MAX"`
	RetryMax        time.Duration `envconfig:"RETRY_MAX" default:"5m" desc:"longest retry backoff"`
	SlackPace       time.Duration `envconfig:"SLACK_PACE" default:"1s" desc:"least time between two messages to one Slack channel; 0 = no pacing"`
	ShutdownTimeout time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"20s" desc:"how long shutdown waits for work in flight"`
	Lease           time.Duration `envconfig:"LEASE" default:"1m" desc:"how long a worker's claim on an event lasts"`
	Heartbeat       time.Duration `envconfig:"HEARTBEAT" default:"2s" desc:"how often each instance beats in the store; the claimed work of one silent for 3 beats is taken over"`
	StoreTimeout    time.Duration `envconfig:"STORE_TIMEOUT" default:"10s" desc:"longest one database call may take (a transaction, a queue call) before it is given up"`
	IntakeTimeout   time.Duration `envconfig:"INTAKE_TIMEOUT" default:"3s" desc:"how long a webhook waits for the database before it is answered 503 (the sender retries)"`
	HistoryDays     int           `envconfig:"HISTORY_DAYS" default:"365" desc:"how far back a new customer's history is back-filled from vendor APIs; 0 = no back-fill"`
	HistoryLimit    int           `envconfig:"HISTORY_LIMIT" default:"100" desc:"at most this many tickets, conversations or orders per vendor and customer"`
}

// Load reads the environment through getenv (os.Getenv in main; a map in
// tests) and checks it, with the API variables of sources (the webhook
// sources' descriptions, which cmd/plusone lists). An empty variable counts as unset, so its default
// applies.
//
// When something is wrong the error is Problems, listing every problem
// found, and Load still returns the configuration with the bad values left
// at their defaults, so that `plusone check` can go on to check the policy
// file. Callers that start the service must stop on any error.
func Load(getenv func(string) string, sources []plusone.SourceInfo) (*Config, error) {
	c := &Config{}
	ps := read(c, getenv)
	ps = append(ps, c.validate(ps, sources)...)
	if len(ps) > 0 {
		return c, ps
	}
	return c, nil
}

// Database splits DatabaseURL into a driver name and its data source:
// "sqlite:plusone.db" gives ("sqlite", "plusone.db") and
// "postgres://u@h/db" gives ("postgres", "postgres://u@h/db"). Anything else
// gives two empty strings (Load reports it).
func (c *Config) Database() (driver, dsn string) {
	switch {
	case strings.HasPrefix(c.DatabaseURL, "sqlite:"):
		return "sqlite", strings.TrimPrefix(c.DatabaseURL, "sqlite:")
	case strings.HasPrefix(c.DatabaseURL, "postgres://"), strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		return "postgres", c.DatabaseURL
	default:
		return "", ""
	}
}

// LocalMode reports whether plusone runs without Slack (no bot token): what
// would be sent to Slack is shown locally instead.
func (c *Config) LocalMode() bool { return c.SlackBotToken == "" }

// SocketMode reports whether Slack events, commands and interactions arrive
// over Socket Mode (an app token is set) rather than over HTTP.
func (c *Config) SocketMode() bool { return c.SlackBotToken != "" && c.SlackAppToken != "" }

// OpenWebhooks lists, in the order of sources, the sources with a webhook
// secret: those whose endpoint is open.
func (c *Config) OpenWebhooks(sources []plusone.SourceInfo) []plusone.Source {
	var out []plusone.Source
	for _, d := range sources {
		if c.WebhookSecret(d) != "" {
			out = append(out, d.Source)
		}
	}
	return out
}

// WebhookSecret returns the webhook secret of the source d describes, or ""
// when it has none. A source without a secret has no endpoint.
func (c *Config) WebhookSecret(d plusone.SourceInfo) string {
	return c.Var(d.Env.WebhookSecret)
}

// Var returns the value of the text variable named in full
// ("PLUSONE_ZENDESK_URL"), its default applied; "" when it is unset or
// plusone has no such text variable. Sources read their settings with it.
func (c *Config) Var(name string) string {
	short, ok := strings.CutPrefix(name, Prefix)
	if !ok {
		return ""
	}
	for _, v := range variables() {
		if v.name == short {
			if f := reflect.ValueOf(c).Elem().Field(v.index); f.Kind() == reflect.String {
				return f.String()
			}
			return ""
		}
	}
	return ""
}
