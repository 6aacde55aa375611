package view

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// maxEscalationSubject bounds the ticket's subject in an escalation.
const maxEscalationSubject = 150

// EscalationMessage renders an escalation (plusone.NoticeEscalation): in
// the card's thread (thread true), that the ticket has waited longer than
// the rule allows; elsewhere (the rule's channel, a supervisor), whose
// ticket waits, since how long, a link to it at the helpdesk and where
// its card is.
func EscalationMessage(n plusone.ComposedNotice, thread bool) Message {
	waited := duration(n.Escalation.Unanswered)
	if d := n.Escalation.Unanswered; d < time.Minute {
		waited = fmt.Sprintf("%ds", int(d.Seconds())) // a rule of seconds, as in a trial
	}
	t := n.Ticket
	subject := truncate(clean(t.Subject), maxEscalationSubject)
	if subject == "" {
		subject = "ticket " + truncate(clean(t.ID), maxEscalationSubject)
	}
	if thread {
		text := fmt.Sprintf("Escalated: no agent has replied for more than %s.", waited)
		return Message{
			Text:   escape(text),
			Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(":rotating_light: "+escape(text)), nil, nil)},
			Plain:  text + "\n",
		}
	}
	name := customerLabel(n.Customer.DisplayName(), n.Customer.ID)
	source := t.Source.Title()
	text := fmt.Sprintf("%s's %s ticket “%s” has waited more than %s for an agent's reply.", name, source, subject, waited)
	head := fmt.Sprintf(":rotating_light: *%s*'s %s ticket *%s* has waited more than %s for an agent's reply.",
		escape(name), escape(source), link(t.URL, subject), escape(waited))
	var where []string
	plainWhere := []string{}
	if u := webURL(t.URL); u != "" {
		where = append(where, link(u, "Open it at "+source))
		plainWhere = append(plainWhere, u)
	}
	if n.CardChannel != "" {
		where = append(where, "its card is in <#"+escape(n.CardChannel)+">")
		plainWhere = append(plainWhere, "card in #"+n.CardChannel)
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil)}
	plainText := text + "\n"
	if len(where) > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(strings.Join(where, " · "))))
		plainText += strings.Join(plainWhere, " · ") + "\n"
	}
	return Message{Text: escape(text), Blocks: blocks, Plain: plainText}
}
