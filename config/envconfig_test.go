package config

import (
	"bytes"
	"strings"
	"testing"
	"text/template"

	"github.com/kelseyhightower/envconfig"
)

// The reader in environ.go follows envconfig's tags without calling
// envconfig (which only reads the process environment). These tests keep
// the two in step.

func TestEnvconfigAgreesOnNames(t *testing.T) {
	t.Parallel()
	tmpl := template.Must(template.New("").Parse(`{{range .}}{{.Key}}={{.Tags.Get "default"}}` + "\n" + `{{end}}`))
	var b bytes.Buffer
	if err := envconfig.Usaget(strings.TrimSuffix(Prefix, "_"), &Config{}, &b, tmpl); err != nil {
		t.Fatal(err)
	}
	var ours strings.Builder
	for _, v := range Describe() {
		ours.WriteString(v.Name + "=" + v.Default + "\n")
	}
	if b.String() != ours.String() {
		t.Errorf("envconfig reads\n%s\nDescribe lists\n%s", b.String(), ours.String())
	}
}

// Not parallel: it sets process environment variables for envconfig.
func TestEnvconfigAgreesOnValues(t *testing.T) {
	vars := map[string]string{
		"ADDR": ":9090", "DATABASE_URL": "sqlite:/tmp/x.db", "MAX_BODY_BYTES": "4096", "POLICY_FILE": "p.yaml",
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_CHANNEL": "C0X",
		"SLACK_API_URL": "https://slack.example/api/", "LOG_LEVEL": "warn", "WORKERS": "3", "MAX_ATTEMPTS": "7",
		"RETRY_BASE": "2s", "RETRY_MAX": "1m", "SLACK_PACE": "250ms", "SHUTDOWN_TIMEOUT": "5s", "LEASE": "30s", "HEARTBEAT": "3s",
		"STORE_TIMEOUT": "7s", "INTAKE_TIMEOUT": "2s", "HISTORY_DAYS": "90", "HISTORY_LIMIT": "50",
		"LLM_TIMEOUT": "9s", "LLM_DAILY_TOKENS": "5000",
	}
	for k, v := range secrets {
		if k != "SLACK_BOT_TOKEN" && k != "SLACK_APP_TOKEN" {
			vars[k] = v
		}
	}
	vars["ZENDESK_URL"], vars["ZENDESK_EMAIL"] = "https://z.example", "a@z.example"
	vars["SHOPIFY_URL"], vars["FRESHDESK_URL"] = "https://s.example", "https://f.example"
	// Set every variable (empty when not in vars) so that envconfig's
	// unprefixed fallback never picks up something from the environment.
	for _, v := range Describe() {
		t.Setenv(v.Name, vars[strings.TrimPrefix(v.Name, Prefix)])
		t.Setenv(strings.TrimPrefix(v.Name, Prefix), "")
	}
	var theirs Config
	if err := envconfig.Process("plusone", &theirs); err != nil {
		t.Fatal(err)
	}
	ours, err := Load(env(vars), testSources())
	if err != nil {
		t.Fatal(err)
	}
	// envconfig takes an empty variable as set; fill in defaults to compare.
	theirs.OpenAIBaseURL, theirs.OpenAIModel, theirs.IntercomURL, theirs.HelpScoutURL, theirs.SlackOIDCURL = ours.OpenAIBaseURL, ours.OpenAIModel, ours.IntercomURL, ours.HelpScoutURL, ours.SlackOIDCURL
	if theirs != *ours {
		t.Errorf("envconfig.Process read\n%+v\nLoad read\n%+v", theirs.LogValue(), ours.LogValue())
	}
}
