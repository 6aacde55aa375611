package memory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/plusone-hq/plusone"
)

// EraseIdentities erases, inside tx, every customer who has one of ids,
// and audits each erasure: the identities are locked first, as Remember
// locks them, so that an event of hers applied at the same time either
// comes before (and is erased with her) or after (and makes a new
// customer). It returns the ids of the customers it erased; those erased
// before are left out.
func EraseIdentities(ctx context.Context, tx plusone.Tx, ids []plusone.Identity, er plusone.Erasure) ([]int64, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = plusone.IdentityLock(id)
	}
	if err := tx.Lock(ctx, keys...); err != nil {
		return nil, err
	}
	var erased []int64
	seen := map[int64]bool{}
	for _, id := range ids {
		c, err := tx.CustomerByIdentity(ctx, id)
		if errors.Is(err, plusone.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		ok, err := EraseCustomer(ctx, tx, c.ID, er)
		if err != nil {
			return nil, err
		}
		if ok {
			erased = append(erased, c.ID)
		}
	}
	return erased, nil
}

// EraseCustomer erases customer id inside tx (Tx.EraseCustomer) and
// audits it. erased is false when she was erased before.
func EraseCustomer(ctx context.Context, tx plusone.Tx, id int64, er plusone.Erasure) (erased bool, err error) {
	if erased, err = tx.EraseCustomer(ctx, id, er.At); err != nil || !erased {
		return false, err
	}
	if err := replacePosted(ctx, tx, id, er.At); err != nil {
		return false, err
	}
	outcome := "erased via " + er.Via
	if er.Ref != "" {
		outcome += " (" + er.Ref + ")"
	}
	return true, tx.Audit(ctx, er.By, plusone.AuditErase, "customer:"+strconv.FormatInt(id, 10), outcome, er.At)
}

// replacePosted queues, in the erasure's transaction, the replacement of
// the approval requests and to-dos posted about customer id with a line
// saying she was erased (plusone.NoticeErased), once each.
func replacePosted(ctx context.Context, tx plusone.Tx, id int64, now time.Time) error {
	posted, err := tx.CustomerMessages(ctx, id)
	if err != nil {
		return err
	}
	for _, m := range posted {
		payload, err := json.Marshal(plusone.Notice{Kind: plusone.NoticeErased, RequestID: m.RequestID, Text: m.Purpose})
		if err != nil {
			return err
		}
		key := fmt.Sprintf("msg:erased:%d:%s", m.RequestID, m.Purpose)
		if _, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobNotice, Key: key, Payload: payload, CreatedAt: now}, now); err != nil {
			return fmt.Errorf("replace the %s message of request %d: %w", m.Purpose, m.RequestID, err)
		}
	}
	return nil
}

// EraseByEmail erases the customer with email: identities, timeline,
// notes, preferences and the texts of her cards, which show "erased" in
// Slack once the card sender has been through them; her ledger entries
// stay, anonymised. It is an ENOTFOUND error when nobody has the email
// (erased before included), EINVALID when it is not one. er.At is set
// from the clock.
func (s *Service) EraseByEmail(ctx context.Context, email string, er plusone.Erasure) (int64, error) {
	e := plusone.NormalizeEmail(email)
	if e == "" {
		return 0, plusone.Errorf(plusone.EINVALID, "%q is not an email address", email)
	}
	er.At = s.Clock()
	var erased []int64
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		var err error
		erased, err = EraseIdentities(ctx, tx, []plusone.Identity{{Kind: plusone.IdentityEmail, Value: e}}, er)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("erase: %w", err)
	}
	if len(erased) == 0 {
		return 0, plusone.Errorf(plusone.ENOTFOUND, "no customer with the email %s", e)
	}
	s.erased(erased[0], er)
	return erased[0], nil
}

// retentionBatch is how many customers one look for unseen ones finds.
const retentionBatch = 100

// EraseUnseen erases customers with no event for retention (the
// policy's), one transaction each, at most limit of them, and returns how
// many it erased and whether more may be left. A customer an event reached
// since she was found is kept. It stops at the first error; what it erased
// stays erased, so running it again goes on.
func (s *Service) EraseUnseen(ctx context.Context, retention time.Duration, limit int) (n int, more bool, err error) {
	if retention <= 0 {
		return 0, false, nil
	}
	for n < limit {
		before := s.Clock().Add(-retention)
		var ids []int64
		if err := s.Store.View(ctx, func(tx plusone.Tx) error {
			var err error
			ids, err = tx.UnseenCustomers(ctx, before, min(retentionBatch, limit-n))
			return err
		}); err != nil {
			return n, true, fmt.Errorf("retention: %w", err)
		}
		if len(ids) == 0 {
			return n, false, nil
		}
		progress := false
		for _, id := range ids {
			erased, err := s.eraseUnseen(ctx, id, before)
			if err != nil {
				return n, true, fmt.Errorf("retention: %w", err)
			}
			if erased {
				n++
				progress = true
			}
		}
		if !progress {
			return n, false, nil // everyone found was seen meanwhile
		}
	}
	return n, true, nil
}

// EraseSource erases the customers known through source (a shop's
// erasure), one transaction each, at most limit of them, and returns how
// many it erased and whether more may be left.
func (s *Service) EraseSource(ctx context.Context, source plusone.Source, er plusone.Erasure, limit int) (n int, more bool, err error) {
	for n < limit {
		var ids []int64
		if err := s.Store.View(ctx, func(tx plusone.Tx) error {
			var err error
			ids, err = tx.CustomersOfSource(ctx, source, min(retentionBatch, limit-n))
			return err
		}); err != nil {
			return n, true, fmt.Errorf("erase the customers of %s: %w", source, err)
		}
		if len(ids) == 0 {
			return n, false, nil
		}
		for _, id := range ids {
			er.At = s.Clock()
			var erased bool
			err := s.Store.Update(ctx, func(tx plusone.Tx) error {
				var err error
				erased, err = EraseCustomer(ctx, tx, id, er)
				if errors.Is(err, plusone.ErrNotFound) {
					return nil // merged away meanwhile
				}
				return err
			})
			if err != nil {
				return n, true, fmt.Errorf("erase the customers of %s: %w", source, err)
			}
			if erased {
				n++
				s.erased(id, er)
			}
		}
	}
	return n, true, nil
}

// eraseUnseen erases customer id if she is still unseen since before,
// checked under her locks.
func (s *Service) eraseUnseen(ctx context.Context, id int64, before time.Time) (bool, error) {
	er := plusone.Erasure{By: plusone.ErasedViaRetention, Via: plusone.ErasedViaRetention, At: s.Clock()}
	var erased bool
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		erased = false
		ids, err := tx.Identities(ctx, id)
		if err != nil {
			return err
		}
		keys := make([]string, len(ids))
		for i, x := range ids {
			keys[i] = plusone.IdentityLock(x)
		}
		if err := tx.Lock(ctx, keys...); err != nil {
			return err
		}
		if err := tx.Lock(ctx, plusone.CustomerLock(id)); err != nil {
			return err
		}
		c, err := tx.Customer(ctx, id)
		if errors.Is(err, plusone.ErrNotFound) {
			return nil // merged away meanwhile
		}
		if err != nil {
			return err
		}
		seen := c.Profile.LastSeen
		if seen.IsZero() {
			seen = c.CreatedAt
		}
		if !seen.Before(before) {
			return nil
		}
		erased, err = EraseCustomer(ctx, tx, id, er)
		return err
	})
	if err == nil && erased {
		s.erased(id, er)
	}
	return erased, err
}

// exportAll bounds each list of an export: far above what one customer
// gathers.
const exportAll = 100_000

// Export returns everything stored about the customer with email, for
// her data-subject access request: none when nobody has it (erased
// customers included); EINVALID when it is not an email.
func (s *Service) Export(ctx context.Context, email string) ([]plusone.CustomerData, error) {
	e := plusone.NormalizeEmail(email)
	if e == "" {
		return nil, plusone.Errorf(plusone.EINVALID, "%q is not an email address", email)
	}
	var out []plusone.CustomerData
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		out = out[:0]
		c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: plusone.IdentityEmail, Value: e})
		if errors.Is(err, plusone.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		d, err := exportCustomer(ctx, tx, c)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return out, nil
}

// exportCustomer reads everything stored about c.
func exportCustomer(ctx context.Context, tx plusone.Tx, c *plusone.Customer) (plusone.CustomerData, error) {
	d := plusone.CustomerData{Customer: *c}
	id := c.ID
	var err error
	if d.Identities, err = tx.Identities(ctx, id); err != nil {
		return d, err
	}
	if d.Timeline, err = tx.Timeline(ctx, id, exportAll); err != nil {
		return d, err
	}
	if d.Tickets, err = tx.Tickets(ctx, id, exportAll); err != nil {
		return d, err
	}
	if d.Orders, err = tx.Orders(ctx, id, exportAll); err != nil {
		return d, err
	}
	if d.Carts, err = tx.Carts(ctx, id, exportAll); err != nil {
		return d, err
	}
	if d.Preferences, err = tx.Preferences(ctx, id); err != nil {
		return d, err
	}
	if d.Notes, err = tx.Notes(ctx, id, exportAll); err != nil {
		return d, err
	}
	if d.Merges, err = tx.Merges(ctx, id); err != nil {
		return d, err
	}
	if d.Cards, err = tx.CardsOfCustomer(ctx, id, exportAll); err != nil {
		return d, err
	}
	if d.Ledger, err = tx.Ledger(ctx, plusone.LedgerFilter{CustomerID: id, Limit: exportAll}); err != nil {
		return d, err
	}
	d.Wordings, err = tx.Wordings(ctx, id, exportAll)
	return d, err
}

// erased logs an erasure, with ids only, and wakes the card sender: her
// posted cards are to show "erased".
func (s *Service) erased(id int64, er plusone.Erasure) {
	if s.Log != nil {
		s.Log.Info("customer erased", "customer_id", id, "via", er.Via, "by", er.By)
	}
	s.changed()
}

// MayErase says whether a Slack user may erase customers: the policy's
// supervisors only (EUNAUTHORIZED for anyone else).
func (s *Service) MayErase(actor string) error {
	if !slices.Contains(s.Policy().Approvals.Supervisors, actor) {
		return plusone.Errorf(plusone.EUNAUTHORIZED, "only supervisors may erase customers")
	}
	return nil
}

// EraseAsSupervisor erases the customer with email on a supervisor's
// request in Slack (EraseByEmail); EUNAUTHORIZED for anyone else.
func (s *Service) EraseAsSupervisor(ctx context.Context, actor, email string) error {
	if err := s.MayErase(actor); err != nil {
		return err
	}
	_, err := s.EraseByEmail(ctx, email, plusone.Erasure{By: actor, Via: plusone.ErasedViaSlack})
	return err
}

// liveCustomer reads customer id for a write about her: ENOTFOUND when she
// was erased (a click on a card posted before, a list shown before), so
// that nothing is written about her again.
func liveCustomer(ctx context.Context, tx plusone.Tx, id int64) (*plusone.Customer, error) {
	c, err := tx.Customer(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.ErasedAt.IsZero() {
		return nil, plusone.Errorf(plusone.ENOTFOUND, "this customer was erased")
	}
	return c, nil
}
