package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/memory"
	"go.yaml.in/yaml/v3"
)

// TestSources checks that every webhook source in sources() is complete:
// a title, link shapes (under a domain the Slack manifest unfurls), its
// variables (declared by config, named as the contract names them), a docs
// page, an entry in the webhook suite, its constructors (and an API client exactly when it has API variables), and
// routes in the policy that may name it.
func TestSources(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	declared := map[string]bool{}
	for _, v := range config.Describe() {
		declared[v.Name] = true
	}
	// Sources whose links are their senders' own, of no shape we know.
	noLinks := map[plusone.Source]bool{plusone.SourceGeneric: true}
	var manifest struct {
		Features struct {
			UnfurlDomains []string `yaml:"unfurl_domains"`
		} `yaml:"features"`
	}
	if err := yaml.Unmarshal(bot.Manifest(), &manifest); err != nil {
		t.Fatal(err)
	}
	unfurled := manifest.Features.UnfurlDomains
	if len(unfurled) > 5 {
		t.Errorf("the manifest names %d unfurl domains; Slack's manifest takes five (more go in the README's list)", len(unfurled))
	}
	readmeBytes, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(readmeBytes)
	seen := map[plusone.Source]bool{}
	for _, d := range sources() {
		t.Run(string(d.Source), func(t *testing.T) {
			if d.Source == "" || seen[d.Source] {
				t.Fatalf("source %q is empty or listed twice", d.Source)
			}
			seen[d.Source] = true
			title := d.Source.Title()
			if title == "" || title == string(d.Source) {
				t.Errorf("no title: add %s to plusone.Source.Title", d.Source)
			}

			switch {
			case len(d.Links) == 0 && !noLinks[d.Source]:
				t.Error("no link pattern: memory cannot find a ticket or order by its URL")
			case len(d.Links) > 0 && noLinks[d.Source]:
				t.Error("links of a source said to have none")
			}
			for _, p := range d.Links {
				if p.Pattern == nil || p.Pattern.NumSubexp() < 1 {
					t.Errorf("link pattern %v has no group for the id", p.Pattern)
				}
				if !slices.Contains(unfurled, p.Domain) && !strings.Contains(readme, "`"+p.Domain+"`, for ") {
					t.Errorf("link domain %q is neither among the manifest's unfurl_domains %v nor in the README's list of domains to add", p.Domain, unfurled)
				}
			}

			want := config.Prefix + strings.ToUpper(string(d.Source)) + "_WEBHOOK_SECRET"
			if d.Env.WebhookSecret != want {
				t.Errorf("webhook secret variable %q, want %q (the contract's PLUSONE_<SOURCE>_WEBHOOK_SECRET)", d.Env.WebhookSecret, want)
			}
			if d.Env.APIURL == "" && len(d.Env.APICredentials) > 0 {
				t.Error("API credentials without an API URL variable")
			}
			if d.Env.APIURL != "" && len(d.Env.APICredentials) == 0 {
				t.Error("an API URL variable without credentials")
			}
			for _, name := range append([]string{d.Env.WebhookSecret, d.Env.APIURL}, d.Env.APICredentials...) {
				if name != "" && !declared[name] {
					t.Errorf("variable %s is not declared by config.Config", name)
				}
			}

			doc, err := os.ReadFile(filepath.Join(root, "docs", "sources", string(d.Source)+".md"))
			if err != nil {
				t.Errorf("no docs page: %v", err)
			} else {
				heading, _, _ := strings.Cut(string(doc), "\n")
				if !strings.HasPrefix(heading, "# "+title) {
					t.Errorf("docs page starts %q, want the title %q", heading, title)
				}
				if !strings.Contains(string(doc), d.Env.WebhookSecret) {
					t.Errorf("docs page does not name %s", d.Env.WebhookSecret)
				}
			}

			if !inWebhookSuite(t, filepath.Join(root, "integrations", string(d.Source))) {
				t.Error("no webhook suite entry: its tests must call webhooktest.Run and webhooktest.Fuzz")
			}

			env := func(name string) string {
				if name == d.Env.WebhookSecret {
					return "a-secret"
				}
				return ""
			}
			if d.New == nil {
				t.Fatal("no constructor")
			}
			if in := d.New(env, slog.New(slog.NewTextHandler(io.Discard, nil))); in == nil || in.Source() != d.Source {
				t.Errorf("New built %v, want the %s integration", in, d.Source)
			}

			switch {
			case d.Env.APIURL != "" && d.NewAPI == nil:
				t.Error("API variables but no NewAPI")
			case d.Env.APIURL == "" && d.NewAPI != nil:
				t.Error("NewAPI without API variables")
			case d.NewAPI != nil:
				quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
				if api := d.NewAPI(func(string) string { return "" }, quiet, nil); api != nil {
					t.Errorf("NewAPI built %T with no variables set", api)
				}
				all := func(string) string { return "https://api.example.com" }
				if api := d.NewAPI(all, quiet, nil); api == nil || api.Source() != d.Source {
					t.Errorf("NewAPI with every variable set built %v, want the %s API", api, d.Source)
				}
			}

			policy := fmt.Sprintf("routing:\n  - {when: {source: %s}, channel: C0ROUTE}\n", d.Source)
			if _, err := config.ParsePolicy("routing.yaml", []byte(policy)); err != nil {
				t.Errorf("a route cannot name it: %v", err)
			}
		})
	}
}

// inWebhookSuite reports whether the tests in dir run the webhook suite
// and its fuzz test.
func inWebhookSuite(t *testing.T, dir string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Logf("no tests in %s", dir)
		return false
	}
	var run, fuzz bool
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		run = run || strings.Contains(string(b), "webhooktest.Run(t, ")
		fuzz = fuzz || strings.Contains(string(b), "webhooktest.Fuzz(f, ")
	}
	return run && fuzz
}

// TestSourceLinks checks the sources' link shapes against vendor URLs.
func TestSourceLinks(t *testing.T) {
	t.Parallel()
	type linkCase struct {
		link   string
		source plusone.Source
		id     string
		order  bool
	}
	tests := []linkCase{
		{"https://acme.zendesk.com/agent/tickets/5158", plusone.SourceZendesk, "5158", false},
		{"https://acme.zendesk.com/hc/en-us/requests/77", plusone.SourceZendesk, "77", false},
		{"https://app.intercom.com/a/inbox/a86dr8yl/inbox/shared/all/conversation/215473853299345", plusone.SourceIntercom, "215473853299345", false},
		{"https://secure.helpscout.net/conversation/2391938111/349", plusone.SourceHelpScout, "2391938111", false},
		{"https://acme.freshdesk.com/a/tickets/42", plusone.SourceFreshdesk, "42", false},
		{"https://tires-co.myshopify.com/admin/orders/5940139491003", plusone.SourceShopify, "5940139491003", true},
		{"https://admin.shopify.com/store/tires-co/orders/5940139491003", plusone.SourceShopify, "5940139491003", true},
		{"https://admin.shopify.com/store/tires-co/products/5940139491003", "", "", false},
		{"https://example.com/", "", "", false},
		{"ftp://acme.zendesk.com/agent/tickets/1", "", "", false},
	}
	for _, tt := range tests {
		source, id, order, ok := memory.ParseLink(sources(), nil, tt.link)
		if source != tt.source || id != tt.id || order != tt.order || ok != (tt.source != "") {
			t.Errorf("ParseLink(%s) = %s %s %v %v", tt.link, source, id, order, ok)
		}
	}
	// Helpdesks on a custom domain (link_domains): by path, for the vendors
	// that offer one.
	domains := []string{"support.acme.example"}
	for _, tt := range []linkCase{
		{"https://support.acme.example/agent/tickets/5158", plusone.SourceZendesk, "5158", false},
		{"https://support.acme.example/hc/en-us/requests/77", plusone.SourceZendesk, "77", false},
		{"https://support.acme.example/a/tickets/42", plusone.SourceFreshdesk, "42", false},
		{"https://support.acme.example/helpdesk/tickets/43", plusone.SourceFreshdesk, "43", false},
		{"https://support.acme.example/conversation/2391938111", "", "", false},
		{"https://help.other.example/a/tickets/42", "", "", false},
	} {
		source, id, order, ok := memory.ParseLink(sources(), domains, tt.link)
		if source != tt.source || id != tt.id || order != tt.order || ok != (tt.source != "") {
			t.Errorf("ParseLink(%s) on link_domains = %s %s %v %v", tt.link, source, id, order, ok)
		}
	}
	// Every source with links has a URL above.
	for _, d := range sources() {
		if len(d.Links) > 0 && !slices.ContainsFunc(tests, func(tt linkCase) bool { return tt.source == d.Source }) {
			t.Errorf("no URL of %s in the table", d.Source)
		}
	}
}
