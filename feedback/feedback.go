// Package feedback tells agents when a customer they granted a gesture
// comes back within the first outcome window — she orders again, or rates
// support well — once per grant, in a direct message queued in the
// transaction of the event that shows it; agents turn these messages off
// (and on) in App Home.
package feedback

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/plusone-hq/plusone"
)

// Service queues and composes agents' feedback messages and keeps their
// switch.
type Service struct {
	Store plusone.Store
	// Policy returns the policy in force (outcomes.agent_feedback and
	// its first window).
	Policy func() *plusone.Policy
	Clock  func() time.Time
}

var _ plusone.NoticeComposer = (*Service)(nil)

// Comeback is the payload of a feedback notice (its Text), beside the
// grant: what the customer did and when.
type Comeback struct {
	What string    `json:"what"`
	At   time.Time `json:"at"`
}

// window is the first outcome window, and whether agents get feedback
// messages at all.
func (s *Service) window() (time.Duration, bool) {
	o := s.Policy().Outcomes
	windows := o.Windows
	if len(windows) == 0 {
		windows = plusone.DefaultOutcomeWindows()
	}
	return windows[0], o.AgentFeedback
}

// Applied looks at an event just applied to a customer, at its time at,
// in the event's transaction: when it shows her coming back within the
// first window of a grant, the grant's agent gets a message, unless she
// turned them off or had one for that grant before.
func (s *Service) Applied(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
	window, on := s.window()
	if !on {
		return nil
	}
	what, ok := plusone.Comeback(e)
	if !ok {
		return nil
	}
	entries, err := tx.Ledger(ctx, plusone.LedgerFilter{CustomerID: customerID, Since: at.Add(-window)})
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	for _, g := range plusone.GrantsBefore(entries, at, window) {
		off, err := off(ctx, tx, g.Agent)
		if err != nil {
			return err
		}
		if off || g.Agent == "" {
			continue
		}
		text, err := json.Marshal(Comeback{What: what, At: at})
		if err != nil {
			return err
		}
		payload, err := json.Marshal(plusone.Notice{Kind: plusone.NoticeAgentFeedback, RequestID: g.RequestID, EntryID: g.ID,
			Text: string(text)})
		if err != nil {
			return err
		}
		// Once per grant: a job key is enqueued once ever.
		if _, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobNotice, Key: fmt.Sprintf("msg:feedback:%d", g.RequestID),
			Payload: payload, CreatedAt: at}, time.Time{}); err != nil {
			return fmt.Errorf("feedback for request %d: %w", g.RequestID, err)
		}
	}
	return nil
}

// Compose composes a feedback notice (plusone.NoticeAgentFeedback) from
// the store as it is now: a direct message to the agent who made the
// request about the customer and the grant; skipped when she has turned
// these messages off since it was queued. Other kinds are EINVALID, an
// unknown request ENOTFOUND.
func (s *Service) Compose(ctx context.Context, n plusone.Notice) (plusone.ComposedNotice, error) {
	c := plusone.ComposedNotice{Kind: n.Kind}
	if n.Kind != plusone.NoticeAgentFeedback {
		return c, plusone.Errorf(plusone.EINVALID, "not a feedback notice: %q", n.Kind)
	}
	var back Comeback
	if err := json.Unmarshal([]byte(n.Text), &back); err != nil {
		return c, plusone.Errorf(plusone.EINVALID, "feedback notice: %v", err)
	}
	c.Text, c.At = back.What, back.At
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		if c.First, c.Entry, c.Customer, err = plusone.RequestChain(ctx, tx, n.RequestID, n.EntryID); err != nil {
			return err
		}
		isOff, err := off(ctx, tx, c.First.Agent)
		c.Skip = isOff || c.First.Agent == ""
		return err
	})
	c.Channel = c.First.Agent
	return c, err
}

// FeedbackOn says whether an agent gets the messages about her customers
// coming back.
func (s *Service) FeedbackOn(ctx context.Context, agent string) (bool, error) {
	var isOff bool
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		var err error
		isOff, err = off(ctx, tx, agent)
		return err
	})
	return !isOff, err
}

// SetFeedback turns an agent's feedback messages on or off.
func (s *Service) SetFeedback(ctx context.Context, agent string, on bool) error {
	v := "off"
	if on {
		v = "on"
	}
	return s.Store.Update(ctx, func(tx plusone.Tx) error {
		return tx.SetAgentSetting(ctx, agent, plusone.AgentFeedbackSetting, v, s.Clock())
	})
}

// off says whether an agent turned her feedback messages off.
func off(ctx context.Context, tx plusone.Tx, agent string) (bool, error) {
	v, err := tx.AgentSetting(ctx, agent, plusone.AgentFeedbackSetting)
	if err != nil {
		return false, fmt.Errorf("feedback switch of %s: %w", agent, err)
	}
	return v == "off", nil
}
