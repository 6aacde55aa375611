package vendorapi

import (
	"context"

	"github.com/go-resty/resty/v2"
)

// Once sends a write that the vendor would store twice if sent twice (a
// reply) and that has no idempotency key: before each attempt stored asks
// whether an earlier one went through after all (its answer lost to a
// timeout, a 5xx or a 429), and only when it did not is send called. send
// makes one attempt, on a client that does not retry by itself, and says
// whether another may help. Attempts after the first wait as policy says
// (Retry-After, else backoff); retries bounds them. A wait longer than
// policy allows ends with client's EUNAVAILABLE error for op.
func Once(ctx context.Context, client *Client, op string, policy RetryPolicy, retries int,
	stored func(ctx context.Context) (bool, error), send func(ctx context.Context) (resp *resty.Response, retry bool, err error)) error {
	for attempt := 1; ; attempt++ {
		done, err := stored(ctx)
		if err != nil || done {
			return err
		}
		resp, retry, err := send(ctx)
		if err == nil {
			return nil
		}
		if !retry || attempt > retries {
			return err
		}
		wait, werr := policy.After(resp, attempt)
		if werr != nil {
			return client.RequestError(ctx, op, resp, werr)
		}
		if err := Sleep(ctx, wait); err != nil {
			return err
		}
	}
}
