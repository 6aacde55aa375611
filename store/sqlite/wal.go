package sqlite

import (
	"fmt"
	"github.com/plusone-hq/plusone/store/spool"
	"os"
	"sync"
)

// walFlusher makes the commits of the database's write-ahead log durable
// after the fact: an fdatasync of the "-wal" file, which holds every
// committed transaction not yet checkpointed (a checkpoint syncs the log
// before copying it, and the database after). It is what
// synchronous=FULL does at each commit, done instead outside the writer,
// once for every commit made before it.
type walFlusher struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// Flush syncs the write-ahead log. The file is opened again when the one
// held is no longer the log (SQLite deletes the log when its last
// connection closes, and makes a new one on the next open).
func (w *walFlusher) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	st, err := os.Stat(w.path)
	if err != nil {
		return fmt.Errorf("write-ahead log: %w", err)
	}
	if w.f != nil {
		if held, err := w.f.Stat(); err != nil || !os.SameFile(st, held) {
			_ = w.f.Close()
			w.f = nil
		}
	}
	if w.f == nil {
		if w.f, err = os.OpenFile(w.path, os.O_RDWR, 0); err != nil {
			return fmt.Errorf("write-ahead log: %w", err)
		}
	}
	if err := spool.Datasync(w.f); err != nil {
		return fmt.Errorf("sync write-ahead log: %w", err)
	}
	return nil
}

// Close closes the log file held.
func (w *walFlusher) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
