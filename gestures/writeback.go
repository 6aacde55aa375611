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
	"github.com/plusone-hq/plusone/jobs"
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
	// MaxAttempts (10 when unset), RetryBase, RetryMax, Poll (1 s when
	// unset) and Timeout (2 min when unset) as for back-fill.
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
	loop := &jobs.Loop{
		Parts: []jobs.Part{&jobs.Kind[*plusone.Job]{
			Name: "write-back", Queue: jobs.StoreJobs{Store: s.Store, Kind: JobWriteback}, Handler: w,
			Batch: 4, Lease: w.timeout() + time.Minute, MaxAttempts: cmp.Or(w.MaxAttempts, 10),
			Backoff: jobs.Backoff{Base: w.RetryBase, Max: w.RetryMax},
			OnPark:  w.failed,
		}},
		Poll: cmp.Or(w.Poll, time.Second), Clock: s.Clock, Log: s.Log,
	}
	loop.Run(ctx, instance+"/writeback")
}

// Work makes one write-back. Done, the job is completed, the gesture
// fulfilled and the agent told, all or nothing: only while the lease holds
// (a worker that lost it changes nothing; the new holder writes back again,
// which the vendors take once), and no crash between them loses one. An
// error saying EINVALID or EUNAUTHORIZED parks the job.
func (w *Writer) Work(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	s := w.Gestures
	bg := context.WithoutCancel(ctx)
	wb, err := writebackPayload(j.Item)
	if err != nil {
		return jobs.Park(err)
	}
	callCtx, cancel := context.WithTimeout(ctx, w.timeout())
	done, err := w.write(callCtx, bg, wb)
	cancel()
	if code := plusone.ErrorCode(err); code == plusone.EINVALID || code == plusone.EUNAUTHORIZED {
		return jobs.Park(err)
	}
	if err != nil {
		return err
	}
	now := s.Clock()
	err = s.Store.Update(bg, func(tx plusone.Tx) error {
		if err := tx.CompleteJob(bg, j.Item.ID, j.Worker, now); err != nil {
			return err
		}
		if _, err := s.fulfilledIn(bg, tx, "plusone", wb.RequestID, done, false, now); err != nil && plusone.ErrorCode(err) != plusone.EINVALID {
			return err
		}
		return writebackResult(bg, tx, wb.RequestID, done, true, now)
	})
	if err != nil {
		return fmt.Errorf("record write-back of request %d: %w", wb.RequestID, err)
	}
	s.changed()
	j.Log.Info("written back", "request", wb.RequestID, "target", wb.Target, "result", done)
	return nil
}

func (w *Writer) timeout() time.Duration { return cmp.Or(w.Timeout, 2*time.Minute) }

// failed tells the card's thread that a parked write-back will not happen.
func (w *Writer) failed(ctx context.Context, j *jobs.Job[*plusone.Job], err error) {
	wb, perr := writebackPayload(j.Item)
	if perr != nil {
		return // no request to tell
	}
	msg := fmt.Sprintf("could not write back to %s: %s", wb.Target.Title(), plusone.ErrorMessage(err))
	if err := w.Gestures.WritebackResult(ctx, wb.RequestID, msg, false); err != nil {
		j.Log.Error("tell the write-back's failure", "request", wb.RequestID, "err", err)
	}
}

// writebackPayload reads a write-back job's payload.
func writebackPayload(j *plusone.Job) (Writeback, error) {
	var wb Writeback
	if err := json.Unmarshal(j.Payload, &wb); err != nil {
		return wb, fmt.Errorf("payload: %w", err)
	}
	return wb, nil
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
