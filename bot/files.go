package bot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/slack-go/slack"
)

// UploadFile shares data as a file named filename in channel — a channel
// ID, or a user ID for a direct message — with comment as its message,
// through Slack's file upload API: files.getUploadURLExternal, the upload
// to the URL it gives, and files.completeUploadExternal.
func (c *Client) UploadFile(ctx context.Context, channel, filename, title, comment string, data []byte) error {
	if len(data) == 0 {
		return fmt.Errorf("upload %s: empty file", filename)
	}
	if isUserID(channel) {
		// Files are shared in conversations: open the direct message.
		ch, _, _, err := c.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}})
		if err != nil {
			return fmt.Errorf("open a direct message with %s: %w", channel, err)
		}
		channel = ch.ID
	}
	_, err := c.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(data), FileSize: len(data), Filename: filename, Title: title,
		InitialComment: comment, Channel: channel,
	})
	if err != nil {
		return fmt.Errorf("upload %s: %w", filename, err)
	}
	return nil
}

// isUserID tells a Slack user ID (U…, W…) from a conversation's.
func isUserID(id string) bool {
	return len(id) > 1 && (id[0] == 'U' || id[0] == 'W')
}

// UploadFile writes data to a file in the printer's Dir (the system's
// temporary directory when empty) and prints its path with comment.
func (p *Printer) UploadFile(ctx context.Context, channel, filename, title, comment string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	dir := p.Dir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "plusone-*-"+filepath.Base(filename))
	if err != nil {
		return fmt.Errorf("write %s: %w", filename, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", filename, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", filename, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err = fmt.Fprintf(p.W, "── file for %s: %s ──\n%s\n%s\n", channel, title, comment, f.Name())
	return err
}
