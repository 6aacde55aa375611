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
	"github.com/plusone-hq/plusone/delivery"
)

// notices renders outbox messages by their What: "skip" has nothing to
// send, "invalid" and "gone" cannot be rendered (EINVALID, ENOTFOUND),
// "flaky" fails to render once; the rest are sent to channel (C9 when
// empty) through the fake Slack as "send <what>".
type notices struct {
	s       *slack
	channel string

	mu       sync.Mutex
	prepared map[string]int
}

func (n *notices) Prepare(ctx context.Context, o delivery.Outgoing) (delivery.Prepared, error) {
	n.mu.Lock()
	if n.prepared == nil {
		n.prepared = map[string]int{}
	}
	n.prepared[o.What]++
	tries := n.prepared[o.What]
	n.mu.Unlock()
	switch {
	case o.What == "skip":
		return delivery.Prepared{Skip: true}, nil
	case o.What == "invalid":
		return delivery.Prepared{}, plusone.Errorf(plusone.EINVALID, "no such message %q", o.What)
	case o.What == "gone":
		return delivery.Prepared{}, plusone.Errorf(plusone.ENOTFOUND, "request %d not found", o.RequestID)
	case o.What == "flaky" && tries == 1:
		return delivery.Prepared{}, errors.New("database is locked")
	}
	channel := n.channel
	if channel == "" {
		channel = "C9"
	}
	return delivery.Prepared{Channel: channel, Method: "chat.postMessage", Send: func(ctx context.Context) (string, error) {
		if err := n.s.do(call{what: "send " + o.What, channel: channel}); err != nil {
			return "", err
		}
		return "300.000001", nil
	}}, nil
}

// enqueue queues an outbox message with o as payload, or raw when not nil.
func enqueue(t *testing.T, s plusone.Store, key string, o delivery.Outgoing, raw []byte) {
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
		_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: delivery.JobMessage, Key: key, Payload: payload}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// jobs counts outbox messages pending and parked.
func jobs(t *testing.T, s plusone.Store) [2]int {
	t.Helper()
	pending, parked, err := s.JobStats(context.Background(), delivery.JobMessage)
	if err != nil {
		t.Fatal(err)
	}
	return [2]int{pending, parked}
}

// Outbox messages: one sent and remembered where its request says
// (Record), one with nothing to send completed without a call, one that
// failed to render retried, and those that can never be sent (bad payload,
// unknown, gone, refused by Slack) parked for operators.
func TestOutboxMessages(t *testing.T) {
	t.Parallel()
	sl := &slack{answer: func(_ int, c call) error {
		if c.what == "send refused" {
			return errPermanent
		}
		return nil
	}}
	s, d := setup(t, sl)
	d.Notices = &notices{s: sl}
	enqueue(t, s, "approval", delivery.Outgoing{What: "approval_request", RequestID: 7, Record: "approval"}, nil)
	enqueue(t, s, "skip", delivery.Outgoing{What: "skip", RequestID: 7, Record: "todo"}, nil)
	enqueue(t, s, "flaky", delivery.Outgoing{What: "flaky", RequestID: 8}, nil)
	enqueue(t, s, "payload", delivery.Outgoing{}, []byte(`{"what": 1}`))
	enqueue(t, s, "invalid", delivery.Outgoing{What: "invalid"}, nil)
	enqueue(t, s, "gone", delivery.Outgoing{What: "gone", RequestID: 9}, nil)
	enqueue(t, s, "refused", delivery.Outgoing{What: "refused", RequestID: 10}, nil)
	run(t, d)
	eventually(t, "every message sent or parked", func() bool { return jobs(t, s) == [2]int{0, 4} })

	got := sl.whats()
	slices.Sort(got)
	if want := []string{"send approval_request", "send flaky", "send refused"}; !slices.Equal(got, want) {
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
	d.Notices = &notices{s: sl}
	d.RetryBase = 40 * time.Millisecond
	enqueue(t, s, "m1", delivery.Outgoing{What: "todo", RequestID: 1}, nil)
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
