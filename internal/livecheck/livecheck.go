// Package livecheck runs the checks of `plusone check --live`: each one
// reaches one outside system within a timeout, and prints one line that
// says whether it answered as it should and, when not, what to do.
package livecheck

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Check is one thing to reach.
type Check struct {
	// Name says what is reached: "slack auth.test", "store", "zendesk API".
	Name string
	// Skip, when set, says why the check is not run (nothing configured);
	// Run is then not called.
	Skip string
	// Run reaches it; detail is shown on success, and the error, which
	// says what to do, on failure.
	Run func(ctx context.Context) (detail string, err error)
}

// result is how a check ended.
type result struct {
	Check  Check
	Detail string
	Err    error
}

// Run runs checks at once, each within timeout, and writes one line per
// check to w, in the order given. It returns the number that failed.
func Run(ctx context.Context, w io.Writer, checks []Check, timeout time.Duration) int {
	results := make([]result, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		results[i].Check = c
		if c.Skip != "" {
			continue
		}
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			results[i].Detail, results[i].Err = run(cctx, c)
			if results[i].Err != nil && cctx.Err() != nil {
				results[i].Err = fmt.Errorf("no answer within %s: %w", timeout, results[i].Err)
			}
		})
	}
	wg.Wait()
	failed := 0
	for _, r := range results {
		switch {
		case r.Check.Skip != "":
			fmt.Fprintf(w, "  skip  %s: %s\n", r.Check.Name, r.Check.Skip)
		case r.Err != nil:
			failed++
			fmt.Fprintf(w, "  FAIL  %s: %s\n", r.Check.Name, oneLine(r.Err.Error()))
		case r.Detail != "":
			fmt.Fprintf(w, "  ok    %s: %s\n", r.Check.Name, r.Detail)
		default:
			fmt.Fprintf(w, "  ok    %s\n", r.Check.Name)
		}
	}
	return failed
}

// run runs c, turning a panic into its failure.
func run(ctx context.Context, c Check) (detail string, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("check panicked: %v", v)
		}
	}()
	return c.Run(ctx)
}

// oneLine folds a message that spans lines (a driver's error per address
// tried) into one, so that each check keeps to its line.
func oneLine(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, ":\n", ": "), "\n", "; ")
	return strings.Join(strings.Fields(s), " ")
}
