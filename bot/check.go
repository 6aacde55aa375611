package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
)

// Identity is who the bot token is: auth.test's answer.
type Identity struct {
	Team   string
	TeamID string // the workspace's ID (T…)
	User   string // the bot user's name, as people /invite it
	UserID string
}

// AuthTest asks Slack who the token is (auth.test), for `plusone check
// --live`.
func (c *Client) AuthTest(ctx context.Context) (Identity, error) {
	r, err := c.api.AuthTestContext(ctx)
	if err != nil {
		return Identity{}, fmt.Errorf("auth.test: %w", err)
	}
	return Identity{Team: r.Team, TeamID: r.TeamID, User: r.User, UserID: r.UserID}, nil
}

// Membership is what conversations.info says about the bot in a channel.
type Membership struct {
	Name   string // the channel's name, without #
	Member bool
}

// Channel asks Slack (conversations.info) whether the bot is a member of
// channel, for `plusone check --live`.
func (c *Client) Channel(ctx context.Context, channel string) (Membership, error) {
	ch, err := c.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	if err != nil {
		return Membership{}, fmt.Errorf("conversations.info %s: %w", channel, err)
	}
	return Membership{Name: ch.Name, Member: ch.IsMember}, nil
}
