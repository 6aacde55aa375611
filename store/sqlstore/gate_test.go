package sqlstore

import (
	"context"
	"errors"
	"testing"
	"time"
)

// queued waits until n waiters are queued on g.
func queued(t *testing.T, g *writerGate, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		got := len(g.urgent) + len(g.normal)
		g.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters queued, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWriterGateUrgentFirst(t *testing.T) {
	t.Parallel()
	g := &writerGate{}
	ctx := context.Background()
	if err := g.lock(ctx, false); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 3)
	wait := func(name string, urgent bool) {
		if err := g.lock(ctx, urgent); err != nil {
			t.Error(err)
			return
		}
		order <- name
		g.unlock()
	}
	go wait("normal 1", false)
	queued(t, g, 1)
	go wait("normal 2", false)
	queued(t, g, 2)
	go wait("urgent", true)
	queued(t, g, 3)
	g.unlock()
	var got []string
	for range 3 {
		got = append(got, <-order)
	}
	want := []string{"urgent", "normal 1", "normal 2"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	// Free again: a new caller gets it at once.
	if err := g.lock(ctx, false); err != nil {
		t.Fatal(err)
	}
	g.unlock()
}

func TestWriterGateCancelledWaiterLeavesQueue(t *testing.T) {
	t.Parallel()
	g := &writerGate{}
	if err := g.lock(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- g.lock(ctx, true) }()
	queued(t, g, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled lock: %v", err)
	}
	queued(t, g, 0)
	g.unlock()
	// The gate is free, not handed to the cancelled waiter.
	done := make(chan struct{})
	go func() {
		if err := g.lock(context.Background(), false); err == nil {
			g.unlock()
		}
		close(done)
	}()
	<-done
}
