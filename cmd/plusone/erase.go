package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
)

// erase erases the customer with the email args[2] from the store the
// environment names (plusone erase EMAIL), as DELETE /api/v1/customers
// does. A running service shows "erased" on her posted cards at its card
// sender's next round.
func erase(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) != 3 {
		fmt.Fprintln(stderr, "usage: plusone erase EMAIL")
		return fmt.Errorf("%w: erase takes one email address", errUsage)
	}
	cfg, live, log, err := load(getenv, stderr)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer store.Close()
	mem := &memory.Service{Store: store, Policy: live.Current, Clock: time.Now, Log: log}
	id, err := mem.EraseByEmail(ctx, args[2], plusone.Erasure{By: plusone.ErasedViaCLI, Via: plusone.ErasedViaCLI})
	if err != nil {
		if c := plusone.ErrorCode(err); c == plusone.ENOTFOUND || c == plusone.EINVALID {
			return fmt.Errorf("erase: %s", plusone.ErrorMessage(err))
		}
		return fmt.Errorf("erase: %w", err)
	}
	fmt.Fprintf(stdout, "erased customer %d: identities, timeline, notes, preferences and card texts; her ledger entries stay, anonymised\n", id)
	return nil
}
