package config

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestLiveReload(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("roles:\n  agent: {max_per_gesture: 25, budget: {amount: 100, per: day}}\n")
	p, err := LoadPolicy(path)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuf{}
	live := NewLive(path, p, slog.New(slog.NewJSONHandler(logs, nil)))
	budget := func() plusone.Money { b, _ := live.Current().AgentBudget("U1"); return b.Amount }

	// A file with an error in a nested field is refused; the policy stays.
	write("roles:\n  agent: {max_per_gesture: 25, budget: {amount: 100, per: fortnight}}\n")
	err = live.Reload()
	if err == nil || !strings.Contains(err.Error(), ":2:") || !strings.Contains(err.Error(), "roles.agent.budget.per") {
		t.Fatalf("bad file: %v", err)
	}
	if budget() != 100_00 {
		t.Errorf("the old policy did not stay: %v", budget())
	}
	if !strings.Contains(logs.String(), "policy reload refused") {
		t.Errorf("refusal not logged: %s", logs.String())
	}
	// A good file is taken; overrides stay on top of it.
	if err := live.SetOverrides([]plusone.Override{{Path: "customer_budget", NewValue: "70/month"}}); err != nil {
		t.Fatal(err)
	}
	write("roles:\n  agent: {max_per_gesture: 25, budget: {amount: 200, per: day}}\n")
	if err := live.Reload(); err != nil {
		t.Fatal(err)
	}
	if budget() != 200_00 || live.Current().CustomerBudget.Amount != 70_00 || live.File().CustomerBudget != nil {
		t.Errorf("after reload: budget %v, customer %+v", budget(), live.Current().CustomerBudget)
	}
	// Watch picks up a change of the file by itself.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go live.Watch(ctx, 10*time.Millisecond)
	write("roles:\n  agent: {max_per_gesture: 25, budget: {amount: 300, per: day}}\n")
	deadline := time.Now().Add(5 * time.Second)
	for budget() != 300_00 {
		if time.Now().After(deadline) {
			t.Fatalf("the watched change was not taken: %v", budget())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// An override that does not fit the policy is refused.
	if err := live.SetOverrides([]plusone.Override{{Path: "teams.nobody.budget", NewValue: "1/day"}}); err == nil {
		t.Error("an override of an unknown team was taken")
	}
}

// Each policy file taken is described to OnLoad with the hash of its
// bytes and why; a refused file is not.
func TestLiveOnLoad(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	first := "roles:\n  agent: {max_per_gesture: 25, budget: {amount: 100, per: day}}\n"
	if err := os.WriteFile(path, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	live, err := LoadLive(path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(first))
	if d := live.Describe(plusone.PolicyLoadStart); d.Hash != hex.EncodeToString(sum[:]) || d.Path != path || d.Reason != "start" {
		t.Errorf("start = %+v", d)
	}
	var got []plusone.PolicyLoad
	live.OnLoad(func(l plusone.PolicyLoad) { got = append(got, l) })
	if err := os.WriteFile(path, []byte("roles:\n  agent: {budget: {amount: 1, per: fortnight}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if live.Reload() == nil {
		t.Fatal("a bad file was taken")
	}
	second := "roles:\n  agent: {max_per_gesture: 25, budget: {amount: 200, per: day}}\n"
	if err := os.WriteFile(path, []byte(second), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := live.Reload(); err != nil {
		t.Fatal(err)
	}
	sum = sha256.Sum256([]byte(second))
	if len(got) != 1 || got[0].Hash != hex.EncodeToString(sum[:]) || got[0].Reason != plusone.PolicyLoadReload {
		t.Errorf("loads heard = %+v", got)
	}
	if d := NewLive("", plusone.DefaultPolicy(), nil).Describe(plusone.PolicyLoadStart); d.Hash != plusone.BuiltInPolicyHash {
		t.Errorf("built-in = %+v", d)
	}
}
