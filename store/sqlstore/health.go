package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// ProbeAfter is how long the store may go without a successful write
// before Ready makes one of its own (a probe) rather than trust the last.
const ProbeAfter = 5 * time.Second

// FaultHold is how long Ready keeps reporting a write that failed, even
// when others succeeded since: on a database whose open connections froze,
// writes over fresh connections succeed between the failures, and a
// readiness probe must not miss the failures for it.
const FaultHold = 5 * time.Second

// probeKeep is how long the probe row of a store that stopped probing (a
// process that exited) is kept.
const probeKeep = 24 * time.Hour

// health is what the store knows of its own writes, for Ready: the time of
// the latest write that succeeded and of the latest that failed for a fault
// of the database (the later of the two decides, but a failure counts for
// FaultHold at least), and the writes in flight, of which one waiting far longer than a write takes means that
// connections are stuck even if others still work.
type health struct {
	owner string // this store's row in store_probe

	mu       sync.Mutex
	okAt     time.Time
	failAt   time.Time
	failErr  error
	inflight map[uint64]time.Time // by sequence number: when each began
	seq      uint64

	probing sync.Mutex // one probe at a time
}

func (h *health) ok(at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if at.After(h.okAt) {
		h.okAt = at
	}
}

func (h *health) fail(at time.Time, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if at.After(h.failAt) {
		h.failAt, h.failErr = at, err
	}
}

// begin notes a write starting at; end(seq) its end.
func (h *health) begin(at time.Time) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.inflight == nil {
		h.inflight = map[uint64]time.Time{}
	}
	h.seq++
	h.inflight[h.seq] = at
	return h.seq
}

func (h *health) end(seq uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.inflight, seq)
}

// state returns a fault when the latest write outcome is a failure, or one
// failed within FaultHold, or a write has been in flight for longer than
// stuck; and when the latest success was.
func (h *health) state(now time.Time, stuck time.Duration) (okAt time.Time, fault error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failErr != nil && (!h.failAt.Before(h.okAt) || now.Sub(h.failAt) < FaultHold) {
		return h.okAt, fmt.Errorf("a write failed %s ago: %w", now.Sub(h.failAt).Round(time.Millisecond), h.failErr)
	}
	n, oldest := 0, now
	for _, at := range h.inflight {
		if now.Sub(at) > stuck {
			n++
			if at.Before(oldest) {
				oldest = at
			}
		}
	}
	if n > 0 {
		return h.okAt, fmt.Errorf("%d writes in flight for over %s (the oldest for %s)", n, stuck, now.Sub(oldest).Round(time.Millisecond))
	}
	return h.okAt, nil
}

// stuck is how long a write may be in flight before Ready calls it stuck:
// half the store's timeout, by which a healthy database is long done.
func (s *Store) stuck() time.Duration { return s.timeout / 2 }

// record notes the outcome of a write made for a caller with ctx. A caller
// that gave up (or a closing store) says nothing about the database, and
// neither does an error of the caller's own making (a lost lease, a
// conflict): only success and faults count.
func (s *Store) record(ctx context.Context, err error) {
	switch {
	case err == nil:
		s.health.ok(time.Now())
	case ctx.Err() != nil || s.life.Err() != nil:
	case s.fault(err):
		s.health.fail(time.Now(), err)
	}
}

// recordAppend notes a group commit that failed. Its deadline is not a
// caller's own but what the store owes intake (the callers' latest), so
// running out of it is a fault too: intake cannot store events now.
func (s *Store) recordAppend(err error) {
	if err != nil && s.life.Err() == nil && (errors.Is(err, context.DeadlineExceeded) || s.fault(err)) {
		s.health.fail(time.Now(), err)
	}
}

// fault tells whether err says the database cannot work now: the store's
// deadline passed (the caller's had not), the connection broke, or the
// dialect recognises a fault (disk full, I/O error, timeouts).
func (s *Store) fault(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return s.d.Fault != nil && s.d.Fault(err)
}

// writable returns nil when the store can write now: the latest write
// succeeded, and recently, or else a probe write succeeds. A failed probe
// counts as a fault whatever the error.
func (s *Store) writable(ctx context.Context) error {
	if okAt, fault := s.health.state(time.Now(), s.stuck()); fault != nil || time.Since(okAt) < ProbeAfter {
		return fault
	}
	s.health.probing.Lock()
	defer s.health.probing.Unlock()
	// Another probe, or a write, may have answered while this one waited.
	if okAt, fault := s.health.state(time.Now(), s.stuck()); fault != nil || time.Since(okAt) < ProbeAfter {
		return fault
	}
	if err := s.probe(ctx); err != nil {
		s.health.fail(time.Now(), err)
		return fmt.Errorf("probe write: %w", err)
	}
	return nil
}

// probe writes this store's row in store_probe, durably, as an
// acknowledged webhook is written, and drops rows of stores long gone.
func (s *Store) probe(ctx context.Context) error {
	now := time.Now()
	return s.durableTx(ctx, func(x db) error {
		if _, err := x.exec(ctx, `INSERT INTO store_probe (owner, at) VALUES (?, ?)
			ON CONFLICT (owner) DO UPDATE SET at = excluded.at`, s.health.owner, now.UnixMicro()); err != nil {
			return err
		}
		_, err := x.exec(ctx, `DELETE FROM store_probe WHERE at < ?`, now.Add(-probeKeep).UnixMicro())
		return err
	})
}

// probeOwner names this store's probe row: host, process and a random part,
// so that replicas and restarts do not share one.
func probeOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
