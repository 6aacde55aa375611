package plusone

import (
	"context"
	"testing"
)

// kindComposer composes every notice as its own name, to see which
// composer a notice reached.
type kindComposer string

func (k kindComposer) Compose(_ context.Context, n Notice) (ComposedNotice, error) {
	return ComposedNotice{Kind: n.Kind, Text: string(k)}, nil
}

func TestNoticeComposers(t *testing.T) {
	t.Parallel()
	byKind := map[NoticeKind]NoticeComposer{NoticeDigest: kindComposer("digest"), NoticeAgentFeedback: kindComposer("feedback")}
	tests := []struct {
		c       NoticeComposers
		kind    NoticeKind
		want    string
		invalid bool
	}{
		{NoticeComposers{Default: kindComposer("gestures"), ByKind: byKind}, NoticeDigest, "digest", false},
		{NoticeComposers{Default: kindComposer("gestures"), ByKind: byKind}, NoticeAgentFeedback, "feedback", false},
		{NoticeComposers{Default: kindComposer("gestures"), ByKind: byKind}, NoticeTodo, "gestures", false},
		{NoticeComposers{ByKind: byKind}, NoticeTodo, "", true},
		{NoticeComposers{}, NoticeDigest, "", true},
	}
	for _, tt := range tests {
		c, err := tt.c.Compose(context.Background(), Notice{Kind: tt.kind})
		if c.Text != tt.want || (ErrorCode(err) == EINVALID) != tt.invalid {
			t.Errorf("%s: composed by %q (%v), want %q (invalid %v)", tt.kind, c.Text, err, tt.want, tt.invalid)
		}
	}
}
