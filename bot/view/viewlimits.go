package view

import (
	"errors"
	"fmt"

	"github.com/slack-go/slack"
)

// Slack's documented limits of views (modals and the Home tab), on top of
// the block limits Validate checks.
// https://docs.slack.dev/reference/views/modal-views and
// https://docs.slack.dev/reference/views/home-tab-views
const (
	// "An array of blocks that defines the content of the view. Max of 100
	// blocks."
	maxViewBlocks = 100
	// title, close and submit: "Max length of 24 characters."
	maxViewTitle  = 24
	maxViewButton = 24
	// callback_id: "Max length of 255 characters."
	maxCallbackID = 255
	// private_metadata: maxPrivateMetadata (ids.go), 3000 characters.
)

// ValidateView checks a modal or a Home tab against Slack's documented
// view limits: the view's type, title, submit and close texts (a modal with
// an input block needs a submit), private_metadata and callback_id, at most
// 100 blocks, and every block, element and text object as Validate checks
// them (including input labels, hints and placeholders). It returns every
// broken limit, joined; each is a *LimitError, except a wrong view type or
// a title that is not plain_text.
func ValidateView[V slack.ModalViewRequest | slack.HomeTabViewRequest](view V) error {
	var errs []error
	v := &validator{}
	var blocks []slack.Block
	switch view := any(view).(type) {
	case slack.ModalViewRequest:
		if view.Type != slack.VTModal {
			errs = append(errs, fmt.Errorf("type: a modal's type must be %q, not %q", slack.VTModal, view.Type))
		}
		switch {
		case view.Title == nil:
			v.fail("title", "modal title", 0, 0)
		case view.Title.Type != slack.PlainTextType:
			errs = append(errs, fmt.Errorf("title: a modal's title must be plain_text, not %q", view.Title.Type))
		default:
			v.text("title", "modal title", view.Title.Text, maxViewTitle)
		}
		if view.Close != nil {
			v.text("close", "modal close", view.Close.Text, maxViewButton)
		}
		if view.Submit != nil {
			v.text("submit", "modal submit", view.Submit.Text, maxViewButton)
		} else if hasInput(view.Blocks.BlockSet) {
			v.fail("submit", "modal submit (required with input blocks)", 0, 0)
		}
		v.max("private_metadata", "private_metadata", view.PrivateMetadata, maxPrivateMetadata)
		v.max("callback_id", "callback_id", view.CallbackID, maxCallbackID)
		blocks = view.Blocks.BlockSet
	case slack.HomeTabViewRequest:
		if view.Type != slack.VTHomeTab {
			errs = append(errs, fmt.Errorf("type: a Home tab's type must be %q, not %q", slack.VTHomeTab, view.Type))
		}
		v.max("private_metadata", "private_metadata", view.PrivateMetadata, maxPrivateMetadata)
		v.max("callback_id", "callback_id", view.CallbackID, maxCallbackID)
		blocks = view.Blocks.BlockSet
	}
	errs = append(errs, v.errs...)
	errs = append(errs, validateBlocks(blocks, maxViewBlocks, "blocks per view")...)
	return errors.Join(errs...)
}

// text reports a text that is empty or longer than limitMax.
func (v *validator) text(path, limit, s string, limitMax int) {
	if length(s) == 0 {
		v.fail(path, limit, 0, 0)
		return
	}
	v.max(path, limit, s, limitMax)
}

func hasInput(blocks []slack.Block) bool {
	for _, b := range blocks {
		if b.BlockType() == slack.MBTInput {
			return true
		}
	}
	return false
}
