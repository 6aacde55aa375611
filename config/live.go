package config

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	// loaded, if set, hears of each policy file taken (OnLoad).
	loaded func(plusone.PolicyLoad)
}

// OnLoad makes fn hear of every policy file taken from now on (reloads and
// changes of the file; Describe gives the one in force). Call it before
// Watch and Reload run.
func (l *Live) OnLoad(fn func(plusone.PolicyLoad)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loaded = fn
}

// Describe is the policy file in force as a load for the reason given:
// its path, hash and gestures (At and Instance are the caller's).
func (l *Live) Describe(reason string) plusone.PolicyLoad {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.describe(reason)
}

func (l *Live) describe(reason string) plusone.PolicyLoad {
	d := plusone.PolicyLoad{Hash: plusone.BuiltInPolicyHash, Path: l.path, Reason: reason, Gestures: len(l.file.Gestures)}
	if l.path != "" {
		d.Hash = hex.EncodeToString(l.hash[:])
	}
	return d
}

// LoadLive reads the policy file at path once ("" for the built-in
// policy) and starts from it; the hash Watch compares against is of the
// very bytes parsed. Problems are reported as LoadPolicy reports them.
func LoadLive(path string, log *slog.Logger) (*Live, error) {
	if path == "" {
		return NewLive("", plusone.DefaultPolicy(), log), nil
	}
	data, err := readPolicy(path)
	if err != nil {
		return nil, err
	}
	p, err := ParsePolicy(path, data)
	if err != nil {
		return nil, err
	}
	l := NewLive(path, p, log)
	l.hash = sha256.Sum256(data)
	return l, nil
}

// NewLive starts from a policy already loaded from path ("" for the
// built-in policy). The bytes it was parsed from are unknown, so Watch's
// first check takes the file as changed and reloads it; LoadLive avoids
// that.
func NewLive(path string, file *plusone.Policy, log *slog.Logger) *Live {
	return &Live{path: path, log: log, file: file, effective: file}
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
	return l.reload(data, sha256.Sum256(data), plusone.PolicyLoadReload)
}

// reload takes data, the policy file's content whose hash is sum, as
// Reload does; reason says why (plusone.PolicyLoadReload or
// PolicyLoadChanged).
func (l *Live) reload(data []byte, sum [32]byte, reason string) error {
	p, err := ParsePolicy(l.path, data)
	if err != nil {
		l.log.Error("policy reload refused; the policy in force stays", "file", l.path, "problems", err.Error())
		return err
	}
	l.mu.Lock()
	eff, err := p.WithOverrides(l.overrides)
	if err != nil {
		// An override no longer fits the new file (a role was removed):
		// the file is taken, the overrides that fit are kept.
		l.log.Warn("an override does not apply to the new policy file", "err", err)
		eff = applyFitting(p, l.overrides, l.log)
	}
	l.file, l.effective, l.hash = p, eff, sum
	loaded, d := l.loaded, l.describe(reason)
	l.mu.Unlock()
	l.log.Info("policy reloaded", "file", l.path, "gestures", len(p.Gestures), "reason", reason)
	if loaded != nil {
		loaded(d)
	}
	return nil
}

// Overrides are the overrides in force, oldest first.
func (l *Live) Overrides() []plusone.Override {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]plusone.Override(nil), l.overrides...)
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
			if !same && l.reload(data, sum, plusone.PolicyLoadChanged) != nil {
				l.mu.Lock()
				l.hash = sum // a refused file is not tried again until it changes
				l.mu.Unlock()
			}
		}
	}
}
