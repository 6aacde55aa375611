package htmltext

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// quoteKind says how much of a document a node of quoted history takes.
type quoteKind int

const (
	quoteNone    quoteKind = iota
	quoteSubtree           // the node and its contents are quoted; text after it is not
	quoteRest              // the node and everything after it in the document are quoted
)

// elementQuote tells whether element n starts quoted history, as the common
// mail clients mark it:
//
//   - <blockquote>, which Apple Mail, Thunderbird, Gmail and the helpdesks
//     wrap quoted mail in (its text after it, an inline answer, is kept);
//   - Gmail's <div class="gmail_quote"> (with the "On … wrote:" line in its
//     gmail_attr), Yahoo's yahoo_quoted, Proton's protonmail_quote, Zoho's
//     zmail_extra and Thunderbird's moz-cite-prefix;
//   - Outlook's reply header, which the quoted mail follows as siblings, not
//     children: <div id="divRplyFwdMsg">, after an <hr> (Outlook on the
//     web, new Outlook, Outlook for iOS; the rule itself is caught too), the
//     mail-editor-reference-message-container (Outlook for iOS and Mac),
//     the OutlookMessageHeader class (older Outlook), a bordered
//     <div style="border-top:…"> starting with From:/Sent: (Outlook for
//     Windows), or any <hr> followed by a From:/Sent: block.
func elementQuote(n *html.Node) quoteKind {
	if n.DataAtom == atom.Blockquote {
		return quoteSubtree
	}
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "id":
			switch strings.ToLower(strings.TrimSpace(a.Val)) {
			case "divrplyfwdmsg", "mail-editor-reference-message-container":
				return quoteRest
			}
		case "class":
			for _, c := range strings.Fields(a.Val) {
				switch strings.ToLower(c) {
				case "gmail_quote", "gmail_quote_container", "gmail_attr", "yahoo_quoted",
					"protonmail_quote", "zmail_extra", "moz-cite-prefix":
					return quoteSubtree
				case "outlookmessageheader":
					return quoteRest
				}
			}
		}
	}
	switch n.DataAtom {
	case atom.Hr:
		if replyHeader(peekText(following(n))) {
			return quoteRest
		}
	case atom.Div, atom.P:
		if strings.Contains(strings.ToLower(attr(n, "style")), "border-top") && replyHeader(peekText(n)) {
			return quoteRest
		}
	}
	return quoteNone
}

// textQuote tells whether text node n starts quoted history: a divider such
// as "-----Original Message-----", or a rule of underscores or dashes (the
// plain-text form of Outlook's <hr>) followed by a From:/Sent: block.
func textQuote(n *html.Node) quoteKind {
	t := strings.TrimSpace(strings.ReplaceAll(n.Data, "\u00a0", " "))
	if len(t) < 10 || len(t) > 80 || t[0] != '-' && t[0] != '_' {
		return quoteNone
	}
	if strings.Trim(t, "_") == "" || strings.Trim(t, "-") == "" {
		if replyHeader(peekText(following(n))) {
			return quoteRest
		}
		return quoteNone
	}
	if !strings.HasPrefix(t, "--") || !strings.HasSuffix(t, "--") {
		return quoteNone
	}
	switch strings.ToLower(strings.TrimSpace(strings.Trim(t, "-"))) {
	case "original message", "ursprüngliche nachricht", "message d'origine", "mensaje original",
		"messaggio originale", "oorspronkelijk bericht", "mensagem original", "originalmeddelande",
		"oprindelig meddelelse", "opprinnelig melding":
		return quoteRest
	}
	return quoteNone
}

// replyHeader reports whether text starts with a reply header as Outlook
// writes it, in the language of the replying client: a From: line and,
// within the next five lines, a Sent: or Date: line.
func replyHeader(text string) bool {
	var lines []string
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" {
			lines = append(lines, l)
		}
		if len(lines) == 6 {
			break
		}
	}
	from := []string{"from:", "von:", "de:", "de :", "van:", "da:", "från:", "fra:", "od:", "lähettäjä:"}
	if len(lines) < 2 || !hasLabel(lines[0], from) {
		return false
	}
	sent := []string{"sent:", "date:", "date :", "gesendet:", "datum:", "envoyé :", "envoyé:", "enviado:",
		"enviado el:", "fecha:", "verzonden:", "inviato:", "data:", "skickat:", "sendt:", "wysłano:", "wysłane:",
		"lähetetty:", "päivämäärä:"}
	for _, l := range lines[1:] {
		if hasLabel(l, sent) {
			return true
		}
	}
	return false
}

// hasLabel reports whether line starts with one of labels.
func hasLabel(line string, labels []string) bool {
	for _, l := range labels {
		if strings.HasPrefix(line, l) {
			return true
		}
	}
	return false
}

// isAttribution reports whether line introduces quoted mail: it ends with
// a colon and names the writing, as in "On Mon, 6 Jan 2025, Sam wrote:" or
// "Am 06.01.2025 schrieb Sam <sam@example.com>:".
func isAttribution(line string) bool {
	l := strings.ToLower(strings.TrimSpace(line))
	if !strings.HasSuffix(l, ":") || len(l) > 400 {
		return false
	}
	for _, verb := range []string{"wrote", "schrieb", "a écrit", "escribió", "ha scritto", "schreef", "skrev",
		"escreveu", "napisał", "kirjoitti"} {
		if strings.Contains(l, verb) {
			return true
		}
	}
	return false
}

// Limits of peekText, which looks ahead for a reply header: far enough for
// its first lines, and bounded so that many rules cost little.
const (
	peekBytes = 400
	peekNodes = 64
)

// peekText returns the start of the text from node n on in document order,
// with a line break for <br> and each block, white space collapsed.
func peekText(n *html.Node) string {
	var b strings.Builder
	for seen := 0; n != nil && seen < peekNodes && b.Len() < peekBytes; seen++ {
		descend := true
		switch n.Type {
		case html.TextNode:
			b.WriteString(strings.Join(strings.Fields(n.Data), " "))
			b.WriteByte(' ')
		case html.ElementNode:
			switch {
			case skipped(n.DataAtom):
				descend = false
			case n.DataAtom == atom.Br || isBlock(n.DataAtom) || n.DataAtom == atom.Tr || n.DataAtom == atom.Li:
				b.WriteByte('\n')
			}
		}
		n = successor(n, descend)
	}
	return b.String()
}

// following returns the node after n and its contents in document order.
func following(n *html.Node) *html.Node {
	return successor(n, false)
}

// successor returns the node after n in document order: its first child
// when descend is set, else the next sibling of n or of its nearest
// ancestor that has one.
func successor(n *html.Node, descend bool) *html.Node {
	if descend && n.FirstChild != nil {
		return n.FirstChild
	}
	for ; n != nil; n = n.Parent {
		if n.NextSibling != nil {
			return n.NextSibling
		}
	}
	return nil
}

// attr returns the value of n's attribute key, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}
