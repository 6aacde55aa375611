package view

import (
	"strings"

	"github.com/slack-go/slack"
)

// maxDraftText bounds a draft shown on a to-do.
const maxDraftText = 1000

// WithDraft adds suggested wording to a to-do (the text of a handwritten
// note), marked as drafted by AI when a model wrote it. The agent edits it
// freely; it decides nothing.
func WithDraft(m Message, draft string, byModel bool) Message {
	draft = truncate(clean(draft), maxDraftText)
	if draft == "" {
		return m
	}
	label := "Suggested wording"
	if byModel {
		label += " (drafted by AI; edit freely)"
	}
	quoted := "> " + strings.ReplaceAll(escape(draft), "\n", "\n> ")
	section := slack.NewSectionBlock(mrkdwn("*"+label+"*\n"+quoted), nil, nil)
	blocks := make([]slack.Block, 0, len(m.Blocks)+1)
	blocks = append(blocks, m.Blocks...)
	m.Blocks = append(blocks, section)
	m.Plain += label + ":\n  " + draft + "\n"
	return m
}
