package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// A webhook's answer is written without reflection, as encode writes it.
func TestWebhookAnswerIsWhatEncodeWrites(t *testing.T) {
	for _, a := range []webhookAnswer{{}, {OK: true, ID: 1}, {OK: true, ID: 42, Duplicate: true}, {ID: -7}, {OK: true, ID: math.MaxInt64}} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(a); err != nil {
			t.Fatal(err)
		}
		if got := a.appendJSON(nil); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%+v: got %q, want %q", a, got, want.Bytes())
		}
	}
}

// Deliveries of one slice of time share their deadline context, whose
// deadline is at least the intake timeout after each of them and at most a
// slice more; the next slice gets a new one.
func TestDeliveriesOfASliceShareADeadline(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	const slice = timeout / deadlineSlices
	s := &Server{IntakeTimeout: timeout}
	t0 := time.Now()
	first := s.deadline(t0)
	for _, at := range []time.Time{t0, t0.Add(slice / 2), t0.Add(slice - time.Nanosecond)} {
		ctx := s.deadline(at)
		if ctx != first {
			t.Errorf("%s into the slice: a new context", at.Sub(t0))
		}
		d, ok := ctx.Deadline()
		if !ok || d.Before(at.Add(timeout)) || d.After(at.Add(timeout+slice)) {
			t.Errorf("%s into the slice: deadline %s after it, want between %s and %s",
				at.Sub(t0), d.Sub(at), timeout, timeout+slice)
		}
	}
	next := s.deadline(t0.Add(slice))
	if next == first {
		t.Fatal("the next slice shares the first one's context")
	}
	if d, _ := next.Deadline(); d.Before(t0.Add(slice + timeout)) {
		t.Errorf("the next slice's deadline is %s after it began, want at least %s", d.Sub(t0.Add(slice)), timeout)
	}
	if s.deadline(t0.Add(slice+time.Millisecond)) != next {
		t.Error("the next slice did not keep its context")
	}
}

// The intake deadline keeps to the wall clock, whatever the server's Clock
// says: a fixed test clock must not keep one expired context in use.
func TestIntakeDeadlineIgnoresTheServersClock(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := testServer(deadlineStore{})
	s.IntakeTimeout = 20 * time.Millisecond
	s.Clock = func() time.Time { return fixed }
	h := s.Handler()
	for i := range 3 {
		if i > 0 {
			time.Sleep(s.IntakeTimeout + s.IntakeTimeout/deadlineSlices + 5*time.Millisecond)
		}
		if status, body := answer(t, h, http.MethodPost, "/webhooks/generic"); status != http.StatusAccepted {
			t.Fatalf("webhook %d: answer %d %v, want 202", i+1, status, body)
		}
	}
}

// deadlineStore takes every event whose context is not done yet.
type deadlineStore struct{ plusone.Store }

func (deadlineStore) AppendEvent(ctx context.Context, ev *plusone.RawEvent) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if _, ok := ctx.Deadline(); !ok {
		return false, errors.New("no deadline")
	}
	ev.ID = 1
	return false, nil
}
