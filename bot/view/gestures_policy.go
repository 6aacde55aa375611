package view

import (
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// Slack's limits of a static select
// (https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element):
// "Maximum number of options is 100"; an option's text "Maximum length for
// the text in this field is 75 characters" and its value "Maximum length
// for this field is 150 characters"
// (https://docs.slack.dev/reference/block-kit/composition-objects/option-object).
const (
	maxSelectOptions = 100
	maxOptionText    = 75
	maxOptionValue   = 150
	// maxCurrentValue is the longest current value an option shows.
	maxCurrentValue = 25
	// maxPolicyInput is the longest new value the modal takes: "1000/month"
	// is ten characters.
	maxPolicyInput = 50
)

// EditPolicyModal is the supervisors' modal for changing a limit or a
// budget: a static select of settings (BlockPolicySetting /
// ActionPolicySetting; each option's text is the label and current value,
// its value the path; at most 100, one per path) and a text input for the
// new value (BlockPolicyValue / ActionPolicyValue) with a hint on the
// formats. Its callback_id is ViewEditPolicy, its submit "Save"; read a
// submission with EditPolicyInput. Without settings it only says so.
func EditPolicyModal(settings []plusone.Setting) slack.ModalViewRequest {
	var options []*slack.OptionBlockObject
	seen := map[string]bool{}
	left := 0
	for _, s := range settings {
		if s.Path == "" || len(s.Path) > maxOptionValue || seen[s.Path] {
			continue
		}
		if len(options) == maxSelectOptions {
			left++
			continue
		}
		seen[s.Path] = true
		options = append(options, slack.NewOptionBlockObject(s.Path, plain(settingOptionText(s)), nil))
	}
	view := slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: ViewEditPolicy,
		Title:      plain("Limits and budgets"),
		Close:      plain("Cancel"),
	}
	if len(options) == 0 {
		view.Blocks = slack.Blocks{BlockSet: []slack.Block{slack.NewSectionBlock(mrkdwn(
			"There is nothing to change: the policy sets no limits or budgets. Add them to the policy file first."), nil, nil)}}
		return view
	}
	intro := "Change a limit or a budget. It applies at once, to every offer from now on, " +
		"and shows under *Latest changes* on supervisors' App Home."
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(intro), nil, nil)}
	sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Choose a setting"), ActionPolicySetting, options...)
	blocks = append(blocks, slack.NewInputBlock(BlockPolicySetting, plain("Setting"), nil, sel))
	if left > 0 {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(
			"_The list shows the first 100 settings; change the others in the policy file._")))
	}
	value := slack.NewPlainTextInputBlockElement(plain("100/day"), ActionPolicyValue)
	value.MaxLength = maxPolicyInput
	blocks = append(blocks, slack.NewInputBlock(BlockPolicyValue, plain("New value"),
		plain("An amount: 25 · a budget: 100/day, 300/week or 1000/month · none: no budget · "+
			"pausing a gesture: true or false"), value))
	view.Blocks = slack.Blocks{BlockSet: blocks}
	view.Submit = plain("Save")
	return view
}

// settingOptionText is "Agents' daily budget · now 100/day", cut to the
// 75 characters of an option, the current value kept whole when short.
func settingOptionText(s plusone.Setting) string {
	label := clean(s.Label)
	if label == "" {
		label = clean(s.Path)
	}
	cur := truncate(clean(s.Current), maxCurrentValue)
	if cur == "" {
		return truncate(label, maxOptionText)
	}
	tail := " · now " + cur
	return truncate(label, maxOptionText-length(tail)) + tail
}

// EditPolicyInput reads a submission of EditPolicyModal: the chosen
// setting's path and the new value, trimmed; "" for what is missing.
func EditPolicyInput(cb slack.InteractionCallback) (path, value string) {
	if cb.View.State == nil {
		return "", ""
	}
	return strings.TrimSpace(cb.View.State.Values[BlockPolicySetting][ActionPolicySetting].SelectedOption.Value),
		strings.TrimSpace(cb.View.State.Values[BlockPolicyValue][ActionPolicyValue].Value)
}
