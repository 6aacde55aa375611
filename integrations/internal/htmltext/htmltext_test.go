package htmltext

import (
	"strings"
	"testing"
	"unicode/utf8"
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

// FuzzText checks that the conversion never panics, keeps valid UTF-8
// valid, and folds blank space as documented.
func FuzzText(f *testing.F) {
	f.Add("<p>Hi &amp; bye</p><blockquote>old</blockquote>")
	f.Add("a < b > c <br/> ünïcödé")
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q is not valid UTF-8", s, out)
		}
		if strings.Contains(out, "\n\n\n") || out != strings.TrimSpace(out) {
			t.Fatalf("Text(%q) = %q is not folded", s, out)
		}
		if e := Excerpt(out, 20); utf8.ValidString(out) && (!utf8.ValidString(e) || utf8.RuneCountInString(e) > 21) {
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
