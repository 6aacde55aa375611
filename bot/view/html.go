package view

import (
	"html"
	"html/template"
	"net/url"
	"regexp"
	"strings"

	"github.com/slack-go/slack"
)

// HTML renders a message's Block Kit blocks as HTML that looks like Slack
// shows them, for the web console: the same blocks the bot posts, so the
// console never shows a card Slack would not. Headers, sections (text,
// fields, an accessory), context lines, buttons (shown, not clickable:
// they act in Slack), dividers and images; other blocks (inputs, only in
// modals) are left out. mrkdwn becomes bold, italics, strike-through,
// code, links and line breaks; the emoji shortcodes plusone uses become
// emoji. Everything else is escaped.
func HTML(m Message) template.HTML {
	var b strings.Builder
	b.WriteString(`<div class="slack-message">`)
	for _, block := range m.Blocks {
		writeBlock(&b, block)
	}
	b.WriteString(`</div>`)
	// Every piece of text written above went through textHTML or
	// html.EscapeString, and attributes through attr.
	return template.HTML(b.String()) //nolint:gosec // escaped above
}

func writeBlock(b *strings.Builder, block slack.Block) {
	switch bl := block.(type) {
	case *slack.HeaderBlock:
		b.WriteString(`<div class="sk-header" role="heading" aria-level="3">`)
		b.WriteString(textHTML(bl.Text))
		b.WriteString(`</div>`)
	case *slack.SectionBlock:
		b.WriteString(`<div class="sk-section">`)
		b.WriteString(`<div class="sk-section-body">`)
		if bl.Text != nil {
			b.WriteString(`<div class="sk-text">`)
			b.WriteString(textHTML(bl.Text))
			b.WriteString(`</div>`)
		}
		if len(bl.Fields) > 0 {
			b.WriteString(`<div class="sk-fields">`)
			for _, f := range bl.Fields {
				b.WriteString(`<div class="sk-field">`)
				b.WriteString(textHTML(f))
				b.WriteString(`</div>`)
			}
			b.WriteString(`</div>`)
		}
		b.WriteString(`</div>`)
		if bl.Accessory != nil {
			b.WriteString(`<div class="sk-accessory">`)
			switch {
			case bl.Accessory.ButtonElement != nil:
				writeElement(b, bl.Accessory.ButtonElement)
			case bl.Accessory.ImageElement != nil:
				writeElement(b, bl.Accessory.ImageElement)
			case bl.Accessory.SelectElement != nil:
				writeElement(b, bl.Accessory.SelectElement)
			case bl.Accessory.OverflowElement != nil:
				writeElement(b, bl.Accessory.OverflowElement)
			}
			b.WriteString(`</div>`)
		}
		b.WriteString(`</div>`)
	case *slack.ContextBlock:
		b.WriteString(`<div class="sk-context">`)
		for _, e := range bl.ContextElements.Elements {
			switch el := e.(type) {
			case *slack.TextBlockObject:
				b.WriteString(`<span>`)
				b.WriteString(textHTML(el))
				b.WriteString(`</span>`)
			case *slack.ImageBlockElement:
				writeElement(b, el)
			}
		}
		b.WriteString(`</div>`)
	case *slack.ActionBlock:
		if bl.Elements == nil {
			return
		}
		b.WriteString(`<div class="sk-actions">`)
		for _, e := range bl.Elements.ElementSet {
			writeElement(b, e)
		}
		b.WriteString(`</div>`)
	case *slack.DividerBlock:
		b.WriteString(`<hr class="sk-divider">`)
	case *slack.ImageBlock:
		b.WriteString(`<img class="sk-image" src="` + attr(safeURL(bl.ImageURL)) + `" alt="` + attr(bl.AltText) + `">`)
	}
}

// writeElement shows an interactive element as Slack shows it. Buttons and
// menus act in Slack only, so they are drawn disabled.
func writeElement(b *strings.Builder, e slack.BlockElement) {
	switch el := e.(type) {
	case *slack.ButtonBlockElement:
		class := "sk-button"
		if el.Style != "" {
			class += " sk-button-" + string(el.Style)
		}
		if el.URL != "" {
			b.WriteString(`<a class="` + attr(class) + `" href="` + attr(safeURL(el.URL)) + `" rel="noopener noreferrer">`)
			b.WriteString(textHTML(el.Text))
			b.WriteString(`</a>`)
			return
		}
		b.WriteString(`<button type="button" class="` + attr(class) + `" disabled title="Acts in Slack">`)
		b.WriteString(textHTML(el.Text))
		b.WriteString(`</button>`)
	case *slack.SelectBlockElement:
		label := "Select"
		if el.InitialOption != nil && el.InitialOption.Text != nil {
			label = el.InitialOption.Text.Text
		} else if el.Placeholder != nil {
			label = el.Placeholder.Text
		}
		b.WriteString(`<span class="sk-select" aria-disabled="true">` + html.EscapeString(emojify(label)) + ` ▾</span>`)
	case *slack.OverflowBlockElement:
		b.WriteString(`<span class="sk-select" aria-disabled="true">⋯</span>`)
	case *slack.ImageBlockElement:
		if el.ImageURL != nil {
			b.WriteString(`<img class="sk-thumb" src="` + attr(safeURL(*el.ImageURL)) + `" alt="` + attr(el.AltText) + `">`)
		}
	}
}

// textHTML renders a text object: plain text escaped (emoji shortcodes
// shown), mrkdwn as Slack formats it.
func textHTML(t *slack.TextBlockObject) string {
	if t == nil {
		return ""
	}
	if t.Type == slack.MarkdownType {
		return mrkdwnHTML(t.Text)
	}
	return html.EscapeString(emojify(t.Text))
}

// slackControl matches Slack's control sequences: <url|label>, <url>,
// <@U123>, <#C123|name>, <!here>. Literal angle brackets are escaped in
// mrkdwn (&lt; &gt;), so every < starts one.
var slackControl = regexp.MustCompile(`<([^<>|]+)(?:\|([^<>]*))?>`)

// Spans of mrkdwn formatting, matched on text already escaped for HTML.
var (
	mdCode   = regexp.MustCompile("`([^`\n]+)`")
	mdBold   = regexp.MustCompile(`(^|[\s(>])\*([^*\n]+)\*`)
	mdItalic = regexp.MustCompile(`(^|[\s(>])_([^_\n]+)_`)
	mdStrike = regexp.MustCompile(`(^|[\s(>])~([^~\n]+)~`)
)

// mrkdwnHTML renders Slack mrkdwn as HTML. Control sequences are set
// aside first (a private-use character stands for each), so that
// formatting around a link (*<url|label>*) applies to it.
func mrkdwnHTML(s string) string {
	var controls []string
	var b strings.Builder
	last := 0
	for _, m := range slackControl.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(stripPlaceholders(s[last:m[0]]))
		target := s[m[2]:m[3]]
		label := ""
		if m[4] >= 0 {
			label = s[m[4]:m[5]]
		}
		b.WriteRune(placeholder)
		controls = append(controls, controlHTML(target, label))
		last = m[1]
	}
	b.WriteString(stripPlaceholders(s[last:]))
	out := formatSpans(b.String())
	for _, c := range controls {
		out = strings.Replace(out, string(placeholder), c, 1)
	}
	return strings.ReplaceAll(out, "\n", "<br>")
}

// placeholder stands for a control sequence while mrkdwn is formatted.
const placeholder = '\uE000'

func stripPlaceholders(s string) string { return strings.ReplaceAll(s, string(placeholder), "") }

// formatSpans renders a stretch of mrkdwn without control sequences.
func formatSpans(s string) string {
	e := html.EscapeString(emojify(html.UnescapeString(s)))
	e = mdCode.ReplaceAllString(e, "<code>$1</code>")
	e = mdBold.ReplaceAllString(e, "$1<strong>$2</strong>")
	e = mdItalic.ReplaceAllString(e, "$1<em>$2</em>")
	return mdStrike.ReplaceAllString(e, "$1<del>$2</del>")
}

// controlHTML renders one control sequence: a link, a mention of a user or
// channel, or a special mention.
func controlHTML(target, label string) string {
	shown := func(fallback string) string {
		if label != "" {
			return formatSpans(label)
		}
		return html.EscapeString(fallback)
	}
	switch {
	case strings.HasPrefix(target, "@"):
		return `<span class="sk-mention">@` + shown(strings.TrimPrefix(target, "@")) + `</span>`
	case strings.HasPrefix(target, "#"):
		return `<span class="sk-mention">#` + shown(strings.TrimPrefix(target, "#")) + `</span>`
	case strings.HasPrefix(target, "!"):
		return `<span class="sk-mention">@` + shown(strings.TrimPrefix(target, "!")) + `</span>`
	}
	u := safeURL(html.UnescapeString(target))
	if u == "" {
		return shown(target)
	}
	return `<a href="` + attr(u) + `" rel="noopener noreferrer">` + shown(html.UnescapeString(target)) + `</a>`
}

// safeURL keeps http, https and mailto URLs, and drops anything else
// (javascript: and the like).
func safeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	switch u.Scheme {
	case "http", "https", "mailto":
		return u.String()
	}
	return ""
}

// attr escapes a value for a quoted HTML attribute.
func attr(s string) string { return html.EscapeString(s) }

// emojiChar is the character of an emoji shortcode plusone's views use.
func emojiChar(name string) (string, bool) {
	switch name {
	case "white_check_mark":
		return "✅", true
	case "package":
		return "📦", true
	case "hourglass_flowing_sand":
		return "⏳", true
	case "ticket":
		return "🎫", true
	case "shopping_trolley":
		return "🛒", true
	case "x":
		return "❌", true
	case "warning":
		return "⚠️", true
	case "repeat":
		return "🔁", true
	case "hourglass":
		return "⌛", true
	case "wave":
		return "👋", true
	case "small_blue_diamond":
		return "🔹", true
	case "no_entry_sign":
		return "🚫", true
	case "moneybag":
		return "💰", true
	case "mag":
		return "🔍", true
	case "leftwards_arrow_with_hook":
		return "↩️", true
	case "gem":
		return "💎", true
	case "wastebasket":
		return "🗑️", true
	case "tada":
		return "🎉", true
	case "stopwatch":
		return "⏱️", true
	case "satellite_antenna":
		return "📡", true
	case "raised_hand":
		return "✋", true
	case "disappointed":
		return "😞", true
	case "chart_with_upwards_trend":
		return "📈", true
	case "star":
		return "⭐", true
	case "gift":
		return "🎁", true
	case "email":
		return "📧", true
	case "speech_balloon":
		return "💬", true
	case "memo":
		return "📝", true
	case "truck":
		return "🚚", true
	}
	return "", false
}

var shortcode = regexp.MustCompile(`:([a-z0-9_+-]+):`)

// emojify replaces the known emoji shortcodes with their characters.
func emojify(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	return shortcode.ReplaceAllStringFunc(s, func(m string) string {
		if e, ok := emojiChar(m[1 : len(m)-1]); ok {
			return e
		}
		return m
	})
}
