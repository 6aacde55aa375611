package memory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// Service runs the memory's use cases for Slack and the API.
type Service struct {
	Store  plusone.Store
	Policy func() *plusone.Policy
	Clock  func() time.Time
	// Sources are the webhook sources, whose link shapes ByLink knows.
	Sources []plusone.SourceInfo
	// Changed is called after cards changed (to wake card delivery).
	Changed func()
	// Log gets one info line per erasure (ids only); nil logs nothing.
	Log *slog.Logger
	// Wording, when set, words ticket cards with a model: a card shows
	// the wording kept for its key, or is queued for the model's worker
	// (plusone.JobWordCard) and shows the rules' suggestions meanwhile.
	Wording plusone.WordingQueue
	// Queued wakes the model's worker.
	Queued func()
}

// maxChoices is how many matches a lookup lists before asking for more.
const maxChoices = 10

// Lookup finds customers by email or name prefix for an agent. One match
// gives her card (and is remembered as helped by the agent); several give
// choices, more saying that there were more than could be listed.
func (s *Service) Lookup(ctx context.Context, agent, query string) (card *plusone.ContextCard, choices []plusone.Customer, more bool, err error) {
	var found []plusone.Customer
	err = s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		found, err = tx.FindCustomers(ctx, query, maxChoices+1)
		return err
	})
	switch {
	case err != nil:
		return nil, nil, false, fmt.Errorf("look up %q: %w", query, err)
	case len(found) == 1:
		card, err := s.Customer(ctx, agent, found[0].ID)
		return card, nil, false, err
	case len(found) > maxChoices:
		return nil, found[:maxChoices], true, nil
	default:
		return nil, found, false, nil
	}
}

// Customer is a customer's card as an agent looks her up: with her most
// recent open ticket, if any.
func (s *Service) Customer(ctx context.Context, agent string, id int64) (*plusone.ContextCard, error) {
	now := s.Clock()
	var card *plusone.ContextCard
	err := s.Store.UpdateReplayable(ctx, func(tx plusone.Tx) error {
		if _, err := liveCustomer(ctx, tx, id); err != nil {
			return err
		}
		var err error
		if card, err = CustomerCard(ctx, tx, id, s.Policy(), now); err != nil {
			return err
		}
		if agent == "" {
			return nil
		}
		return tx.TouchAgent(ctx, agent, id, "looked up", now)
	})
	if err != nil {
		return nil, fmt.Errorf("customer %d: %w", id, err)
	}
	return card, nil
}

// Card assembles the context card of a ticket key as of now, with the
// policy in force (LoadCard); the card sender's delivery.Cards. With
// Wording, a card the model worded shows its order, reasons and note; one
// not worded yet is queued for the model and shows the rules' suggestions:
// the card never waits for the model.
func (s *Service) Card(ctx context.Context, key string, now time.Time) (*plusone.ContextCard, error) {
	var (
		card    *plusone.ContextCard
		wordKey string
		missing bool
	)
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		if card, err = LoadCard(ctx, tx, key, s.Policy(), now); err != nil || s.Wording == nil {
			return err
		}
		if wordKey = s.Wording.WordingKey(card); wordKey == "" {
			return nil
		}
		w, err := tx.Wording(ctx, wordKey)
		switch {
		case errors.Is(err, plusone.ErrNotFound):
			missing = true
			return nil
		case err != nil:
			return err
		}
		card.Suggestions = plusone.Personalize(card.Suggestions, w, cardGestures)
		card.Worded, card.Note = true, w.Note
		return nil
	})
	if err != nil || !missing {
		return card, err
	}
	if err := s.queueWording(ctx, key, wordKey, now); err != nil && s.Log != nil {
		// The card goes out with the rules' suggestions all the same.
		s.Log.Warn("queue the card's wording", "card", key, "err", err)
	}
	return card, nil
}

// queueWording queues a card's wording for the model's worker, once per
// card and key.
func (s *Service) queueWording(ctx context.Context, card, key string, now time.Time) error {
	payload, err := json.Marshal(plusone.WordCardJob{Card: card, Key: key})
	if err != nil {
		return err
	}
	var added bool
	err = s.Store.UpdateReplayable(ctx, func(tx plusone.Tx) error {
		added, err = tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobWordCard, Key: "wording:" + card + ":" + key, Payload: payload, CreatedAt: now}, now)
		return err
	})
	if err != nil {
		return err
	}
	if added && s.Queued != nil {
		s.Queued()
	}
	return nil
}

// CustomerName is how a customer is called (Customer.DisplayName).
func (s *Service) CustomerName(ctx context.Context, id int64) (string, error) {
	var name string
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.Customer(ctx, id)
		if err != nil {
			return err
		}
		name = c.DisplayName()
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("customer %d: %w", id, err)
	}
	return name, nil
}

// CustomerCard assembles the card of a customer without a ticket in hand:
// her most recent open ticket stands in, or none.
func CustomerCard(ctx context.Context, tx plusone.Tx, id int64, policy *plusone.Policy, now time.Time) (*plusone.ContextCard, error) {
	return newCard(ctx, tx, id, plusone.TicketRecord{}, policy, now)
}

// CustomerByEmail returns the view of the customer with email, or an
// ENOTFOUND error.
func (s *Service) CustomerByEmail(ctx context.Context, email string) (plusone.CustomerView, []plusone.Signal, error) {
	var view plusone.CustomerView
	var signals []plusone.Signal
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		id, err := CustomerIDByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		if view, err = LoadView(ctx, tx, id); err != nil {
			return err
		}
		signals = s.Policy().Signals.Signals(view, s.Clock())
		return nil
	})
	return view, signals, err
}

// CustomerIDByEmail finds the customer with an email address: EINVALID for
// something that is not one, ENOTFOUND when nobody has it.
func CustomerIDByEmail(ctx context.Context, tx plusone.Tx, email string) (int64, error) {
	e := plusone.NormalizeEmail(email)
	if e == "" {
		return 0, plusone.Errorf(plusone.EINVALID, "%q is not an email address", email)
	}
	c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: plusone.IdentityEmail, Value: e})
	if errors.Is(err, plusone.ErrNotFound) {
		return 0, plusone.Errorf(plusone.ENOTFOUND, "no customer with the email %s", e)
	}
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// CardCustomer tells which customer a Slack message is about: the card
// itself, or any message in a card's thread (threadTS). ok is false for
// other messages.
func (s *Service) CardCustomer(ctx context.Context, channel, ts, threadTS string) (id int64, name string, ok bool, err error) {
	err = s.Store.View(ctx, func(tx plusone.Tx) error {
		c, err := plusone.CardCustomerAt(ctx, tx, channel, ts, threadTS)
		if c != nil {
			id, name, ok = c.ID, c.DisplayName(), true
		}
		return err
	})
	return id, name, ok, err
}

// AddNote records an agent's note on a customer, durably, and refreshes her
// open cards so that they show it. It returns her display name.
func (s *Service) AddNote(ctx context.Context, n plusone.Note) (string, error) {
	n.Text = strings.TrimSpace(n.Text)
	if n.Text == "" {
		return "", plusone.Errorf(plusone.EINVALID, "the note is empty")
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.Clock()
	}
	var name string
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		// Not merged away between reading her and writing the note.
		if err := tx.Lock(ctx, plusone.CustomerLock(n.CustomerID)); err != nil {
			return err
		}
		c, err := liveCustomer(ctx, tx, n.CustomerID)
		if err != nil {
			return err
		}
		name = c.DisplayName()
		if err := tx.AddNote(ctx, &n); err != nil {
			return err
		}
		if err := tx.TouchAgent(ctx, n.Author, n.CustomerID, "noted", n.CreatedAt); err != nil {
			return err
		}
		return TouchOpenCards(ctx, tx, n.CustomerID, n.CreatedAt)
	})
	if err != nil {
		return "", fmt.Errorf("add note: %w", err)
	}
	s.changed()
	return name, nil
}

// AddNoteByEmail records a note on the customer with email.
func (s *Service) AddNoteByEmail(ctx context.Context, email string, n plusone.Note) (string, error) {
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		id, err := CustomerIDByEmail(ctx, tx, email)
		n.CustomerID = id
		return err
	})
	if err != nil {
		return "", err
	}
	return s.AddNote(ctx, n)
}

// SetPreference records a preference an agent entered.
func (s *Service) SetPreference(ctx context.Context, agent string, customerID int64, key, value string) error {
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if key == "" || value == "" {
		return plusone.Errorf(plusone.EINVALID, "a preference needs both a name and a value")
	}
	now := s.Clock()
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		if err := tx.Lock(ctx, plusone.CustomerLock(customerID)); err != nil {
			return err
		}
		if _, err := liveCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		if err := tx.SetPreference(ctx, customerID, plusone.Preference{Key: key, Value: value, Origin: "agent:" + agent, UpdatedAt: now}); err != nil {
			return err
		}
		if err := tx.TouchAgent(ctx, agent, customerID, "noted a preference", now); err != nil {
			return err
		}
		return TouchOpenCards(ctx, tx, customerID, now)
	})
	if err != nil {
		return fmt.Errorf("set preference: %w", err)
	}
	s.changed()
	return nil
}

// Home is what an agent's App Home shows.
func (s *Service) Home(ctx context.Context, agent string) (plusone.AgentHome, error) {
	h := plusone.AgentHome{Agent: agent, Signals: s.Policy().Signals, Now: s.Clock()}
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		if h.Recent, err = tx.RecentCustomers(ctx, agent, 10); err != nil {
			return err
		}
		h.Notes, err = tx.NotesBy(ctx, agent, 10)
		return err
	})
	return h, err
}

// Merge makes two customer records one, on a supervisor's request.
func (s *Service) Merge(ctx context.Context, into, from int64, reason string) error {
	now := s.Clock()
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		if err := tx.MergeCustomers(ctx, into, from, reason, now); err != nil {
			return err
		}
		return refresh(ctx, tx, s.Policy(), into, now)
	})
	if err == nil {
		s.changed()
	}
	return err
}

// Split moves an identity, with what came from it, off a customer onto a
// new one, on a supervisor's request; it returns the new customer's ID.
func (s *Service) Split(ctx context.Context, customerID int64, id plusone.Identity, reason string) (int64, error) {
	now := s.Clock()
	var fresh int64
	err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		var err error
		if fresh, err = tx.SplitIdentity(ctx, customerID, id, reason, now); err != nil {
			return err
		}
		for _, c := range []int64{customerID, fresh} {
			if err := refresh(ctx, tx, s.Policy(), c, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.changed()
	}
	return fresh, err
}

// refresh recomputes a customer's profile after her records changed and
// refreshes her open cards.
func refresh(ctx context.Context, tx plusone.Tx, policy *plusone.Policy, id int64, now time.Time) error {
	c, err := tx.Customer(ctx, id)
	if err != nil {
		return err
	}
	if err := RefreshProfile(ctx, tx, c, policy); err != nil {
		return err
	}
	return TouchOpenCards(ctx, tx, id, now)
}

// RefreshProfile recomputes c's profile and tier from her records and saves
// c (with whatever else the caller changed in it).
func RefreshProfile(ctx context.Context, tx plusone.Tx, c *plusone.Customer, policy *plusone.Policy) error {
	p, err := tx.ProfileFacts(ctx, c.ID)
	if err != nil {
		return err
	}
	if p.Currency == "" {
		p.Currency = policy.Currency
	}
	p.Tier = policy.Tiers.Tier(p)
	c.Profile = p
	return tx.UpdateCustomer(ctx, c)
}

func (s *Service) changed() {
	if s.Changed != nil {
		s.Changed()
	}
}
