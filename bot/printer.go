package bot

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view"
)

// Printer stands in for Slack in local mode: it writes each message to W as
// plain text instead of posting it. It has Client's methods, so a delivery
// worker can use either. Safe for concurrent use; messages never
// interleave.
type Printer struct {
	W io.Writer
	// Dir is where UploadFile writes files; empty is the system's
	// temporary directory.
	Dir string

	mu sync.Mutex
	n  int // messages printed; numbers the synthetic ts
}

// NewPrinter returns a Printer writing to w.
func NewPrinter(w io.Writer) *Printer { return &Printer{W: w} }

// PostMessage prints m (its Plain form, else its Text) as a new message and
// returns a synthetic ts: "local-1", "local-2", …
func (p *Printer) PostMessage(ctx context.Context, channel string, m view.Message, threadTS string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	ts := fmt.Sprintf("local-%d", p.n)
	title := "new card " + ts
	if threadTS != "" {
		title = "reply " + ts + " in thread " + threadTS
	}
	return ts, p.print(title, channel, m)
}

// PostEphemeral prints m as a message for user alone.
func (p *Printer) PostEphemeral(ctx context.Context, channel, user string, m view.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.print("for "+user+" only", channel, m)
}

// UpdateMessage prints "updated card <ts>" followed by m.
func (p *Printer) UpdateMessage(ctx context.Context, channel, ts string, m view.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.print("updated card "+ts, channel, m)
}

// PostCard prints the context card of a ticket as a new message.
func (p *Printer) PostCard(ctx context.Context, channel string, card *plusone.ContextCard) (string, error) {
	return p.PostMessage(ctx, channel, view.CardMessage(*card), "")
}

// UpdateCard prints the latest version of the card posted at ts.
func (p *Printer) UpdateCard(ctx context.Context, channel, ts string, card *plusone.ContextCard) error {
	return p.UpdateMessage(ctx, channel, ts, view.CardMessage(*card))
}

// print writes one message in a single Write; p.mu must be held.
func (p *Printer) print(title, channel string, m view.Message) error {
	if _, err := io.WriteString(p.W, view.Printed(title, channel, m)); err != nil {
		return fmt.Errorf("print message: %w", err)
	}
	return nil
}
