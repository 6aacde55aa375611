package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

var _ SlackAPI = (*Client)(nil)

// OpenView opens a modal for the user who triggered triggerID (valid for
// about 3 seconds).
func (c *Client) OpenView(ctx context.Context, triggerID string, v slack.ModalViewRequest) error {
	if err := view.ValidateView(v); err != nil {
		return fmt.Errorf("views.open: %w", err)
	}
	if _, err := c.api.OpenViewContext(ctx, triggerID, v); err != nil {
		return fmt.Errorf("views.open: %w", err)
	}
	return nil
}

// OpenModal opens a modal like OpenView and returns its view id and hash,
// for a views.update later (a reply draft).
func (c *Client) OpenModal(ctx context.Context, triggerID string, v slack.ModalViewRequest) (id, hash string, err error) {
	if err := view.ValidateView(v); err != nil {
		return "", "", fmt.Errorf("views.open: %w", err)
	}
	resp, err := c.api.OpenViewContext(ctx, triggerID, v)
	if err != nil {
		return "", "", fmt.Errorf("views.open: %w", err)
	}
	return resp.ID, resp.Hash, nil
}

// ShowReplyDraft puts a model's reply draft into the reply modal an agent
// opened (views.update with the hash it was opened with, so that a modal
// changed since is left alone). The draft fills the text box; she edits
// it, and nothing is sent until she presses Send.
func (c *Client) ShowReplyDraft(ctx context.Context, j plusone.DraftReplyJob, card *plusone.ContextCard, draft string) error {
	source, _ := plusone.TicketWork{TicketKey: j.Ticket}.Ticket()
	m := view.ReplyModal(source, card.View.Customer.DisplayName(), card.View.Preferences, card.View.Notes,
		view.ReplyMeta{Ticket: j.Ticket, Channel: j.Channel})
	m = view.WithReplyDraft(m, draft)
	if err := view.ValidateView(m); err != nil {
		return fmt.Errorf("views.update: %w", err)
	}
	if _, err := c.api.UpdateViewContext(ctx, m, "", j.Hash, j.ViewID); err != nil {
		return fmt.Errorf("views.update: %w", err)
	}
	return nil
}

// PublishHome publishes a user's App Home.
func (c *Client) PublishHome(ctx context.Context, userID string, v slack.HomeTabViewRequest) error {
	if err := view.ValidateView(v); err != nil {
		return fmt.Errorf("views.publish: %w", err)
	}
	if _, err := c.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: v}); err != nil {
		return fmt.Errorf("views.publish %s: %w", userID, err)
	}
	return nil
}

// Unfurl attaches previews to the links of a message.
func (c *Client) Unfurl(ctx context.Context, channel, ts string, unfurls map[string]slack.Attachment) error {
	if _, _, _, err := c.api.UnfurlMessageContext(ctx, channel, ts, unfurls); err != nil {
		return fmt.Errorf("chat.unfurl %s %s: %w", channel, ts, err)
	}
	return nil
}

// Respond answers through an interaction's or command's response URL, as
// a message only the user sees.
func (c *Client) Respond(ctx context.Context, responseURL string, m view.Message, replaceOriginal bool) error {
	if responseURL == "" {
		return fmt.Errorf("no response URL")
	}
	if err := view.Validate(m); err != nil {
		return fmt.Errorf("response: %w", err)
	}
	msg := &slack.WebhookMessage{Text: m.Text, Blocks: &slack.Blocks{BlockSet: m.Blocks},
		ResponseType: slack.ResponseTypeEphemeral, ReplaceOriginal: replaceOriginal}
	if err := slack.PostWebhookCustomHTTPContext(ctx, responseURL, c.http, msg); err != nil {
		return fmt.Errorf("response URL: %w", err)
	}
	return nil
}
