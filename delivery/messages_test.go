package delivery_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// notices composes notices by their kind: "skip" has nothing to send,
// "invalid" and "gone" cannot be composed (EINVALID, ENOTFOUND), "flaky"
// fails once; approval_decided replaces message 300.000001; the rest go to
// channel (C9 when empty).
type notices struct {
	channel string

	mu       sync.Mutex
	composed map[plusone.NoticeKind]int
}

func (n *notices) Compose(ctx context.Context, o plusone.Notice) (plusone.ComposedNotice, error) {
	n.mu.Lock()
	if n.composed == nil {
		n.composed = map[plusone.NoticeKind]int{}
	}
	n.composed[o.Kind]++
	tries := n.composed[o.Kind]
	n.mu.Unlock()
	switch {
	case o.Kind == "skip":
		return plusone.ComposedNotice{Kind: o.Kind, Skip: true}, nil
	case o.Kind == "invalid":
		return plusone.ComposedNotice{}, plusone.Errorf(plusone.EINVALID, "no such notice %q", o.Kind)
	case o.Kind == "gone":
		return plusone.ComposedNotice{}, plusone.Errorf(plusone.ENOTFOUND, "request %d not found", o.RequestID)
	case o.Kind == "flaky" && tries == 1:
		return plusone.ComposedNotice{}, errors.New("database is locked")
	}
	channel := n.channel
	if channel == "" {
		channel = "C9"
	}
	c := plusone.ComposedNotice{Kind: o.Kind, Channel: channel}
	if o.Kind == plusone.NoticeApprovalDecided {
		c.ReplaceTS = "300.000001"
	}
	return c, nil
}

// enqueue queues an outbox message with o as payload, or raw when not nil.
func enqueue(t *testing.T, s plusone.Store, key string, o plusone.Notice, raw []byte) {
	t.Helper()
	payload := raw
	if payload == nil {
		var err error
		if payload, err = json.Marshal(o); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	err := s.Update(ctx, func(tx plusone.Tx) error {
		_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobNotice, Key: key, Payload: payload}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// jobs counts outbox messages pending and parked.
func jobs(t *testing.T, s plusone.Store) [2]int {
	t.Helper()
	pending, parked, err := s.JobStats(context.Background(), plusone.JobNotice)
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{pending, parked}
}

// Outbox messages: one sent and remembered under the name its kind
// records, one replacing a message (chat.update), one with nothing to send
// completed without a call, one that failed to compose retried, and those
// that can never be sent (bad payload, unknown, gone, refused by Slack)
// parked for operators.
func TestOutboxMessages(t *testing.T) {
	t.Parallel()
	sl := &slack{answer: func(_ int, c call) error {
		if c.what == "send refused" {
			return errPermanent
		}
		return nil
	}}
	s, d := setup(t, sl)
	d.Notices = &notices{}
	enqueue(t, s, "approval", plusone.Notice{Kind: plusone.NoticeApprovalRequest, RequestID: 7}, nil)
	enqueue(t, s, "decided", plusone.Notice{Kind: plusone.NoticeApprovalDecided, RequestID: 7}, nil)
	enqueue(t, s, "skip", plusone.Notice{Kind: "skip", RequestID: 7}, nil)
	enqueue(t, s, "flaky", plusone.Notice{Kind: "flaky", RequestID: 8}, nil)
	enqueue(t, s, "payload", plusone.Notice{}, []byte(`{"what": 1}`))
	enqueue(t, s, "invalid", plusone.Notice{Kind: "invalid"}, nil)
	enqueue(t, s, "gone", plusone.Notice{Kind: "gone", RequestID: 9}, nil)
	enqueue(t, s, "refused", plusone.Notice{Kind: "refused", RequestID: 10}, nil)
	run(t, d)
	eventually(t, "every message sent or parked", func() bool { return jobs(t, s) == [2]int{0, 4} })

	got := sl.whats()
	slices.Sort(got)
	if want := []string{"replace 300.000001 approval_decided", "send approval_request", "send flaky", "send refused"}; !slices.Equal(got, want) {
		t.Errorf("Slack calls %q, want %q", got, want)
	}
	ctx := context.Background()
	err := s.View(ctx, func(tx plusone.Tx) error {
		channel, ts, err := tx.Message(ctx, 7, "approval")
		if err != nil || channel != "C9" || ts != "300.000001" {
			t.Errorf("recorded approval message: %q %q %v, want C9 300.000001", channel, ts, err)
		}
		if _, _, err := tx.Message(ctx, 7, "todo"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("a skipped message was recorded: %v", err)
		}
		if _, _, err := tx.Message(ctx, 8, ""); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("a message without Record was recorded: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := deliveries(d, "chat.postMessage", "permanent"); got != 1 {
		t.Errorf("%d permanent failures counted, want 1", got)
	}
	if got := deliveries(d, "chat.update", "ok"); got != 1 {
		t.Errorf("%d replacements counted, want 1", got)
	}
}

// A message Slack fails transiently is retried after a backoff.
func TestOutboxTransientRetry(t *testing.T) {
	t.Parallel()
	sl := &slack{answer: func(n int, _ call) error {
		if n == 0 {
			return errTransient
		}
		return nil
	}}
	s, d := setup(t, sl)
	d.Notices = &notices{}
	d.RetryBase = 40 * time.Millisecond
	enqueue(t, s, "m1", plusone.Notice{Kind: plusone.NoticeTodo, RequestID: 1}, nil)
	run(t, d)
	eventually(t, "the message sent", func() bool { return jobs(t, s) == [2]int{0, 0} })
	calls := sl.log()
	if len(calls) != 2 {
		t.Fatalf("Slack calls %q, want two sends", sl.whats())
	}
	// The first attempt's backoff: the base less 20 % jitter.
	if gap := calls[1].at.Sub(calls[0].at); gap < 32*time.Millisecond {
		t.Errorf("retry %v after the failure, want at least 32ms", gap)
	}
	if got := deliveries(d, "chat.postMessage", "transient"); got != 1 {
		t.Errorf("%d transient failures counted, want 1", got)
	}
}
