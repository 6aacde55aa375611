package sqlstore

import (
	"context"
	"sync"
)

// writerGate orders the transactions that wait for a single-writer
// database (SQLite): stored webhooks first, then the others in arrival
// order. database/sql hands a freed connection to a random waiter, so on
// one connection a group commit of webhooks, whose senders are waiting for
// their answer, would wait behind a random number of replayable
// transactions (applying events, posting cards) that could just as well
// run a millisecond later. With the gate it waits for the one in progress
// at most.
type writerGate struct {
	mu             sync.Mutex
	busy           bool
	urgent, normal []chan struct{}
}

// lock waits for the writer; urgent waiters go before the others.
func (g *writerGate) lock(ctx context.Context, urgent bool) error {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if urgent {
		g.urgent = append(g.urgent, ch)
	} else {
		g.normal = append(g.normal, ch)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		if g.remove(ch) {
			g.mu.Unlock()
			return ctx.Err()
		}
		g.mu.Unlock()
		// Handed over meanwhile: pass it on.
		<-ch
		g.unlock()
		return ctx.Err()
	}
}

// remove takes ch out of the queues; false if it was handed the gate.
func (g *writerGate) remove(ch chan struct{}) bool {
	for _, q := range []*[]chan struct{}{&g.urgent, &g.normal} {
		for i, c := range *q {
			if c == ch {
				*q = append((*q)[:i], (*q)[i+1:]...)
				return true
			}
		}
	}
	return false
}

// unlock hands the writer to the next waiter, urgent ones first.
func (g *writerGate) unlock() {
	g.mu.Lock()
	defer g.mu.Unlock()
	var next chan struct{}
	switch {
	case len(g.urgent) > 0:
		next, g.urgent = g.urgent[0], g.urgent[1:]
	case len(g.normal) > 0:
		next, g.normal = g.normal[0], g.normal[1:]
	default:
		g.busy = false
		return
	}
	close(next) // still busy: ownership passes to next
}
