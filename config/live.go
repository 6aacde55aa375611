package config

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
)

// Live is the policy in force: the policy file (or the built-in policy)
// with the supervisors' overrides on top. It is reloaded when the file
// changes (Watch) or on demand (SIGHUP calls Reload); a file with problems
// is refused and the policy in force stays. Safe for concurrent use.
type Live struct {
	path string
	log  *slog.Logger

	mu        sync.RWMutex
	file      *plusone.Policy
	overrides []plusone.Override
	effective *plusone.Policy
	hash      [32]byte
}

// NewLive starts from a policy already loaded from path ("" for the
// built-in policy).
func NewLive(path string, file *plusone.Policy, log *slog.Logger) *Live {
	l := &Live{path: path, log: log, file: file, effective: file}
	if path != "" {
		if b, err := os.ReadFile(path); err == nil {
			l.hash = sha256.Sum256(b)
		}
	}
	return l
}

// Current is the policy in force. Callers must not modify it.
func (l *Live) Current() *plusone.Policy {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.effective
}

// File is the policy of the file alone, without overrides.
func (l *Live) File() *plusone.Policy {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.file
}

// Reload reads the policy file again. With problems, the policy in force
// stays and the error (file, line, field) is returned and logged.
func (l *Live) Reload() error {
	if l.path == "" {
		return nil
	}
	data, err := os.ReadFile(l.path)
	if err != nil {
		l.log.Error("policy reload refused; the policy in force stays", "file", l.path, "err", err)
		return fmt.Errorf("reload %s: %w", l.path, err)
	}
	p, err := ParsePolicy(l.path, data)
	if err != nil {
		l.log.Error("policy reload refused; the policy in force stays", "file", l.path, "problems", err.Error())
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	eff, err := p.WithOverrides(l.overrides)
	if err != nil {
		// An override no longer fits the new file (a role was removed):
		// the file is taken, the overrides that fit are kept.
		l.log.Warn("an override does not apply to the new policy file", "err", err)
		eff = applyFitting(p, l.overrides, l.log)
	}
	l.file, l.effective, l.hash = p, eff, sha256.Sum256(data)
	l.log.Info("policy reloaded", "file", l.path, "gestures", len(p.Gestures))
	return nil
}

// SetOverrides replaces the overrides in force.
func (l *Live) SetOverrides(os []plusone.Override) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	eff, err := l.file.WithOverrides(os)
	if err != nil {
		return err
	}
	l.overrides, l.effective = append([]plusone.Override(nil), os...), eff
	return nil
}

// applyFitting applies, in order, the overrides that fit the file's
// policy, skipping those that do not.
func applyFitting(p *plusone.Policy, os []plusone.Override, log *slog.Logger) *plusone.Policy {
	var fitting []plusone.Override
	for _, o := range os {
		if _, err := p.WithOverrides([]plusone.Override{o}); err != nil {
			log.Warn("override skipped", "path", o.Path, "err", err)
			continue
		}
		fitting = append(fitting, o)
	}
	eff, err := p.WithOverrides(fitting)
	if err != nil {
		return p
	}
	return eff
}

// Watch reloads the policy file when its content changes, checking every
// interval, until ctx ends.
func (l *Live) Watch(ctx context.Context, interval time.Duration) {
	if l.path == "" {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			data, err := os.ReadFile(l.path)
			if err != nil {
				continue
			}
			sum := sha256.Sum256(data)
			l.mu.RLock()
			same := bytes.Equal(sum[:], l.hash[:])
			l.mu.RUnlock()
			if !same {
				_ = l.Reload()
				l.mu.Lock()
				l.hash = sum // a refused file is not tried again until it changes
				l.mu.Unlock()
			}
		}
	}
}
