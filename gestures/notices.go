package gestures

import (
	"context"
	"errors"
	"strings"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
)

var _ plusone.NoticeComposer = (*Service)(nil)

// Compose loads what notice n shows from the store as it is now and says
// where it goes: the card's thread, the approvals channel for an approval
// request when the policy names one, or in place of the message it
// replaces (Skip when that was never posted); a data request to the
// channel it names; an erased customer's request messages replaced. An unknown kind is EINVALID,
// an unknown request ENOTFOUND.
func (s *Service) Compose(ctx context.Context, n plusone.Notice) (plusone.ComposedNotice, error) {
	c := plusone.ComposedNotice{Kind: n.Kind}
	switch n.Kind {
	case plusone.NoticeTicketWork:
		return s.composeTicketWork(ctx, n)
	case plusone.NoticeErased:
		return s.composeErased(ctx, n)
	}
	switch n.Kind {
	case plusone.NoticeDataRequest: // about no gesture request: all it shows is in n
		if n.DataRequest == nil || n.Channel == "" {
			return c, plusone.Errorf(plusone.EINVALID, "a data request notice without its request or channel")
		}
		c.Channel, c.DataRequest = n.Channel, *n.DataRequest
		return c, nil
	case plusone.NoticeApprovalRequest, plusone.NoticeApprovalDecided, plusone.NoticeThreadOutcome,
		plusone.NoticeTodo, plusone.NoticeFulfilled, plusone.NoticeWriteback:
	default:
		return c, plusone.Errorf(plusone.EINVALID, "unknown notice %q", n.Kind)
	}
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		if c.First, c.Entry, c.Customer, err = plusone.RequestChain(ctx, tx, n.RequestID, n.EntryID); err != nil {
			return err
		}
		if purpose := n.Kind.Replaces(); purpose != "" {
			c.Channel, c.ReplaceTS, err = tx.Message(ctx, n.RequestID, purpose)
			if errors.Is(err, plusone.ErrNotFound) {
				c.Skip = true // the message to replace was never posted
				return nil
			}
			return err
		}
		// Replies go to the card's thread; nowhere while the card is not
		// posted yet.
		if c.First.TicketKey != "" {
			if card, err := tx.Card(ctx, c.First.TicketKey); err == nil {
				c.Channel, c.ThreadTS = card.Channel, card.TS
			}
		}
		return nil
	})
	if err != nil || c.Skip {
		return c, err
	}
	switch n.Kind {
	case plusone.NoticeApprovalRequest:
		if c.Budgets, err = s.Budgets(ctx, c.First.Agent, c.First.CustomerID); err != nil {
			return c, err
		}
		if ch := s.Policies.Current().Approvals.Channel; ch != "" {
			c.Channel, c.ThreadTS = ch, ""
		}
	case plusone.NoticeTodo:
		if c.First.Kind == "note" {
			c.Draft, c.DraftByModel = s.draft(ctx, c.First.CustomerID)
		}
	case plusone.NoticeWriteback:
		c.Target, _, _ = strings.Cut(n.Text, " ")
		c.Text, c.OK = n.Text, n.OK
	}
	return c, nil
}

// draft words a handwritten note to a customer for the agent: the model's
// draft when one is configured and answers, the rules' otherwise; none
// without a Drafter or when her memory cannot be read (logged).
func (s *Service) draft(ctx context.Context, customerID int64) (string, bool) {
	if s.Drafter == nil {
		return "", false
	}
	var view plusone.CustomerView
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		view, err = memory.LoadView(ctx, tx, customerID)
		return err
	})
	if err != nil {
		s.Log.Warn("note draft: the to-do goes without one", "customer", customerID, "err", err)
		return "", false
	}
	text, byModel, err := s.Drafter.DraftNote(ctx, view, s.Policies.Current().Signals.Signals(view, s.Clock()))
	if err != nil {
		s.Log.Warn("note draft by the model failed; using the rules' draft", "err", err)
	}
	return text, byModel
}

// composeErased finds the message of an erased customer's request that n
// replaces (Skip when it was never posted).
func (s *Service) composeErased(ctx context.Context, n plusone.Notice) (plusone.ComposedNotice, error) {
	c := plusone.ComposedNotice{Kind: n.Kind}
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		c.Channel, c.ReplaceTS, err = tx.Message(ctx, n.RequestID, n.Text)
		if errors.Is(err, plusone.ErrNotFound) {
			c.Skip = true
			return nil
		}
		return err
	})
	return c, err
}

// composeTicketWork places what an agent did to a ticket in its card's
// thread (Skip while the card is not posted), or a failure, or the link of
// a ticket she created, where she asked, for her alone.
func (s *Service) composeTicketWork(ctx context.Context, n plusone.Notice) (plusone.ComposedNotice, error) {
	c := plusone.ComposedNotice{Kind: n.Kind, Text: n.Text, OK: n.OK}
	if !n.OK || n.User != "" { // a failure, or a created ticket's link: to her alone
		c.Channel, c.User = n.Channel, n.User
		c.Skip = c.Channel == "" || c.User == ""
		return c, nil
	}
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		card, err := tx.Card(ctx, n.Ticket)
		if errors.Is(err, plusone.ErrNotFound) {
			c.Skip = true
			return nil
		}
		if err != nil {
			return err
		}
		c.Channel, c.ThreadTS = card.Channel, card.TS
		c.Skip = card.TS == ""
		return nil
	})
	return c, err
}
