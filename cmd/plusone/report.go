package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/config"
	"github.com/plusone-hq/plusone/outcomes"
)

// report prints the outcomes report of the store PLUSONE_DATABASE_URL
// names: `plusone report [--window D] [--format text|json]`, the same
// content as GET /api/v1/outcomes.
func report(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	window := fs.String("window", "", "the outcome window, e.g. 30d (default: the policy's first)")
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("%w: --format %q: want text or json", errUsage, *format)
	}
	cfg, err := config.Load(getenv, sources())
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	policy := plusone.DefaultPolicy()
	if cfg.PolicyFile != "" {
		if policy, err = config.LoadPolicy(cfg.PolicyFile); err != nil {
			return fmt.Errorf("policy:\n%w", err)
		}
	}
	svc := &outcomes.Service{Policy: func() *plusone.Policy { return policy }}
	d, err := svc.Window(*window)
	if err != nil {
		return fmt.Errorf("%w: --window: %s", errUsage, plusone.ErrorMessage(err))
	}
	store, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer store.Close()
	svc.Store = store
	rep, err := svc.Report(ctx, d, time.Now())
	if err != nil {
		return err
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return outcomes.WriteText(stdout, rep, policy.Currency)
}
