package bot

import (
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"
	"go.yaml.in/yaml/v3"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

type manifestDoc struct {
	Features struct {
		SlashCommands []struct {
			Command string `yaml:"command"`
			URL     string `yaml:"url"`
		} `yaml:"slash_commands"`
		Shortcuts []struct {
			Type       string `yaml:"type"`
			CallbackID string `yaml:"callback_id"`
		} `yaml:"shortcuts"`
		AppHome struct {
			HomeTabEnabled bool `yaml:"home_tab_enabled"`
		} `yaml:"app_home"`
		UnfurlDomains []string `yaml:"unfurl_domains"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		Events struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			Enabled    bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
	} `yaml:"settings"`
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// The manifest declares every command, shortcut, event and interaction the
// code handles, and nothing it does not.
func TestManifestMatchesHandlers(t *testing.T) {
	t.Parallel()
	var m manifestDoc
	if err := yaml.Unmarshal(Manifest(), &m); err != nil {
		t.Fatalf("manifest.yaml: %v", err)
	}
	h := Handled()

	var commands []string
	for _, c := range m.Features.SlashCommands {
		commands = append(commands, c.Command)
		if !strings.HasSuffix(c.URL, "/slack/commands") {
			t.Errorf("command %s posts to %s, not /slack/commands", c.Command, c.URL)
		}
	}
	if got, want := sorted(commands), sorted(h.Commands); !slices.Equal(got, want) {
		t.Errorf("manifest commands %v, handled %v", got, want)
	}
	var shortcuts []string
	for _, s := range m.Features.Shortcuts {
		if s.Type != "message" {
			t.Errorf("shortcut %s is %s, want message", s.CallbackID, s.Type)
		}
		shortcuts = append(shortcuts, s.CallbackID)
	}
	if got, want := sorted(shortcuts), sorted(h.Shortcuts); !slices.Equal(got, want) {
		t.Errorf("manifest shortcuts %v, handled %v", got, want)
	}
	var events []string
	for _, e := range m.Settings.Events.BotEvents {
		kind, _, _ := strings.Cut(e, ".") // message.channels and message.groups are "message" events
		events = append(events, kind)
	}
	if got, want := sorted(events), sorted(h.Events); !slices.Equal(got, want) {
		t.Errorf("manifest events %v, handled %v", got, want)
	}
	if !strings.HasSuffix(m.Settings.Events.RequestURL, "/slack/events") {
		t.Errorf("events request URL %s", m.Settings.Events.RequestURL)
	}
	if !m.Settings.Interactivity.Enabled || !strings.HasSuffix(m.Settings.Interactivity.RequestURL, "/slack/interactions") {
		t.Errorf("interactivity %+v", m.Settings.Interactivity)
	}
	if slices.Contains(h.Events, "app_home_opened") != m.Features.AppHome.HomeTabEnabled {
		t.Error("App Home handled but the home tab is off, or the reverse")
	}
	for scope, needed := range map[string]bool{
		"chat:write": true, "commands": true, "links:read": slices.Contains(h.Events, "link_shared"),
		"links:write": slices.Contains(h.Events, "link_shared"), "channels:history": slices.Contains(h.Events, "message"),
		"users:read.email": true,
	} {
		if needed && !slices.Contains(m.OAuth.Scopes.Bot, scope) {
			t.Errorf("manifest lacks the scope %s", scope)
		}
	}
	if slices.Contains(h.Events, "link_shared") && len(m.Features.UnfurlDomains) == 0 {
		t.Error("link_shared handled but no unfurl domains")
	}

	var views []string
	for _, v := range []slack.ModalViewRequest{view.NoteModal("J", view.NoteMeta{CustomerID: 1}), view.SaveNoteModal(view.SaveNoteMeta{}),
		view.EditPolicyModal([]plusone.Setting{{Path: "customer_budget", Label: "x", Current: "none"}}),
		view.ReplyModal(plusone.SourceZendesk, "Jane", nil, nil, view.ReplyMeta{Ticket: "zendesk:1"}),
		view.CreateTicketModal([]plusone.Source{plusone.SourceZendesk}, "", "", view.CreateTicketMeta{})} {
		views = append(views, v.CallbackID)
	}
	if got, want := sorted(views), sorted(h.Views); !slices.Equal(got, want) {
		t.Errorf("modal callbacks %v, handled %v", got, want)
	}
}
