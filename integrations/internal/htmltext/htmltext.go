// Package htmltext turns the HTML of helpdesk messages into the plain text
// plusone stores and shows: tags dropped, blocks on their own lines,
// entities decoded, quoted earlier mail left out.
package htmltext

import (
	"html"
	"strings"
	"unicode/utf8"
)

// Text turns a message body that a helpdesk sends as HTML into plain text:
// tags are dropped, block elements and <br> become line breaks, entities
// are decoded, and runs of blank space are folded. The contents of
// <script>, <style> and <blockquote> (quoted earlier mail) are left out.
func Text(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return FoldSpace(s)
	}
	var b strings.Builder
	skip := "" // the element whose contents are being left out
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			if skip == "" {
				b.WriteString(s)
			}
			break
		}
		if skip == "" {
			b.WriteString(s[:lt])
		}
		s = s[lt:]
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			// A lone "<" is text, not a tag.
			if skip == "" {
				b.WriteString(s)
			}
			break
		}
		inner := s[1:gt]
		name, closing := tagName(inner)
		s = s[gt+1:]
		switch {
		case name == "":
			// "a < b > c" is text; comments and doctypes are not.
			if skip == "" && !strings.HasPrefix(inner, "!") && !strings.HasPrefix(inner, "?") {
				b.WriteString("<" + inner + ">")
			}
		case skip != "":
			if closing && name == skip {
				skip = ""
			}
		case !closing && (name == "script" || name == "style" || name == "blockquote"):
			skip = name
		case name == "br" || closing && breaksLine(name):
			b.WriteByte('\n')
		case breaksLine(name):
			// A block starts on a new line; text before it ends one.
			if str := b.String(); str != "" && !strings.HasSuffix(str, "\n") {
				b.WriteByte('\n')
			}
		}
	}
	return FoldSpace(html.UnescapeString(b.String()))
}

// breaksLine reports whether the element starts or ends a line of text.
func breaksLine(name string) bool {
	switch name {
	case "p", "div", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr":
		return true
	}
	return false
}

// tagName returns the lower-case name of the tag whose text between "<" and
// ">" is t, and whether it closes an element; "" for comments and anything
// that is not a tag.
func tagName(t string) (name string, closing bool) {
	if strings.HasPrefix(t, "/") {
		closing, t = true, t[1:]
	}
	end := 0
	for end < len(t) {
		c := t[end]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			break
		}
		end++
	}
	if end == 0 {
		return "", closing
	}
	return strings.ToLower(t[:end]), closing
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
