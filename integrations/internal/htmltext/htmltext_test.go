package htmltext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "  Hello   there  ", "Hello there"},
		{"paragraphs", "<p>One</p><p>Two</p>", "One\nTwo"},
		{"line breaks and blank lines", "<div>Hi,</div><div><br></div><div>text<br/>more</div>", "Hi,\n\ntext\nmore"},
		{"entities", "<p>Tires &amp; Co &#8211; it&#39;s &lt;fine&gt;&nbsp;now</p>", "Tires & Co – it's <fine> now"},
		{"links keep their text", `<p>See <a href="https://x.example/?a=1&amp;b=2">tracking</a>.</p>`, "See tracking."},
		{"quotes, scripts and styles are left out", "<p>New</p><blockquote><p>Old mail</p></blockquote><script>alert(1)</script><style>p{}</style><p>End</p>", "New\nEnd"},
		{"a lone angle bracket is text", "a < b and c > d", "a < b and c > d"},
		{"unclosed tag", "text <b", "text <b"},
		{"comment", "x<!-- hidden -->y", "xy"},
		{"upper-case tags", "<P>One<BR>Two</P>", "One\nTwo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestTextHelpdeskHTML holds what the hand-written converter got wrong and
// the other shapes of real helpdesk HTML.
func TestTextHelpdeskHTML(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		// The five mis-renderings of issue 9.
		{"a > inside an attribute value", `<p title="a > b">Hello</p>`, "Hello"},
		{"a comment holding a tag", "<p>x<!-- <b>old</b> -->y</p>", "xy"},
		{"nested blockquotes", "<p>New</p><blockquote>Old<blockquote>Older</blockquote>Still old</blockquote><p>End</p>", "New\nEnd"},
		{"a script with a < in it", `<p>Before</p><script>if (n<max) next()</script><p>After</p>`, "Before\nAfter"},
		{"table cells and rows", "<table><tr><th>Item</th><th>Qty</th></tr><tr><td>Tire</td><td>4</td></tr></table>", "Item | Qty\nTire | 4"},

		// Tables, lists, blocks and white space.
		{"empty cells add no separator", "<table><tr><td></td><td>a</td><td>&nbsp;</td><td>b</td></tr></table>", "a | b"},
		{"blocks inside cells stay on the row", "<table><tr><td><div>a</div></td><td><p>b</p></td></tr></table>after", "a | b\nafter"},
		{"a nested table", "<table><tr><td>x</td><td><table><tr><td>y</td><td>z</td></tr></table></td></tr></table>", "x | y | z"},
		{"lists", "<ul><li>one</li><li>two</li></ul><ol><li>first<li>second</ol>", "- one\n- two\n1. first\n2. second"},
		{"source line breaks are spaces", "<p>Hello\n   world</p>\n\n<p>again</p>", "Hello world\nagain"},
		{"an nbsp paragraph is an empty line", "<p>a</p><p>&nbsp;</p><p>b</p>", "a\n\nb"},
		{"nbsp is a space", "<div>4&nbsp;&times;&nbsp;R17</div>", "4 × R17"},
		{"br at the end of a block adds no line", "<div>a<br></div><div>b</div>", "a\nb"},
		{"pre keeps its lines", "<pre>a\nb</pre>", "a\nb"},
		{"white-space: pre-wrap keeps its lines", `<div style="white-space: pre-wrap">line 1` + "\n" + `line 2</div>`, "line 1\nline 2"},
		{"head, title, template, noscript and svg are left out", "<head><title>T</title><style>p{}</style></head><body><template>t</template><noscript>n</noscript><svg><text>s</text></svg>B</body>", "B"},
		{"links keep their text, not their address", `<p><a href="https://track.example/1Z999">1Z999</a> <a href="https://x.example/"></a></p>`, "1Z999"},
		{"plain text keeps its lines and decodes entities", "Tires &amp; Co\nthanks", "Tires & Co\nthanks"},

		// Quoted history.
		{"an inline answer after a quote is kept", "<div>Hi</div><blockquote>question?</blockquote><div>answer</div>", "Hi\nanswer"},
		{"Apple Mail's attribution goes with the quote", `<div>Yes.</div><div>On 8 Jan 2025, at 16:40, Sam &lt;s@x.example&gt; wrote:</div><blockquote type="cite">old</blockquote>`, "Yes."},
		{"a German attribution", `<div>Ja.</div><div>Am 08.01.2025 um 16:40 schrieb Sam:</div><blockquote type="cite">alt</blockquote>`, "Ja."},
		{"Gmail's quote", `<div dir="ltr">Thanks!</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon, Sam wrote:<br></div><blockquote class="gmail_quote">old</blockquote></div>`, "Thanks!"},
		{"Thunderbird's cite prefix", `<p>Fine.</p><div class="moz-cite-prefix">On 1/8/25 4:40 PM, Sam wrote:<br></div><blockquote type="cite">old</blockquote>`, "Fine."},
		{"Yahoo's quote", `<div>OK</div><div class="yahoo_quoted"><div>On Monday, Sam wrote:</div><div>old</div></div>`, "OK"},
		{"Outlook on the web: the quote follows the header", `<div>Yes.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Sam<br><b>Sent:</b> Monday</div><div>old</div>`, "Yes."},
		{"Outlook's reply header without a rule", `<div>Yes.</div><div id="divRplyFwdMsg" dir="ltr">From: Sam</div><div>old</div>`, "Yes."},
		{"Outlook for iOS's reference container", `<div>Yes.</div><div id="mail-editor-reference-message-container"><div>From: Sam</div><div>old</div></div><div>old too</div>`, "Yes."},
		{"Outlook for Windows: a bordered From/Sent block", `<p>Yes.</p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p><b>From:</b> Sam<br><b>Sent:</b> Monday<br><b>To:</b> Jane</p></div></div><p>old</p>`, "Yes."},
		{"a German Outlook header after a rule", `<p>Ja.</p><hr><p><b>Von:</b> Sam<br><b>Gesendet:</b> Montag</p><p>alt</p>`, "Ja."},
		{"a rule without a header is kept", "<p>Part one</p><hr><p>Part two</p>", "Part one\nPart two"},
		{"a bordered block without a header is kept", `<div style="border-top:1px solid #ccc">Note</div>`, "Note"},
		{"the Original Message divider", "<p>Yes.</p><p>-----Original Message-----<br>From: Sam<br>Sent: Monday</p><p>old</p>", "Yes."},
		{"an underscore rule followed by a header", "<div>Yes.</div><div>________________________________</div><div>From: Sam</div><div>Sent: Monday</div><div>old</div>", "Yes."},
		{"an underscore rule alone is kept", "<div>a</div><div>__________</div><div>b</div>", "a\n__________\nb"},
		{"nothing but quoted mail is kept", `<div class="gmail_quote">---------- Forwarded message ---------<br>From: Shop<br><div>Your order #1001</div></div>`, "---------- Forwarded message ---------\nFrom: Shop\nYour order #1001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestTextDeepNesting covers bodies the parser rejects (deeper than 512
// elements): they are read token by token, with the same rules.
func TestTextDeepNesting(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("<div>", 600)
	tests := []struct{ name, in, want string }{
		{"quotes and scripts", deep + "new<blockquote>quoted<blockquote>more</blockquote>still</blockquote>text<script>x<y</script>", "new\ntext"},
		{"a head left open", "<head><title>T</title><style>p{}</style>" + deep + "text<br>more", "text\nmore"},
		{"an Outlook header", deep + `Yes.<div id="divRplyFwdMsg">From: Sam</div>old`, "Yes."},
		{"table cells", deep + "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a | b\nc"},
		{"nothing but quoted mail", deep + "<blockquote>quoted</blockquote>", "quoted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := html.Parse(strings.NewReader(tt.in)); err == nil {
				t.Fatal("the parser took the document; the test no longer reaches the token reader")
			}
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 80, "short"},
		{"first line\nsecond line", 80, "first line"},
		{"one two three four five", 12, "one two…"},
		{"ünïcödé ünïcödé ünïcödé", 10, "ünïcödé…"},
		{"abcdefghijklmnop", 5, "abcde…"},
	}
	for _, tt := range tests {
		if got := Excerpt(tt.in, tt.n); got != tt.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// FuzzText checks that the conversion never panics, always returns valid
// UTF-8 no longer than a bounded multiple of its input, and folds blank
// space as documented.
func FuzzText(f *testing.F) {
	f.Add("<p>Hi &amp; bye</p><blockquote>old</blockquote>")
	f.Add("a < b > c <br/> ünïcödé")
	f.Add("<table><tr><td>a<td>b<tr><td>c</table><ol><li>x<li>y</ol>")
	f.Add(`<div>a</div><hr><div id="divRplyFwdMsg"><b>From:</b> x<br><b>Sent:</b> y</div>` + "\xff")
	f.Add(strings.Repeat("<div>", 520) + "deep")
	if files, err := filepath.Glob(filepath.Join("testdata", "*.html")); err == nil {
		for _, name := range files {
			if body, err := os.ReadFile(name); err == nil {
				f.Add(string(body))
			}
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q is not valid UTF-8", s, out)
		}
		// Entities and invalid bytes (as U+FFFD) grow at most threefold; list
		// numbers and separators are written only before text.
		if len(out) > 3*len(s)+8 {
			t.Fatalf("Text(%q) = %d bytes from %d", s, len(out), len(s))
		}
		if strings.Contains(out, "\n\n\n") || out != strings.TrimSpace(out) {
			t.Fatalf("Text(%q) = %q is not folded", s, out)
		}
		if e := Excerpt(out, 20); !utf8.ValidString(e) || utf8.RuneCountInString(e) > 21 {
			t.Fatalf("Excerpt(%q, 20) = %q", out, e)
		}
	})
}

func TestFoldSpace(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"  a \t b  ":                  "a b",
		"one\r\n\r\n\r\n  two\u00a0 ": "one\n\ntwo",
		"\n\nx\n":                     "x",
		"<b> & </b>":                  "<b> & </b>", // no HTML is read
	}
	for in, want := range tests {
		if got := FoldSpace(in); got != want {
			t.Errorf("FoldSpace(%q) = %q, want %q", in, got, want)
		}
	}
}
