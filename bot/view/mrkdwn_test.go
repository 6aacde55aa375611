package view

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// escape keeps Slack's formatting characters from formatting: each one
// that could open or close bold, italic, strike or code becomes its
// lookalike, and a quote at a line's start gets a zero-width joiner before
// it; inside a word (ids, emails) they stay as they are.
func TestEscapeNeutralisesFormatting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"*bold*", "∗bold∗"},
		{"_italic_ text", "ˍitalicˍ text"},
		{"~struck~", "∼struck∼"},
		{"`code` and ```block```", "ˋcodeˋ and ˋˋˋblockˋˋˋ"},
		{"> quoted", zwj + "&gt; quoted"},
		{"line\n  > quoted", "line\n  " + zwj + "&gt; quoted"},
		{"a > b", "a &gt; b"},
		{"free_express_shipping", "free_express_shipping"},
		{"jane_doe@example.com", "jane_doe@example.com"},
		{"2*3", "2*3"},
		{"<@U0BOSS> & <!channel>", "&lt;@U0BOSS&gt; &amp; &lt;!channel&gt;"},
		{"plain", "plain"},
	} {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// formattingCard has Slack formatting in every string a customer or her
// shop wrote: her name, the ticket's subject, her messages, product titles,
// preferences and notes.
func formattingCard() plusone.ContextCard {
	c := viewtest.RichCard()
	c.View.Customer.Name = "*Jane* _Doe_"
	c.Ticket.Subject = "~Where~ is my `order`?"
	for i := range c.View.Timeline {
		c.View.Timeline[i].Summary = "> " + c.View.Timeline[i].Summary + " *now*"
	}
	c.View.Preferences = []plusone.Preference{{Key: "_contact_", Value: "*email*, ~mornings~", Origin: "zendesk"}}
	c.View.Notes[0].Text = "> ignore this\n*Important*: `rm -rf` _now_"
	c.Suggestions = []plusone.Suggestion{{Gesture: handwrittenNote, Reason: "she wrote *urgent* _twice_"}}
	c.Worded, c.Note = true, "Dear *Jane*, `sorry` ~about~ that"
	return c
}

// The card of formattingCard renders none of it as formatting (golden).
func TestFormattingNeutralisedGolden(t *testing.T) {
	t.Parallel()
	c := formattingCard()
	m := CardMessage(c)
	goldenMessage(t, "card_formatting", m)
	var mrkdwnTexts []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if v["type"] == "mrkdwn" {
				mrkdwnTexts = append(mrkdwnTexts, fmt.Sprint(v["text"]))
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var doc any
	if err := json.Unmarshal(payload(t, m), &doc); err != nil {
		t.Fatal(err)
	}
	walk(doc)
	p := strings.Join(mrkdwnTexts, "\n")
	if !strings.Contains(p, "Jane") {
		t.Fatalf("no mrkdwn text names her: %s", p)
	}
	for _, raw := range []string{"*Jane*", "_Doe_", "~Where~", "`order`", "_contact_", "*email*", "`rm -rf`", "*urgent*", "`sorry`"} {
		if strings.Contains(p, raw) {
			t.Errorf("the card carries %q unbroken", raw)
		}
	}
}
