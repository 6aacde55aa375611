package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/plusone-hq/plusone/config"
)

const usage = `plusone turns customer service into customer experience.

Usage:
  plusone serve           run the service (HTTP, workers, Slack)
  plusone demo            run on a temporary store and replay a sample customer journey
  plusone check [--live]  validate the environment and the policy file;
                          --live also reaches Slack, the store, the vendor APIs and the model
  plusone healthcheck     exit 0 when the local server is ready (for container health checks)
  plusone report [--window D] [--format text|json]
                          the outcomes of gestures: treatment against holdout
  plusone erase EMAIL     erase a customer (as DELETE /api/v1/customers does)
  plusone version         print the version

Configuration is read from PLUSONE_* environment variables; see README.md.
`

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

// errCheckFailed is returned by `plusone check` after printing the problems.
var errCheckFailed = errors.New("configuration has problems")

// errLiveFailed is returned by `plusone check --live` after printing the
// checks that failed.
var errLiveFailed = errors.New("live checks failed")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// run is the whole program; main only supplies the process's environment,
// so that tests start the real thing.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		// Serving by default would start a store (./plusone.db) nobody asked for.
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command given", errUsage)
	}
	cmd := args[1]
	switch cmd {
	case "serve":
		cfg, live, log, err := load(getenv, stderr)
		if err != nil {
			return err
		}
		return serve(ctx, cfg, live, log, stdout, nil)
	case "demo":
		return demo(ctx, getenv, stdout, stderr)
	case "check":
		live := false
		for _, a := range args[2:] {
			if a != "--live" && a != "-live" {
				fmt.Fprint(stderr, usage)
				return fmt.Errorf("%w: check does not know %q", errUsage, a)
			}
			live = true
		}
		return check(ctx, getenv, stdout, stderr, live)
	case "healthcheck":
		return healthcheck(ctx, getenv, stdout)
	case "report":
		return report(ctx, args[2:], getenv, stdout, stderr)
	case "erase":
		return erase(ctx, args, getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "plusone %s\n", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// load reads the environment through getenv and the policy file it names
// (once), for serve; the logger writes to stderr.
func load(getenv func(string) string, stderr io.Writer) (*config.Config, *config.Live, *slog.Logger, error) {
	cfg, err := config.Load(getenv, sources())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("configuration:\n%w", err)
	}
	log := newLogger(stderr, cfg.LogLevel)
	live, err := config.LoadLive(cfg.PolicyFile, log)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("policy:\n%w", err)
	}
	return cfg, live, log, nil
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
