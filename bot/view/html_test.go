package view

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// The console's HTML of a card is the card's blocks as Slack shows them:
// golden files of the rich and the extreme card.
func TestCardHTML(t *testing.T) {
	t.Parallel()
	golden(t, "card_gestures.golden.html", []byte(HTML(CardMessage(gestureCard()))))
	golden(t, "card_extreme.golden.html", []byte(HTML(CardMessage(gestureExtremeCard()))))
	rich := string(HTML(CardMessage(viewtest.RichCard())))
	for _, want := range []string{`class="sk-header"`, `class="sk-fields"`, `<strong>`, `<a href="https://`, `class="sk-button"`} {
		if !strings.Contains(rich, want) {
			t.Errorf("rich card HTML lacks %s:\n%s", want, rich)
		}
	}
}

// mrkdwn becomes HTML; whatever it holds is escaped, and links go only to
// http, https and mailto.
func TestMrkdwnHTML(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"*Jane* · _loyal_ · ~old~ · `T-1`", "<strong>Jane</strong> · <em>loyal</em> · <del>old</del> · <code>T-1</code>"},
		{"<https://help.example.com/T-1|Where is my order?>", `<a href="https://help.example.com/T-1" rel="noopener noreferrer">Where is my order?</a>`},
		{"<javascript:alert(1)|click>", "click"},
		{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; more", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"},
		{"<@U0ANA> in <#C0VIP|vip>", `<span class="sk-mention">@U0ANA</span> in <span class="sk-mention">#vip</span>`},
		{":warning: two\nlines :unknown:", "⚠️ two<br>lines :unknown:"},
		{`<https://x.example/?a=1&amp;b="2"|a "quote">`, `<a href="https://x.example/?a=1&amp;b=&#34;2&#34;" rel="noopener noreferrer">a &#34;quote&#34;</a>`},
	} {
		if got := mrkdwnHTML(tc.in); got != tc.want {
			t.Errorf("mrkdwnHTML(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
	got := string(HTML(Message{Blocks: []slack.Block{
		slack.NewHeaderBlock(plain("<b>Jane</b> :gem:")),
		slack.NewActionBlock("", slack.NewButtonBlockElement("a", "v", plain("Offer · $15"))),
	}}))
	if !strings.Contains(got, "&lt;b&gt;Jane&lt;/b&gt; 💎") || !strings.Contains(got, `disabled title="Acts in Slack">Offer · $15</button>`) {
		t.Errorf("HTML = %s", got)
	}
}
