package view

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendered card (run go test ./bot -update and review the diff)\n--- got ---\n%s", path, got)
	}
}

// payload is the message as chat.postMessage receives it.
func payload(t *testing.T, m Message) []byte {
	t.Helper()
	b, err := json.MarshalIndent(struct {
		Text   string       `json:"text"`
		Blocks slack.Blocks `json:"blocks"`
	}{m.Text, slack.Blocks{BlockSet: m.Blocks}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// slack-go's json.Marshal escapes <, > and & as \u003c…; undo it so the
	// golden files read like Slack mrkdwn. (Both sides of a comparison go
	// through the same replacement.)
	s := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
	return []byte(s + "\n")
}

func TestCardMessageGolden(t *testing.T) {
	t.Parallel()
	for name, c := range viewtest.SampleCards() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := CardMessage(c)
			if err := Validate(m); err != nil {
				t.Errorf("Validate: %v", err)
			}
			golden(t, name+".golden.json", payload(t, m))
			golden(t, name+".golden.txt", []byte(CardText(c)))
			if m.Plain != CardText(c) {
				t.Error("Message.Plain is not CardText")
			}
		})
	}
}

func TestCardMessageRich(t *testing.T) {
	t.Parallel()
	m := CardMessage(viewtest.RichCard())
	js := string(payload(t, m))
	for _, want := range []string{
		`"text": "Jane Doe · Loyal"`,
		`<https://acme.zendesk.com/agent/tickets/5158|Where is my order? Tires &amp; rims &lt;urgent&gt;>`,
		`Zendesk · Open · opened 2 hours ago`,
		`*Lifetime value*\n$1,234.50`, `*Orders*\n3`, `*Customer since*\nMar 2024`, `*Open tickets*\n2`,
		`*Email*\njane@example.com`, `*Phone*\n+1 555 0100`,
		`:shopping_trolley: *Abandoned cart* — abandoned $89 cart 2 days ago · <https://shop.example.com/cart/c-77?step=contact_information&amp;locale=en|view cart>`,
		`*Nov 20* · Zendesk`, `*Nov 18* · Shopify`,
		`Wrong size delivered>` + " · Help Scout · Pending · opened Nov 17",
		`• *contact:* email, mornings _(Zendesk)_`, `_(via <@U0AGENT01>)_`,
		`plusone · zendesk:5158 · <!date^1795187045^updated {date_short_pretty} at {time}|updated Nov 20, 2026 15:04 UTC>`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	// The abandoned cart comes before big spender: signals in SignalKinds order.
	if strings.Index(js, "Abandoned cart") > strings.Index(js, "Big spender") {
		t.Error("signals not in SignalKinds order")
	}
	// Seven touchpoints, the newest five shown.
	var activity string
	for _, b := range m.Blocks {
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil && strings.HasPrefix(s.Text.Text, "*Recent activity*") {
			activity = s.Text.Text
		}
	}
	if lines := strings.Split(activity, "\n"); len(lines) != 1+5 || !strings.HasPrefix(lines[5], "*Oct 11* · Intercom") {
		t.Errorf("recent activity:\n%s", activity)
	}
	// The solved ticket is not an open ticket.
	if strings.Contains(js, "Invoice copy") {
		t.Error("solved ticket listed as open")
	}
}

func TestCardMessageHidden(t *testing.T) {
	t.Parallel()
	c := viewtest.HiddenPhoneCard()
	js := string(payload(t, CardMessage(c)))
	if strings.Contains(js, "555") || strings.Contains(CardText(c), "555") {
		t.Error("hidden phone shown")
	}
	if !strings.Contains(js, "jane@example.com") {
		t.Error("email missing")
	}

	c.Hidden = []string{"email", "phone"}
	c.View.Customer.Name = ""
	m := CardMessage(c)
	for _, s := range []string{string(payload(t, m)), CardText(c)} {
		if strings.Contains(s, "jane@example.com") {
			t.Errorf("hidden email shown:\n%s", s)
		}
	}
	if !strings.Contains(m.Text, "Customer #42") {
		t.Errorf("fallback text %q: want the customer's number when name and email are hidden", m.Text)
	}
}

func TestCardMessageExtremeStaysCompact(t *testing.T) {
	t.Parallel()
	m := CardMessage(viewtest.ExtremeCard())
	if err := Validate(m); err != nil {
		t.Fatal(err)
	}
	// Slack also rejects messages whose blocks are long in total
	// (msg_blocks_too_long, seen near 13,000 characters of text; not
	// documented). A card must stay well below that.
	if n := textLength(t, m); n > 9000 {
		t.Errorf("extreme card has %d characters of text, want under 9000", n)
	}
	if len(m.Blocks) > 12 {
		t.Errorf("extreme card has %d blocks", len(m.Blocks))
	}
	js := string(payload(t, m))
	if strings.Contains(js, "\\u001b") || strings.Contains(js, "<!channel>") {
		t.Error("control characters or a channel mention leaked into the card")
	}
}

// textLength sums the length of every text in m's blocks.
func textLength(t *testing.T, m Message) int {
	t.Helper()
	raw, err := json.Marshal(slack.Blocks{BlockSet: m.Blocks})
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if s, ok := x["text"].(string); ok {
				n += length(s)
			}
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(tree)
	return n
}

func TestFallbackTextNamesCustomerAndSubject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    func() Message
		want string
	}{
		{"rich", func() Message { return CardMessage(viewtest.RichCard()) }, "Jane Doe (Loyal) — Where is my order? Tires &amp; rims &lt;urgent&gt;"},
		{"new", func() Message { return CardMessage(viewtest.NewCustomerCard()) }, "sam@example.org (New) — Do you ship to Canada?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.c().Text; got != tt.want {
				t.Errorf("Text = %q, want %q", got, tt.want)
			}
		})
	}
	m := CardMessage(viewtest.ExtremeCard())
	if !strings.HasPrefix(m.Text, "Maximiliana-Bartholomäa") || !strings.Contains(m.Text, "Re: &lt;&amp;&gt; Fwd") {
		t.Errorf("extreme fallback text %q", m.Text)
	}
}

func TestCardMessageNoSubject(t *testing.T) {
	t.Parallel()
	c := viewtest.NewCustomerCard()
	c.Ticket.Subject = "  \n "
	m := CardMessage(c)
	if !strings.HasSuffix(m.Text, "— Ticket T-1") {
		t.Errorf("Text = %q", m.Text)
	}
	if err := Validate(m); err != nil {
		t.Error(err)
	}
}

// FuzzCardMessage: whatever the customer's data, the card fits Slack.
func FuzzCardMessage(f *testing.F) {
	f.Add("Jane Doe", "Where is my order?", "Ticket opened", "https://x.example/1", "contact", "email")
	f.Add("", "", "", "", "", "")
	f.Add(strings.Repeat("&", 400), strings.Repeat("<>", 2000), strings.Repeat("🎉", 3000), "javascript:alert(1)", "\x00", "\u202e")
	f.Fuzz(func(t *testing.T, name, subject, summary, url, key, value string) {
		c := viewtest.RichCard()
		c.View.Customer.Name = name
		c.Ticket.Subject, c.Ticket.URL = subject, url
		c.View.Timeline[0].Summary, c.View.Timeline[0].URL = summary, url
		c.View.Preferences[0].Key, c.View.Preferences[0].Value = key, value
		c.Signals[1].Evidence, c.Signals[1].URL = summary, url
		m := CardMessage(c)
		if err := Validate(m); err != nil {
			t.Fatal(err)
		}
	})
}
