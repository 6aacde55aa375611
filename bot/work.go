package bot

import (
	"context"
	"fmt"
	"sync"
)

// work is what an App does after it has answered Slack: a click's
// handling, a late answer to a command, an App Home to publish. It is
// tracked so that Close can wait for it before the store underneath
// closes. The zero value is ready.
type work struct {
	mu      sync.Mutex
	closing bool
	running sync.WaitGroup
	// cancels end the contexts of the work in flight when Close gives up.
	cancels map[int]context.CancelFunc
	next    int
}

// start runs fn in a goroutine the App owns. fn's context keeps parent's
// values but not its end (a request's context ends with its answer); it
// ends when Close gives up waiting. start reports false, and runs
// nothing, once Close has begun.
func (w *work) start(parent context.Context, fn func(ctx context.Context)) bool {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	w.mu.Lock()
	if w.closing {
		w.mu.Unlock()
		cancel()
		return false
	}
	if w.cancels == nil {
		w.cancels = map[int]context.CancelFunc{}
	}
	id := w.next
	w.next++
	w.cancels[id] = cancel
	w.running.Add(1)
	w.mu.Unlock()
	go func() {
		defer w.running.Done()
		defer func() {
			w.mu.Lock()
			delete(w.cancels, id)
			w.mu.Unlock()
			cancel()
		}()
		fn(ctx)
	}()
	return true
}

// close refuses new work and waits for the work in flight until ctx ends;
// then it cancels what is left and returns without waiting for it.
func (w *work) close(ctx context.Context) error {
	w.mu.Lock()
	w.closing = true
	w.mu.Unlock()
	// The waiter ends with the last piece of work: at once when all is
	// done, or soon after the cancels below.
	done := make(chan struct{})
	go func() { w.running.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	w.mu.Lock()
	left := len(w.cancels)
	for _, cancel := range w.cancels {
		cancel()
	}
	w.mu.Unlock()
	return fmt.Errorf("slack app: %d handlers still running, cancelled: %w", left, ctx.Err())
}
