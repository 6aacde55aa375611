package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/plusone-hq/plusone/config"
)

const usage = `plusone turns customer service into customer experience.

Usage:
  plusone serve     run the service (HTTP, workers, Slack)
  plusone demo      run on a temporary store and replay a sample customer journey
  plusone check     validate the environment and the policy file
  plusone erase EMAIL  erase a customer (as DELETE /api/v1/customers does)
  plusone version   print the version

Configuration is read from PLUSONE_* environment variables; see README.md.
`

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

// errCheckFailed is returned by `plusone check` after printing the problems.
var errCheckFailed = errors.New("configuration has problems")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// run is the whole program; main only supplies the process's environment,
// so that tests start the real thing.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 1 {
		cmd = args[1]
	}
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
		return check(getenv, stdout)
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

// check prints every problem of the environment and the policy file.
func check(getenv func(string) string, stdout io.Writer) error {
	cfg, policy, err := config.Check(getenv, sources())
	if err != nil {
		fmt.Fprintln(stdout, "plusone check: problems found")
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stdout, "  "+line)
		}
		return errCheckFailed
	}
	mode := "Slack over HTTP"
	switch {
	case cfg.LocalMode():
		mode = "local (no Slack token: cards are printed)"
	case cfg.SocketMode():
		mode = "Slack over Socket Mode"
	}
	driver, _ := cfg.Database()
	var open []string
	for _, s := range cfg.OpenWebhooks(sources()) {
		open = append(open, string(s))
	}
	if len(open) == 0 {
		open = []string{"none (set PLUSONE_<SOURCE>_WEBHOOK_SECRET)"}
	}
	policyName := "built-in"
	if cfg.PolicyFile != "" {
		policyName = cfg.PolicyFile
	}
	fmt.Fprintf(stdout, "plusone check: ok\n  mode: %s\n  store: %s\n  webhooks: %s\n  policy: %s (%d gestures)\n",
		mode, driver, strings.Join(open, ", "), policyName, len(policy.Gestures))
	return nil
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
