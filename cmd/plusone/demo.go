package main

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/shopify"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

//go:embed journey/journey.json
var journeyJSON string

// step is one webhook of the sample journey.
type step struct {
	Note       string          `json:"note"`
	Source     string          `json:"source"`
	Topic      string          `json:"topic"`      // Shopify topic
	ID         string          `json:"id"`         // Shopify event id
	Invocation string          `json:"invocation"` // Zendesk trigger invocation id
	Pause      string          `json:"pause"`      // wait before sending
	Body       json.RawMessage `json:"body"`
}

// demo runs the service on a temporary store with fresh webhook secrets and
// replays a sample customer journey through the real endpoints, signed as
// each vendor signs. Without a Slack token the cards are printed here.
func demo(ctx context.Context, getenv func(string) string, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "plusone-demo-")
	if err != nil {
		return fmt.Errorf("demo: temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)

	overrides := map[string]string{
		"PLUSONE_DATABASE_URL":           "sqlite:" + filepath.Join(dir, "demo.db"),
		"PLUSONE_ADDR":                   "127.0.0.1:0",
		"PLUSONE_GENERIC_WEBHOOK_SECRET": randomSecret(),
		"PLUSONE_ZENDESK_WEBHOOK_SECRET": randomSecret(),
		"PLUSONE_SHOPIFY_WEBHOOK_SECRET": randomSecret(),
	}
	if getenv("PLUSONE_LOG_LEVEL") == "" {
		overrides["PLUSONE_LOG_LEVEL"] = "warn"
	}
	env := func(k string) string {
		if v, ok := overrides[k]; ok {
			return v
		}
		return getenv(k)
	}
	cfg, live, log, err := load(env, stderr)
	if err != nil {
		return err
	}
	out := &lockedWriter{w: stdout}
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, live, log, out, func(addr string) { started <- addr })
	}()
	var addr string
	select {
	case addr = <-started:
	case err := <-done:
		return err
	}
	where := "printed below (no PLUSONE_SLACK_BOT_TOKEN: local mode)"
	if !cfg.LocalMode() {
		where = "posted to Slack channel " + cfg.SlackChannel
	}
	fmt.Fprintf(out, "plusone demo — listening on http://%s\nReplaying a sample customer journey; the context card is %s.\n", addr, where)
	fmt.Fprintf(out, "Web console: %s\n\n", consoleURL(cfg, addr))

	steps, err := journey(time.Now())
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, s := range steps {
		if d, _ := time.ParseDuration(s.Pause); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return <-done
			}
		}
		if err := send(ctx, client, "http://"+addr, cfg, s); err != nil {
			fmt.Fprintf(out, "  ✗ %s: %v\n", s.Note, err)
			continue
		}
		fmt.Fprintf(out, "  → %-8s %s\n", s.Source, s.Note)
	}
	fmt.Fprintf(out, "\nSend your own events (this run's generic secret is %s):\n%s\nPress Ctrl-C to stop.\n\n",
		cfg.GenericWebhookSecret, curlExample(addr, cfg.GenericWebhookSecret))
	return <-done
}

// journey renders the embedded journey with times relative to now.
func journey(now time.Time) ([]step, error) {
	funcs := template.FuncMap{"ago": func(d string) (string, error) {
		dur, err := time.ParseDuration(d)
		return now.Add(-dur).UTC().Format(time.RFC3339), err
	}}
	tmpl, err := template.New("journey").Funcs(funcs).Parse(journeyJSON)
	if err != nil {
		return nil, fmt.Errorf("demo journey: %w", err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, nil); err != nil {
		return nil, fmt.Errorf("demo journey: %w", err)
	}
	var steps []step
	if err := json.Unmarshal(b.Bytes(), &steps); err != nil {
		return nil, fmt.Errorf("demo journey: %w", err)
	}
	return steps, nil
}

// send posts one step, signed for its source.
func send(ctx context.Context, client *http.Client, base string, cfg *config.Config, s step) error {
	var body bytes.Buffer
	if err := json.Compact(&body, s.Body); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/webhooks/"+s.Source, bytes.NewReader(body.Bytes()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	now := time.Now()
	switch s.Source {
	case "generic":
		generic.Sign(req.Header, cfg.GenericWebhookSecret, body.Bytes(), now)
	case "zendesk":
		if s.Invocation != "" {
			req.Header.Set(zendesk.HeaderInvocationID, s.Invocation)
		}
		zendesk.Sign(req.Header, cfg.ZendeskWebhookSecret, body.Bytes(), now)
	case "shopify":
		req.Header.Set(shopify.HeaderTopic, s.Topic)
		req.Header.Set(shopify.HeaderEventID, s.ID)
		req.Header.Set(shopify.HeaderWebhookID, s.ID)
		req.Header.Set(shopify.HeaderShopDomain, "tires-co.myshopify.com")
		shopify.Sign(req.Header, cfg.ShopifyWebhookSecret, body.Bytes(), now)
	default:
		return fmt.Errorf("unknown source %q", s.Source)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(answer)))
	}
	return nil
}

func curlExample(addr, secret string) string {
	return fmt.Sprintf(`  body='{"id":"evt_1","type":"ticket.created","customer":{"email":"you@example.com","name":"You"},"ticket":{"id":"T-1","subject":"Hello"}}'
  ts=$(date +%%s); sig=$(printf '%%s.%%s' "$ts" "$body" | openssl dgst -sha256 -hmac '%s' | sed 's/^.* //')
  curl -s http://%s/webhooks/generic -H "X-Plusone-Timestamp: $ts" -H "X-Plusone-Signature: sha256=$sig" -d "$body"`, secret, addr)
}

func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// lockedWriter serialises writes from the demo and the card printer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// demoCustomer is the email of the sample journey's customer.
const demoCustomer = "maya.chen@example.com"

// consoleURL is the web console's page of the demo customer: open on the
// demo's loopback address, or behind Sign in with Slack at the public URL.
func consoleURL(cfg *config.Config, addr string) string {
	base := "http://" + addr
	if cfg.SlackClientID != "" && cfg.PublicURL != "" {
		base = cfg.PublicURL
	}
	return base + "/console/customers?q=" + url.QueryEscape(demoCustomer)
}
