package bot

import (
	"context"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// messenger posts and updates messages: Client, or Printer.
type messenger interface {
	PostMessage(ctx context.Context, channel string, m view.Message, threadTS string) (string, error)
	UpdateMessage(ctx context.Context, channel, ts string, m view.Message) error
	PostEphemeral(ctx context.Context, channel, user string, m view.Message) error
	UploadFile(ctx context.Context, channel, filename, title, comment string, data []byte) error
}

// SendNotice renders a composed notice (view.NoticeMessage) and posts it to
// its channel and thread, or replaces the message at n.ReplaceTS; it
// returns the message's ts. A notice for one user (n.User) is posted for
// her alone, and has no ts; a digest's chart is shared as a file
// (UploadFile), with no ts.
func (c *Client) SendNotice(ctx context.Context, n plusone.ComposedNotice) (string, error) {
	return sendNotice(ctx, c, n)
}

// SendNotice prints a notice as Client.SendNotice would send it.
func (p *Printer) SendNotice(ctx context.Context, n plusone.ComposedNotice) (string, error) {
	return sendNotice(ctx, p, n)
}

func sendNotice(ctx context.Context, to messenger, n plusone.ComposedNotice) (string, error) {
	if n.Kind == plusone.NoticeDigestChart {
		f := view.DigestChartFile(n)
		return "", to.UploadFile(ctx, n.Channel, f.Name, f.Title, f.Comment, f.Data)
	}
	m, err := view.NoticeMessage(n)
	if err != nil {
		return "", err
	}
	if n.User != "" {
		return "", to.PostEphemeral(ctx, n.Channel, n.User, m)
	}
	if n.ReplaceTS != "" {
		return n.ReplaceTS, to.UpdateMessage(ctx, n.Channel, n.ReplaceTS, m)
	}
	return to.PostMessage(ctx, n.Channel, m, n.ThreadTS)
}
