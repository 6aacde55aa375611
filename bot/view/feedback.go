package view

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"
)

// AgentFeedbackMessage is the direct message that tells an agent a
// customer she granted a gesture came back: who (customerName, or the
// customer's number), what she did ("ordered again ($420)"), which gesture
// and how long after it was granted; with a line on how to turn these
// messages off.
func AgentFeedbackMessage(customerName string, customerID int64, what, gesture string, granted, at time.Time) Message {
	name := truncate(customerLabel(customerName, customerID), maxDigestLabel)
	g := truncate(gestureTitle(gesture, ""), maxDigestLabel)
	after := duration(max(0, at.Sub(granted)))
	text := fmt.Sprintf("%s %s, %s after you granted her %s.", name, what, after, g)
	head := fmt.Sprintf(":tada: *%s* %s, %s after you granted her *%s*.", escape(name), escape(what), escape(after), escape(g))
	const foot = "plusone tells you when a customer you surprised comes back. Turn these messages off in plusone's App Home."
	return Message{
		Text:   escape(text),
		Blocks: []slack.Block{slack.NewSectionBlock(mrkdwn(head), nil, nil), slack.NewContextBlock("", mrkdwn(foot))},
		Plain:  text + "\n" + foot + "\n",
	}
}

// FeedbackHomeBlocks are the App Home section where an agent turns the
// messages about her customers coming back on or off (on says how they
// are now), for HomeView's extra blocks.
func FeedbackHomeBlocks(on bool) []slack.Block {
	state, label, value := "on", "Turn off", "off"
	if !on {
		state, label, value = "off", "Turn on", "on"
	}
	text := "*Messages when your customers come back:* " + state + "\n" +
		"_A direct message when a customer you granted a gesture orders again or rates you well._"
	button := slack.NewButtonBlockElement(ActionFeedbackMessages, value, plain(label))
	return []slack.Block{
		slack.NewDividerBlock(),
		slack.NewSectionBlock(mrkdwn(text), nil, slack.NewAccessory(button)),
	}
}
