package gestures

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/internal/workloop"
)

// ZendeskNotes adds internal notes to Zendesk tickets (zendesk.API).
type ZendeskNotes interface {
	// AddInternalNote adds body as a private comment of ticketID, unless a
	// comment containing marker is already there (a retry after a timeout).
	AddInternalNote(ctx context.Context, ticketID, body, marker string) error
}

// ShopifyDiscounts creates discount codes in Shopify (shopify.API).
type ShopifyDiscounts interface {
	// CreateDiscountCode creates a single-use code worth amount for the
	// customer (her Shopify id, when known). A code that exists already
	// counts as created.
	CreateDiscountCode(ctx context.Context, code, title string, amount plusone.Money, currency, customerID string) error
}

// Writer runs write-back jobs: the vendor calls that make a granted
// gesture real. A failure is retried with backoff and never holds the
// grant back; its result reaches the card's thread.
type Writer struct {
	Gestures *Service
	Zendesk  ZendeskNotes
	Shopify  ShopifyDiscounts
	// MaxAttempts, RetryBase, RetryMax, Poll (1s when unset) and Timeout as
	// for back-fill.
	MaxAttempts         int
	RetryBase, RetryMax time.Duration
	Poll                time.Duration
	Timeout             time.Duration
}

// Code is the Shopify discount code of a request: derived from it, so that
// a retry creates the same code (and finds it taken), and not guessable
// from the request number alone.
func Code(first plusone.LedgerEntry) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d/%s", first.RequestID, first.CreatedAt.UnixNano(), first.Agent))
	return "PLUS1-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])[:8]
}

// Run works through write-back jobs until ctx ends.
func (w *Writer) Run(ctx context.Context, instance string) {
	s := w.Gestures
	worker := instance + "/writeback"
	release := func(rctx context.Context) {
		if err := s.Store.ReleaseJobs(rctx, worker); err != nil {
			s.Log.Warn("release write-back jobs", "err", err)
		}
	}
	workloop.Run(ctx, nil, release, func(ctx, bg context.Context) time.Duration {
		jobs, err := s.Store.ClaimJobs(bg, JobWriteback, plusone.Claim{Worker: worker, Limit: 4, Lease: w.Timeout + time.Minute, Now: s.Clock()})
		if err != nil {
			s.Log.Error("claim write-back jobs", "err", err)
		}
		for _, j := range jobs {
			w.run(ctx, bg, worker, j)
		}
		if len(jobs) > 0 {
			return 0
		}
		return cmp.Or(w.Poll, time.Second)
	})
}

func (w *Writer) run(ctx, bg context.Context, worker string, j *plusone.Job) {
	s := w.Gestures
	var wb Writeback
	if err := json.Unmarshal(j.Payload, &wb); err != nil {
		_ = s.Store.ParkJob(bg, j.ID, worker, "payload: "+err.Error())
		return
	}
	log := s.Log.With("request", wb.RequestID, "target", wb.Target, "attempt", j.Attempts)
	callCtx, cancel := context.WithTimeout(ctx, w.Timeout)
	done, err := w.write(callCtx, bg, wb)
	cancel()
	if err == nil {
		// The job done, the gesture fulfilled and the agent told, all or
		// nothing: only while the lease holds (a worker that lost it
		// changes nothing; the new holder writes back again, which the
		// vendors take once), and no crash between them loses one.
		now := s.Clock()
		err := s.Store.Update(bg, func(tx plusone.Tx) error {
			if err := tx.CompleteJob(bg, j.ID, worker, now); err != nil {
				return err
			}
			if _, err := s.fulfilledIn(bg, tx, "plusone", wb.RequestID, done, false, now); err != nil && plusone.ErrorCode(err) != plusone.EINVALID {
				return err
			}
			return writebackResult(bg, tx, wb.RequestID, done, true, now)
		})
		if err != nil {
			log.Error("record write-back", "err", err)
			return
		}
		s.changed()
		log.Info("written back", "result", done)
		return
	}
	if ctx.Err() != nil {
		_ = s.Store.RetryJob(bg, j.ID, worker, s.Clock(), "interrupted by shutdown")
		return
	}
	code := plusone.ErrorCode(err)
	if code == plusone.EINVALID || code == plusone.EUNAUTHORIZED || j.Attempts >= w.MaxAttempts {
		log.Error("write-back failed for good", "err", err)
		_ = s.Store.ParkJob(bg, j.ID, worker, err.Error())
		_ = s.WritebackResult(bg, wb.RequestID, fmt.Sprintf("could not write back to %s: %s", wb.Target.Title(), plusone.ErrorMessage(err)), false)
		return
	}
	delay := workloop.Backoff(j.Attempts, w.RetryBase, w.RetryMax)
	log.Warn("write-back failed; will retry", "err", err, "retry_in", delay.String())
	_ = s.Store.RetryJob(bg, j.ID, worker, s.Clock().Add(delay), err.Error())
}

// write makes one write-back and says what was done.
func (w *Writer) write(ctx, bg context.Context, wb Writeback) (string, error) {
	s := w.Gestures
	var (
		first    plusone.LedgerEntry
		customer *plusone.Customer
		ids      []plusone.Identity
	)
	err := s.Store.View(bg, func(tx plusone.Tx) error {
		chain, err := tx.Request(bg, wb.RequestID)
		if err != nil {
			return err
		}
		first = chain[0]
		if customer, err = tx.Customer(bg, first.CustomerID); err != nil {
			return err
		}
		ids, err = tx.Identities(bg, first.CustomerID)
		return err
	})
	if err != nil {
		return "", err
	}
	switch wb.Target {
	case plusone.SourceZendesk:
		if w.Zendesk == nil {
			return "", plusone.Errorf(plusone.EINVALID, "Zendesk's API is not configured")
		}
		ticket, ok := strings.CutPrefix(first.TicketKey, "zendesk:")
		if !ok {
			return "", plusone.Errorf(plusone.EINVALID, "not a Zendesk ticket: %s", first.TicketKey)
		}
		marker := fmt.Sprintf("[plusone request %d]", first.RequestID)
		body := fmt.Sprintf("Granted: %s, %s, by %s for %s. %s", strings.ToLower(first.Title), first.Value.Format(first.Currency),
			first.Agent, customer.DisplayName(), marker)
		if err := w.Zendesk.AddInternalNote(ctx, ticket, body, marker); err != nil {
			return "", err
		}
		return "Zendesk internal note added to ticket " + ticket, nil
	case plusone.SourceShopify:
		if w.Shopify == nil {
			return "", plusone.Errorf(plusone.EINVALID, "Shopify's API is not configured")
		}
		shopifyID := ""
		for _, id := range ids {
			if id.Kind == string(plusone.SourceShopify) {
				shopifyID = id.Value
			}
		}
		code := Code(first)
		if err := w.Shopify.CreateDiscountCode(ctx, code, first.Title, first.Value, first.Currency, shopifyID); err != nil {
			return "", err
		}
		return "Shopify discount code " + code + " created", nil
	default:
		return "", plusone.Errorf(plusone.EINVALID, "unknown write-back target %q", wb.Target)
	}
}
