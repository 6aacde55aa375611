package view

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/slack-go/slack"
)

// Slack's documented limits. slack-go checks none of them when sending, and
// Slack answers a message that breaks one with invalid_blocks (or truncates
// it), so Validate checks them before a message leaves.
const (
	// "You can include up to 50 blocks in each message, and 100 blocks in
	// modals or Home tabs." https://docs.slack.dev/reference/block-kit/blocks
	maxMessageBlocks = 50
	// Header block: "Maximum length for the text in this field is 150
	// characters." https://docs.slack.dev/reference/block-kit/blocks/header-block
	maxHeaderText = 150
	// Section block: text "Maximum length for the text in this field is 3000
	// characters"; fields "Maximum number of items is 10. Maximum length for
	// the text in each item is 2000 characters."
	// https://docs.slack.dev/reference/block-kit/blocks/section-block
	maxSectionText   = 3000
	maxSectionFields = 10
	maxFieldText     = 2000
	// Text object: at least 1 and at most 3000 characters.
	// https://docs.slack.dev/reference/block-kit/composition-objects/text-object
	maxTextObject = 3000
	// Context block: elements "Maximum number of items is 10."
	// https://docs.slack.dev/reference/block-kit/blocks/context-block
	maxContextElements = 10
	// Actions block: "There is a maximum of 25 elements in each action block."
	// https://docs.slack.dev/reference/block-kit/blocks/actions-block
	maxActionsElements = 25
	// Every block: block_id "Maximum length for this field is 255 characters."
	// (same pages as above).
	maxBlockID = 255
	// Button element: text "Maximum length … 75 characters", action_id 255,
	// url 3000, value 2000.
	// https://docs.slack.dev/reference/block-kit/block-elements/button-element
	maxActionID   = 255
	maxButtonText = 75
	maxButtonURL  = 3000
	maxButtonVal  = 2000
	// Input block: label and hint "Maximum length for the text in this
	// field is 2000 characters."
	// https://docs.slack.dev/reference/block-kit/blocks/input-block
	maxInputLabel = 2000
	maxInputHint  = 2000
	// Placeholders of input and select elements: "Maximum length for the
	// text field in this object is 150 characters."
	// https://docs.slack.dev/tools/node-slack-sdk/reference/types/interfaces/Placeholdable
	maxPlaceholder = 150
	// chat.postMessage: text is the notification fallback when blocks are
	// sent; Slack truncates messages over 40,000 characters.
	// https://docs.slack.dev/reference/methods/chat.postMessage
	maxMessageText = 40000
)

// LimitError is one broken Slack limit.
type LimitError struct {
	// Path locates the value in the message: "blocks[2].fields[10]".
	Path string
	// Limit names the limit: "section fields", "header text", "action_id".
	Limit string
	// Got is the length or count found; Max what Slack allows. Max 0 means
	// the value must not be empty.
	Got, Max int
}

// Error names the place, the limit, and the length found.
func (e *LimitError) Error() string {
	if e.Max == 0 {
		return fmt.Sprintf("%s: %s must not be empty", e.Path, e.Limit)
	}
	return fmt.Sprintf("%s: %s is %d, Slack allows at most %d", e.Path, e.Limit, e.Got, e.Max)
}

// Validate checks m against Slack's documented message limits: the fallback
// text, the number of blocks, and every block, element and text object found
// in the blocks' JSON, whatever the block types (so messages with buttons,
// selects or nested containers are checked too). It returns every broken
// limit, joined; each is a *LimitError.
func Validate(m Message) error {
	var errs []error
	switch n := length(m.Text); {
	case strings.TrimSpace(m.Text) == "":
		errs = append(errs, &LimitError{Path: "text", Limit: "fallback text"})
	case n > maxMessageText:
		errs = append(errs, &LimitError{Path: "text", Limit: "fallback text", Got: n, Max: maxMessageText})
	}
	errs = append(errs, validateBlocks(m.Blocks, maxMessageBlocks, "blocks per message")...)
	return errors.Join(errs...)
}

// validateBlocks checks a surface's blocks; maxBlocks (named by limit)
// differs between messages (50) and modals or Home tabs (100).
func validateBlocks(blocks []slack.Block, maxBlocks int, limit string) []error {
	var errs []error
	if len(blocks) > maxBlocks {
		errs = append(errs, &LimitError{Path: "blocks", Limit: limit, Got: len(blocks), Max: maxBlocks})
	}
	raw, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		return append(errs, fmt.Errorf("encode blocks: %w", err))
	}
	var tree []any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return append(errs, fmt.Errorf("decode blocks: %w", err))
	}
	v := &validator{}
	for i, b := range tree {
		obj, ok := b.(map[string]any)
		if !ok {
			continue
		}
		path := fmt.Sprintf("blocks[%d]", i)
		v.block(path, obj)
		v.walk(path, obj)
	}
	return append(errs, v.errs...)
}

type validator struct{ errs []error }

func (v *validator) fail(path, limit string, got, limitMax int) {
	v.errs = append(v.errs, &LimitError{Path: path, Limit: limit, Got: got, Max: limitMax})
}

// max reports a string longer than limitMax.
func (v *validator) max(path, limit, s string, limitMax int) {
	if n := length(s); n > limitMax {
		v.fail(path, limit, n, limitMax)
	}
}

// block checks the limits of a top-level block by its type.
func (v *validator) block(path string, b map[string]any) {
	typ, _ := b["type"].(string)
	switch typ {
	case "header":
		v.max(path+".text", "header text", textOf(b["text"]), maxHeaderText)
	case "section":
		v.max(path+".text", "section text", textOf(b["text"]), maxSectionText)
		fields, _ := b["fields"].([]any)
		if len(fields) > maxSectionFields {
			v.fail(path+".fields", "section fields", len(fields), maxSectionFields)
		}
		for i, f := range fields {
			v.max(fmt.Sprintf("%s.fields[%d]", path, i), "section field text", textOf(f), maxFieldText)
		}
	case "context":
		els, _ := b["elements"].([]any)
		if len(els) > maxContextElements {
			v.fail(path+".elements", "context elements", len(els), maxContextElements)
		}
		for i, e := range els {
			v.max(fmt.Sprintf("%s.elements[%d]", path, i), "context text", textOf(e), maxTextObject)
		}
	case "actions":
		if els, _ := b["elements"].([]any); len(els) > maxActionsElements {
			v.fail(path+".elements", "actions elements", len(els), maxActionsElements)
		}
	case "input":
		v.max(path+".label", "input label", textOf(b["label"]), maxInputLabel)
		v.max(path+".hint", "input hint", textOf(b["hint"]), maxInputHint)
	}
}

// walk checks what may appear at any depth: block and action IDs, buttons
// and text objects.
func (v *validator) walk(path string, node any) {
	switch n := node.(type) {
	case []any:
		for i, x := range n {
			v.walk(fmt.Sprintf("%s[%d]", path, i), x)
		}
	case map[string]any:
		if id, ok := n["block_id"].(string); ok {
			v.max(path+".block_id", "block_id", id, maxBlockID)
		}
		if id, ok := n["action_id"].(string); ok {
			v.max(path+".action_id", "action_id", id, maxActionID)
		}
		if p, ok := n["placeholder"]; ok {
			v.max(path+".placeholder", "placeholder", textOf(p), maxPlaceholder)
		}
		typ, _ := n["type"].(string)
		switch typ {
		case "button":
			v.max(path+".text", "button text", textOf(n["text"]), maxButtonText)
			if s, ok := n["value"].(string); ok {
				v.max(path+".value", "button value", s, maxButtonVal)
			}
			if s, ok := n["url"].(string); ok {
				v.max(path+".url", "button url", s, maxButtonURL)
			}
		case slack.PlainTextType, slack.MarkdownType:
			if s, ok := n["text"].(string); ok && strings.TrimSpace(s) == "" {
				v.fail(path+".text", "text object", 0, 0)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(n)) { // sorted: errors in a stable order
			if _, leaf := n[k].(string); !leaf {
				v.walk(path+"."+k, n[k])
			}
		}
	}
}

// textOf returns the text of a text object, or "".
func textOf(node any) string {
	obj, _ := node.(map[string]any)
	s, _ := obj["text"].(string)
	return s
}
