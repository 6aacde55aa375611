// Package htmltext turns the HTML of helpdesk messages into the plain text
// plusone stores and shows: tags dropped, blocks on their own lines, table
// cells apart, entities decoded, quoted earlier mail left out.
//
// HTML is read with the HTML5 parser of golang.org/x/net/html, so attribute
// values, comments, scripts and unclosed tags are understood the way a
// browser understands them; the text is then written from the tree
// (render.go) while the quoted history of the common mail clients is left
// out (quote.go).
package htmltext

import (
	"html"
	"strings"
	"unicode/utf8"
)

// Text turns a message body that a helpdesk sends as HTML into plain text.
// Tags are dropped; block elements, <br> and table rows become line breaks,
// table cells are separated by " | " and list items start with "- " (or
// their number in an ordered list). Entities are decoded (&nbsp; becomes a
// plain space), white space is collapsed as a browser does, and the result
// is folded by FoldSpace. The contents of <head>, <script>, <style>,
// <template> and similar are left out, and so is quoted earlier mail:
// <blockquote>, Gmail's gmail_quote, and Outlook's reply header (its
// divRplyFwdMsg block, or a From:/Sent: block after a rule) with everything
// after it. When nothing but quoted mail is left, the quoted mail is kept,
// so a forwarded message does not become empty. Links keep their text, not
// their address.
//
// A body without tags is plain text: only its entities are decoded and its
// lines kept. The result is valid UTF-8.
func Text(s string) string {
	// "text <b" is a truncated tag to a browser, but helpdesk fields that
	// are plain text get here too, so a tag left unclosed at the end is text.
	if i := strings.LastIndexByte(s, '<'); i >= 0 && i+1 < len(s) && startsTag(s[i+1]) && !strings.Contains(s[i:], ">") {
		s = s[:i] + "&lt;" + s[i+1:]
	}
	var out string
	if hasTag(s) {
		out = htmlText(s)
	} else {
		out = FoldSpace(html.UnescapeString(s))
	}
	return strings.ToValidUTF8(out, "\uFFFD")
}

// hasTag reports whether s holds something an HTML tokenizer reads as a tag,
// a comment or a doctype: "<" followed by a letter, "/", "!" or "?".
func hasTag(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '<' && (startsTag(s[i+1]) || s[i+1] == '!' || s[i+1] == '?') {
			return true
		}
	}
	return false
}

// startsTag reports whether c, after "<", starts a start or end tag.
func startsTag(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/'
}

// FoldSpace trims every line, folds runs of spaces inside lines, and keeps
// at most one empty line between paragraphs.
func FoldSpace(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	var out []string
	blank := false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// Excerpt returns the first line of s, cut to about n runes at a word
// boundary with an ellipsis when it is longer.
func Excerpt(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	head, runes := s, 0
	for i := range s {
		if runes == n {
			head = s[:i]
			break
		}
		runes++
	}
	if sp := strings.LastIndexByte(head, ' '); sp > len(head)/2 {
		head = head[:sp]
	}
	return strings.TrimRight(head, " ,.;:-") + "…"
}
