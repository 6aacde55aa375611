package bot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// Client posts and updates messages over the Slack Web API. It never
// retries: a failed call returns at once, and the caller's queue decides
// when to try again (see Classify).
type Client struct {
	api  *slack.Client
	http *http.Client // also for response URLs
}

// NewClient returns a client for the bot token. apiURL is the Web API base
// URL ("" for https://slack.com/api/; a missing trailing slash is added).
// httpClient nil means a client with a 30-second timeout.
func NewClient(token, apiURL string, httpClient *http.Client) *Client {
	if apiURL == "" {
		apiURL = slack.APIURL
	}
	if !strings.HasSuffix(apiURL, "/") {
		// slack-go appends method names to the base URL as they are.
		apiURL += "/"
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	// No slack.OptionRetry: slack-go's retries sleep inside the call.
	return &Client{api: slack.New(token, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(httpClient)), http: httpClient}
}

// PostMessage posts m to channel (in the thread of threadTS unless it is
// empty) and returns the new message's ts. Link previews are off, so a card
// stays as compact as it was built. A message that breaks Slack's limits
// is refused without calling Slack, with Validate's error.
func (c *Client) PostMessage(ctx context.Context, channel string, m view.Message, threadTS string) (ts string, err error) {
	if err := view.Validate(m); err != nil {
		return "", fmt.Errorf("chat.postMessage %s: %w", channel, err)
	}
	opts := []slack.MsgOption{
		slack.MsgOptionText(m.Text, false), // already escaped
		slack.MsgOptionBlocks(m.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	if m.Metadata != nil {
		opts = append(opts, slack.MsgOptionMetadata(*m.Metadata))
	}
	_, ts, err = c.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", fmt.Errorf("chat.postMessage %s: %w", channel, err)
	}
	return ts, nil
}

// PostEphemeral posts m in channel for user alone (chat.postEphemeral).
func (c *Client) PostEphemeral(ctx context.Context, channel, user string, m view.Message) error {
	if err := view.Validate(m); err != nil {
		return fmt.Errorf("chat.postEphemeral %s: %w", channel, err)
	}
	if _, err := c.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)); err != nil {
		return fmt.Errorf("chat.postEphemeral %s: %w", channel, err)
	}
	return nil
}

// UpdateMessage replaces the message at channel/ts with m.
func (c *Client) UpdateMessage(ctx context.Context, channel, ts string, m view.Message) error {
	if err := view.Validate(m); err != nil {
		return fmt.Errorf("chat.update %s %s: %w", channel, ts, err)
	}
	opts := []slack.MsgOption{slack.MsgOptionText(m.Text, false), slack.MsgOptionBlocks(m.Blocks...)}
	if m.Metadata != nil {
		opts = append(opts, slack.MsgOptionMetadata(*m.Metadata))
	}
	_, _, _, err := c.api.UpdateMessageContext(ctx, channel, ts, opts...)
	if err != nil {
		return fmt.Errorf("chat.update %s %s: %w", channel, ts, err)
	}
	return nil
}

// PostCard posts the context card of a ticket to channel and returns its ts.
func (c *Client) PostCard(ctx context.Context, channel string, card *plusone.ContextCard) (string, error) {
	return c.PostMessage(ctx, channel, view.CardMessage(*card), "")
}

// UpdateCard replaces the card posted at channel/ts with its latest version.
func (c *Client) UpdateCard(ctx context.Context, channel, ts string, card *plusone.ContextCard) error {
	return c.UpdateMessage(ctx, channel, ts, view.CardMessage(*card))
}

// firstFindWindow is the first stretch of history FindCard reads; each
// next one is twice as long.
const firstFindWindow = time.Minute

// FindCards looks in channel, from since on, for the cards of tickets keys
// that earlier attempts may have posted before their ts was recorded (the
// process died in between). It returns the ts of each card found, by key.
// It needs the channels:history (groups:history) scope.
//
// It reads forward from since in windows that double in length (one
// minute, two, four… up to now), each read to its end whatever the number
// of pages, so that what came right after since, where the cards are, is
// read first, and however busy the channel was after it, nothing is
// skipped: only ctx bounds the search. It stops once every key is found.
func (c *Client) FindCards(ctx context.Context, channel string, keys []string, since time.Time) (map[string]string, error) {
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	found := map[string]string{}
	now := time.Now()
	from, span := since, firstFindWindow
	for {
		to := from.Add(span)
		params := &slack.GetConversationHistoryParameters{
			ChannelID: channel, Limit: 200, IncludeAllMetadata: true, Inclusive: true, Oldest: slackTS(from),
		}
		last := !to.Before(now)
		if !last {
			params.Latest = slackTS(to)
		}
		for {
			resp, err := c.api.GetConversationHistoryContext(ctx, params)
			if err != nil {
				return found, fmt.Errorf("conversations.history %s: %w", channel, err)
			}
			for _, m := range resp.Messages {
				if m.Metadata.EventType != view.CardEventType {
					continue
				}
				if key := fmt.Sprint(m.Metadata.EventPayload["ticket"]); want[key] && found[key] == "" {
					found[key] = m.Timestamp
				}
			}
			if len(found) == len(want) {
				return found, nil
			}
			if !resp.HasMore || resp.ResponseMetaData.NextCursor == "" {
				break
			}
			params.Cursor = resp.ResponseMetaData.NextCursor
		}
		if last {
			return found, nil
		}
		from, span = to, 2*span
	}
}

// slackTS writes t as a Slack message timestamp.
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}
