package htmltext

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText is Text for a body that holds tags: the parsed tree written as
// text without quoted history, or with it when nothing else is left.
func htmlText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		// The parser gives up on elements nested deeper than 512; read the
		// tokens in order instead.
		return fold(func(quotes bool) []byte { return tokenText(s, quotes) })
	}
	return fold(func(quotes bool) []byte { return treeText(doc, quotes) })
}

// fold renders without quoted history, and with it when that leaves nothing.
func fold(render func(dropQuotes bool) []byte) string {
	if out := FoldSpace(string(render(true))); out != "" {
		return out
	}
	return FoldSpace(string(render(false)))
}

// treeText writes the text of the parsed document doc; with dropQuotes the
// quoted history is left out.
func treeText(doc *html.Node, dropQuotes bool) []byte {
	w := &writer{dropQuotes: dropQuotes}
	// Walk the tree in document order without recursion: open a node, go
	// down into it, and close each node when leaving it.
	n := doc
	for {
		opened := w.open(n)
		if w.stopped {
			return w.buf
		}
		if opened && n.FirstChild != nil {
			n = n.FirstChild
			continue
		}
		if opened {
			w.close(n)
		}
		for n != doc && n.NextSibling == nil {
			n = n.Parent
			w.close(n)
		}
		if n == doc {
			return w.buf
		}
		n = n.NextSibling
	}
}

// writer accumulates the text of a document: HTML white space collapsed,
// blocks on their own lines, table cells apart.
type writer struct {
	buf        []byte
	newline    bool   // a block ended or started: a line break is due before the next text
	space      bool   // collapsed white space is due before the next text
	prefix     string // due before the next text: a cell separator, a list bullet
	freshCell  bool   // a table cell has started and holds no text yet
	pre        int    // depth of <pre>: white space is kept
	rows       []bool // per open table row: whether it holds text yet
	lists      []int  // per open list: the last item's number, -1 for <ul>
	dropQuotes bool   // leave quoted history out
	stopped    bool   // a reply header was met: the rest is quoted history
}

// open handles the start of n and reports whether its contents are written.
func (w *writer) open(n *html.Node) bool {
	switch n.Type {
	case html.TextNode:
		if w.dropQuotes && textQuote(n) == quoteRest {
			w.stop()
			return false
		}
		w.text(n.Data)
		return false
	case html.DocumentNode:
		return true
	case html.ElementNode:
	default: // comments, doctypes
		return false
	}
	if skipped(n.DataAtom) {
		return false
	}
	if w.dropQuotes {
		switch elementQuote(n) {
		case quoteSubtree:
			w.dropAttribution()
			if isBlock(n.DataAtom) {
				w.block()
			}
			return false
		case quoteRest:
			w.stop()
			return false
		}
	}
	w.start(n.DataAtom)
	if keepsSpace(n) {
		w.pre++
	}
	return true
}

// close handles the end of n, an opened node.
func (w *writer) close(n *html.Node) {
	if n.Type == html.ElementNode {
		if keepsSpace(n) {
			w.pre = max(w.pre-1, 0)
		}
		w.end(n.DataAtom)
	}
}

// keepsSpace reports whether element n's style keeps its line breaks
// (white-space: pre, pre-wrap or pre-line), as some helpdesks show a plain
// text message.
func keepsSpace(n *html.Node) bool {
	style := attr(n, "style")
	if style == "" {
		return false
	}
	style = strings.ReplaceAll(strings.ToLower(style), " ", "")
	return strings.Contains(style, "white-space:pre")
}

// stop ends the text at a reply header: what follows is quoted history.
func (w *writer) stop() {
	w.dropAttribution()
	w.stopped = true
}

// start handles the start tag of an element a that is written.
func (w *writer) start(a atom.Atom) {
	switch a {
	case atom.Br:
		w.lineBreak()
	case atom.Pre:
		w.block()
		w.pre++
	case atom.Tr:
		w.block()
		w.rows = append(w.rows, false)
	case atom.Td, atom.Th:
		if len(w.rows) > 0 && w.rows[len(w.rows)-1] {
			// The row goes on: no break from a block ending the last cell.
			w.prefix, w.newline = " | ", false
		}
		w.freshCell = true
	case atom.Ul, atom.Ol, atom.Menu, atom.Dir:
		w.block()
		last := -1
		if a == atom.Ol {
			last = 0
		}
		w.lists = append(w.lists, last)
	case atom.Li:
		w.block()
		bullet := "- "
		if k := len(w.lists) - 1; k >= 0 && w.lists[k] >= 0 {
			w.lists[k]++
			bullet = strconv.Itoa(w.lists[k]) + ". "
		}
		w.prefix += bullet
	default:
		if isBlock(a) {
			w.block()
		}
	}
}

// end handles the end tag of an element a that was written.
func (w *writer) end(a atom.Atom) {
	switch a {
	case atom.Pre:
		w.pre = max(w.pre-1, 0)
		w.block()
	case atom.Tr:
		if k := len(w.rows) - 1; k >= 0 {
			had := w.rows[k]
			w.rows = w.rows[:k]
			if had && k > 0 {
				w.rows[k-1] = true
			}
		}
		w.prefix, w.freshCell = "", false
		w.block()
	case atom.Td, atom.Th:
		if w.freshCell {
			w.prefix = ""
		}
		w.freshCell, w.space = false, true
	case atom.Ul, atom.Ol, atom.Menu, atom.Dir:
		if k := len(w.lists) - 1; k >= 0 {
			w.lists = w.lists[:k]
		}
		w.block()
	case atom.Li:
		w.prefix = ""
		w.block()
	default:
		if isBlock(a) {
			w.block()
		}
	}
}

// text writes character data: white space collapsed outside <pre>, and
// U+00A0 kept (FoldSpace turns it into a space) so that a paragraph holding
// only &nbsp; still makes an empty line.
func (w *writer) text(s string) {
	if w.pre > 0 {
		if s = strings.ReplaceAll(s, "\r\n", "\n"); s != "" {
			w.flush()
			w.buf = append(w.buf, s...)
		}
		return
	}
	for s != "" {
		i := strings.IndexAny(s, htmlSpace)
		if i < 0 {
			i = len(s)
		}
		switch word := s[:i]; {
		case word == "":
		case strings.Trim(word, "\u00a0") == "":
			// It ends a line but is no cell's content: a paragraph of
			// &nbsp; makes an empty line, a cell of &nbsp; no separator.
			w.breakLine()
			w.buf = append(w.buf, word...)
		default:
			w.flush()
			w.buf = append(w.buf, word...)
		}
		s = s[i:]
		j := 0
		for j < len(s) && strings.IndexByte(htmlSpace, s[j]) >= 0 {
			j++
		}
		if j > 0 && !w.atLineStart() {
			w.space = true
		}
		s = s[j:]
	}
}

// htmlSpace is the white space that HTML collapses; U+00A0 is not.
const htmlSpace = " \t\n\r\f"

// flush writes what is due before text: the cell separator or bullet, else
// a collapsed space.
func (w *writer) flush() {
	w.breakLine()
	switch {
	case w.prefix != "":
		w.buf = append(w.buf, w.prefix...)
		w.prefix = ""
	case w.space && !w.atLineStart():
		w.buf = append(w.buf, ' ')
	}
	w.space, w.freshCell = false, false
	if k := len(w.rows) - 1; k >= 0 {
		w.rows[k] = true
	}
}

// atLineStart reports whether nothing has been written on the current line.
func (w *writer) atLineStart() bool {
	return len(w.buf) == 0 || w.buf[len(w.buf)-1] == '\n'
}

// breakLine writes the line break that a block left due.
func (w *writer) breakLine() {
	if w.newline {
		if !w.atLineStart() {
			w.buf = append(w.buf, '\n')
		}
		w.newline, w.space = false, false
	}
}

// block makes the next text start a new line unless the current one is
// empty. A block at the start of a table cell stays on the row's line, and
// one at the end of a cell does not break it (see start).
func (w *writer) block() {
	if !w.freshCell {
		w.newline, w.space = true, false
	}
}

// lineBreak ends the current line, empty or not (<br>).
func (w *writer) lineBreak() {
	if !w.freshCell {
		w.breakLine()
		w.buf = append(w.buf, '\n')
		w.space = false
	}
}

// dropAttribution removes the last line written when it introduces quoted
// mail ("On Mon, 6 Jan 2025, Sam wrote:"), as Apple Mail and Thunderbird
// write it just before the quote. Only the last 1 KiB is looked at, so that
// many quotes after a long line cost little.
func (w *writer) dropAttribution() {
	from := max(len(w.buf)-1024, 0)
	end := from + len(bytes.TrimRight(w.buf[from:], " \t\n\u00a0"))
	nl := bytes.LastIndexByte(w.buf[from:end], '\n')
	if nl < 0 && from > 0 {
		return // a line longer than an attribution
	}
	start := from + nl + 1
	if isAttribution(string(w.buf[start:end])) {
		w.buf = w.buf[:start]
		w.space, w.prefix, w.newline = false, "", false
	}
}

// skipped reports whether the contents of element a are never text.
func skipped(a atom.Atom) bool {
	switch a {
	case atom.Head, atom.Title, atom.Script, atom.Style, atom.Template, atom.Noscript,
		atom.Iframe, atom.Object, atom.Embed, atom.Svg, atom.Math, atom.Select, atom.Datalist,
		atom.Audio, atom.Video, atom.Canvas, atom.Map:
		return true
	}
	return false
}

// isBlock reports whether element a starts and ends a line.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Body, atom.Caption, atom.Center,
		atom.Dd, atom.Details, atom.Dialog, atom.Div, atom.Dl, atom.Dt, atom.Fieldset, atom.Figcaption,
		atom.Figure, atom.Footer, atom.Form, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Header, atom.Hgroup, atom.Hr, atom.Html, atom.Legend, atom.Main, atom.Nav, atom.P,
		atom.Section, atom.Summary, atom.Table, atom.Tbody, atom.Thead, atom.Tfoot:
		return true
	}
	return false
}

// tokenText writes the text of s token by token, for documents the parser
// rejects. It knows no tree: a skipped element ends at the end tag of its
// name at the same depth, a style does not keep white space, and reply
// headers after a rule are not seen.
func tokenText(s string, dropQuotes bool) []byte {
	w := &writer{dropQuotes: dropQuotes}
	z := html.NewTokenizer(strings.NewReader(s))
	skip := "" // the element whose contents are left out
	depth := 0 // nesting of skip inside itself
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return w.buf
		}
		tok := z.Token()
		switch {
		case skip != "":
			switch {
			case tt == html.StartTagToken && tok.Data == skip:
				depth++
			case tt == html.EndTagToken && tok.Data == skip:
				if depth--; depth < 0 {
					skip = ""
				}
			}
		case tt == html.TextToken:
			w.text(tok.Data)
		case tt == html.StartTagToken || tt == html.SelfClosingTagToken:
			n := &html.Node{Type: html.ElementNode, DataAtom: tok.DataAtom, Data: tok.Data, Attr: tok.Attr}
			kind := quoteNone
			if dropQuotes {
				kind = elementQuote(n)
			}
			switch {
			case kind == quoteRest:
				w.stop()
				return w.buf
			case kind == quoteSubtree || skipped(tok.DataAtom) && tok.DataAtom != atom.Head:
				// <head> often has no end tag; what it holds is skipped or void.
				if kind == quoteSubtree {
					w.dropAttribution()
					if isBlock(tok.DataAtom) {
						w.block()
					}
				}
				if tt == html.StartTagToken && !isVoid(tok.DataAtom) {
					skip, depth = tok.Data, 0
				}
			default:
				w.start(tok.DataAtom)
			}
		case tt == html.EndTagToken:
			w.end(tok.DataAtom)
		}
	}
}

// isVoid reports whether element a has no end tag.
func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}
