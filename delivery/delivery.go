// Package delivery keeps Slack showing the latest version of every context
// card: it claims cards whose version Slack does not show yet, posts a new
// card for a ticket's first event or updates the one posted before, and
// honours Slack's rate limits.
//
// One sender makes every Slack call, one at a time. Slack rate-limits per
// workspace and method and asks for about one message per second per
// channel, so parallel calls would gain little and would make a 429's
// Retry-After impossible to honour exactly: after a 429 no request at all is
// sent until Retry-After has passed. With several replicas, one of them is
// the sender (Sender, a role elected by lease in the store): the pace of
// each channel and a Retry-After then hold for all of them together. A new
// sender waits one pace before its first call, and a sender stops calling
// Slack when its term may have ended.
//
// Duplicate window: a card is posted, then its ts is committed. If the
// process dies between Slack's answer and the commit, the card would be
// posted again after restart. Cards carry their ticket key in Slack message
// metadata, and a card that was claimed before without a recorded ts is
// first looked for in the channel's history from the moment its first
// attempt in doubt began (Finder), however many messages came after, so
// that the card already there is adopted instead. What remains of the
// window: the history lookup fails (no channels:history scope, Slack
// unavailable) or Slack has not indexed the message yet; then a ticket can
// get a second card.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/internal/workloop"
	"github.com/plusone-hq/plusone/metrics"
)

// Slack shows cards: the Slack Web API, or the terminal in local mode.
type Slack interface {
	// PostCard posts a new card and returns its message ts.
	PostCard(ctx context.Context, channel string, card *plusone.ContextCard) (ts string, err error)
	// UpdateCard replaces the card posted at channel/ts.
	UpdateCard(ctx context.Context, channel, ts string, card *plusone.ContextCard) error
	// SendNotice renders a composed notice and posts it, or replaces the
	// message at its ReplaceTS; it returns the message's ts.
	SendNotice(ctx context.Context, n plusone.ComposedNotice) (ts string, err error)
}

// Cards assembles cards (memory.Service implements it).
type Cards interface {
	// Card is the card of a ticket key as of now.
	Card(ctx context.Context, key string, now time.Time) (*plusone.ContextCard, error)
}

// Finder finds cards earlier attempts posted without recording their ts.
type Finder interface {
	// FindCards returns, by ticket key, the ts of the cards of tickets keys
	// posted in channel since since; a key not found is missing.
	FindCards(ctx context.Context, channel string, keys []string, since time.Time) (map[string]string, error)
}

// findWindow is how far back a possibly posted card is looked for when the
// store does not know when the attempt in doubt began (a card claimed
// before that was recorded).
const findWindow = 24 * time.Hour

// findSkew is how much earlier than the attempt in doubt its post is looked
// for: Slack's clock and ours may differ a little.
const findSkew = time.Minute

// SenderRole names the role of the replica that calls Slack for all.
const SenderRole = "slack_sender"

// Sender says whether this process is the one that talks to Slack. One
// sender for every replica keeps each channel's pace and Slack's
// Retry-After, whatever the number of processes.
type Sender interface {
	// Term says since when this process is the sender without a break,
	// and until when it may call Slack; it may not when until is past.
	Term() (since, until time.Time)
}

// Deliverer runs the card sender.
type Deliverer struct {
	Store plusone.Store
	Slack Slack
	// Classify tells rate limits, transient and permanent errors apart
	// (bot.Classify). A card refused for good waits for its next change.
	Classify func(error) plusone.Failure
	Cards    Cards
	Clock    func() time.Time
	Log      *slog.Logger
	Metrics  *metrics.Metrics
	// Pace is the least time between two messages to one channel.
	Pace time.Duration
	// Lease, RetryBase, RetryMax and Poll as for the event processor.
	Lease               time.Duration
	RetryBase, RetryMax time.Duration
	Poll                time.Duration
	// Notices composes the outbox's notices (gestures.Service); nil when
	// there are none.
	Notices plusone.NoticeComposer
	// Busy, when set, says that webhooks are arriving in a burst: the
	// sender then gives intake the CPU and the writer for a while, at most
	// workloop.BurstYield per round.
	Busy func() bool
	// Sender elects the process that calls Slack among replicas; nil means
	// this one always does.
	Sender Sender

	wake workloop.Waker
	once sync.Once
	// Owned by the sender goroutine only.
	nextSlot   map[string]time.Time
	pauseUntil time.Time
	termSince  time.Time // the start of the sender's term in progress
}

func (d *Deliverer) init() {
	d.once.Do(func() {
		d.nextSlot = map[string]time.Time{}
		if d.Lease <= 0 {
			d.Lease = time.Minute
		}
		if d.RetryBase <= 0 {
			d.RetryBase = time.Second
		}
		if d.RetryMax <= 0 {
			d.RetryMax = 5 * time.Minute
		}
		if d.Poll <= 0 {
			d.Poll = 500 * time.Millisecond
		}
	})
}

// Wake tells the sender that cards changed. It never blocks.
func (d *Deliverer) Wake() { d.wake.Wake() }

// Run sends cards until ctx is cancelled; the card in hand is finished and
// the claimed rest given back.
func (d *Deliverer) Run(ctx context.Context, instance string) {
	d.init()
	worker := instance + "/cards"
	release := func(rctx context.Context) {
		if err := d.Store.ReleaseCards(rctx, worker); err != nil {
			d.Log.Warn("release cards", "err", err)
		}
	}
	workloop.Run(ctx, d.wake.C(), release, func(ctx, bg context.Context) time.Duration {
		if _, ok := d.term(); !ok {
			return d.Poll // another replica sends
		}
		workloop.YieldToBurst(ctx, d.Busy)
		cards, err := d.Store.ClaimCards(bg, plusone.Claim{Worker: worker, Limit: 10, Lease: d.Lease, Now: d.Clock()})
		if err != nil {
			d.Log.Error("claim cards", "err", err)
		}
		doubts := &doubts{cards: cards, found: map[string]map[string]string{}}
		for i, c := range cards {
			if ctx.Err() != nil {
				break
			}
			if !d.deliver(ctx, bg, worker, c, doubts) {
				// Slack asked us to slow down, or our term ended: hand the
				// rest back.
				at, reason := d.handBack()
				for _, rest := range cards[i+1:] {
					d.retry(bg, worker, rest, at, reason, rest.InDoubt)
				}
				break
			}
		}
		sent := d.sendMessages(ctx, bg, worker)
		if (len(cards) > 0 || sent > 0) && ctx.Err() == nil && !time.Now().Before(d.pauseUntil) {
			return 0 // there may be more: look again at once
		}
		return max(d.Poll, time.Until(d.pauseUntil))
	})
}

// term says until when this process may call Slack (zero: no end), or ok
// false when another one sends. A new term begins with a pause of one pace:
// the sender before may have posted to any channel just before its term
// ended, and its pace and Retry-After are not known here.
func (d *Deliverer) term() (until time.Time, ok bool) {
	if d.Sender == nil {
		return time.Time{}, true
	}
	since, until := d.Sender.Term()
	if !d.Clock().Before(until) {
		return until, false
	}
	if !since.Equal(d.termSince) {
		d.termSince = since
		clear(d.nextSlot)
		if p := since.Add(d.Pace); p.After(d.pauseUntil) {
			d.pauseUntil = p
		}
		d.Log.Info("sending to Slack for every replica", "since", since)
	}
	return until, true
}

// handBack says when claimed items that were not tried are due again, and
// why: after Slack's Retry-After, or at once when our term as the sender
// ended.
func (d *Deliverer) handBack() (time.Time, string) {
	if _, ok := d.term(); !ok {
		return d.Clock(), "no longer the Slack sender"
	}
	return d.pauseUntil, "waiting for Slack's Retry-After"
}

// callContext bounds a Slack call: half a lease, and never past the end of
// the sender's term. ok is false when the term has ended.
func (d *Deliverer) callContext(bg context.Context) (ctx context.Context, cancel context.CancelFunc, ok bool) {
	until, ok := d.term()
	if !ok {
		return nil, nil, false
	}
	deadline := d.Clock().Add(d.Lease / 2)
	if !until.IsZero() && until.Before(deadline) {
		deadline = until
	}
	ctx, cancel = context.WithDeadline(bg, deadline)
	return ctx, cancel, true
}

// deliver sends one card. It returns false when Slack rate-limited us or
// this process is no longer the sender.
func (d *Deliverer) deliver(ctx, bg context.Context, worker string, c *plusone.CardState, doubts *doubts) bool {
	log := d.Log.With("card", c.Key, "channel", c.Channel)
	now := d.Clock()
	if now.Before(d.pauseUntil) {
		d.retry(bg, worker, c, d.pauseUntil, "waiting for Slack's Retry-After", c.InDoubt)
		return false
	}
	if at, ok := d.waitTurn(ctx, c.Channel); !ok {
		d.retry(bg, worker, c, at, "", c.InDoubt)
		return true
	}
	card, err := d.Cards.Card(bg, c.Key, d.Clock())
	if err != nil {
		log.Error("assemble card", "err", err)
		d.retry(bg, worker, c, d.Clock().Add(workloop.Backoff(c.Attempts, d.RetryBase, d.RetryMax)), err.Error(), c.InDoubt)
		return true
	}
	callCtx, cancel, ok := d.callContext(bg)
	if !ok {
		d.retry(bg, worker, c, d.Clock(), "no longer the Slack sender", c.InDoubt)
		return false
	}
	method, ts, err := d.send(callCtx, log, c, card, doubts)
	cancel()
	sent, f := d.called(c.Channel, method, err)
	if err == nil {
		d.Metrics.CardLatency.Observe(sent.Sub(c.UpdatedAt).Seconds())
		if err := d.Store.CardDelivered(bg, c.Key, worker, c.Channel, ts, c.Version); err != nil {
			if errors.Is(err, plusone.ErrLeaseLost) {
				log.Warn("card lease lost after delivery; ts kept", "ts", ts)
			} else {
				log.Error("record card delivery", "ts", ts, "err", err)
			}
		}
		what := "card updated"
		if method == "chat.postMessage" {
			what = "card posted"
		}
		log.Info(what, "ts", ts, "version", c.Version, "customer_id", c.CustomerID)
		return true
	}
	switch {
	case f.RetryAfter > 0:
		log.Warn("slack rate limit", "method", method, "retry_after", f.RetryAfter.String())
		d.retry(bg, worker, c, d.pauseUntil, err.Error(), c.InDoubt)
		return false
	case f.Permanent:
		log.Error("slack refused the card; it waits for its next change", "method", method, "err", err)
		if ferr := d.Store.FailCard(bg, c.Key, worker, fmt.Sprintf("%s: %v", method, err)); ferr != nil {
			log.Error("record card failure", "err", ferr)
		}
		return true
	default:
		delay := workloop.Backoff(c.Attempts, d.RetryBase, d.RetryMax)
		log.Warn("slack call failed; will retry", "method", method, "err", err, "retry_in", delay.String())
		// A timeout or a 5xx may come after Slack posted: in doubt.
		d.retry(bg, worker, c, sent.Add(delay), err.Error(), method == "chat.postMessage" || c.InDoubt)
		return true
	}
}

// send posts the card, or updates it where it is. A card claimed before
// without a recorded ts may have been posted by an attempt that died before
// recording it: that card is looked for first, from the moment the first
// attempt in doubt began, and adopted if found.
func (d *Deliverer) send(ctx context.Context, log *slog.Logger, c *plusone.CardState, card *plusone.ContextCard, doubts *doubts) (method, ts string, err error) {
	ts = c.TS
	if f, ok := d.Slack.(Finder); ok && c.InDoubt {
		found, err := doubts.find(ctx, f, c, d.Clock())
		switch {
		case err != nil && d.Classify(err).RetryAfter > 0:
			return "conversations.history", "", err
		case err != nil:
			log.Warn("cannot look for an earlier post of this card; posting it", "err", err)
		case found != "":
			log.Warn("adopting the card an earlier attempt posted", "ts", found)
			ts = found
		}
	}
	if ts == "" {
		ts, err = d.Slack.PostCard(ctx, c.Channel, card)
		return "chat.postMessage", ts, err
	}
	return "chat.update", ts, d.Slack.UpdateCard(ctx, c.Channel, ts, card)
}

// doubts looks for the cards in doubt of one round's claim: the first card
// in doubt of a channel has the history read once for every card in doubt
// of that channel in the round (a claimed batch is in doubt together when
// its sender died), from the earliest attempt among them.
type doubts struct {
	cards []*plusone.CardState
	found map[string]map[string]string // channel -> ticket key -> ts, once read
}

// find returns the ts of c's card in Slack, or "" when there is none.
func (ds *doubts) find(ctx context.Context, f Finder, c *plusone.CardState, now time.Time) (string, error) {
	if m, ok := ds.found[c.Channel]; ok {
		return m[c.Key], nil
	}
	var keys []string
	since := now
	for _, o := range ds.cards {
		if !o.InDoubt || o.TS != "" || o.Channel != c.Channel {
			continue
		}
		keys = append(keys, o.Key)
		at := now.Add(-findWindow)
		if !o.AttemptAt.IsZero() {
			at = o.AttemptAt.Add(-findSkew)
		}
		if at.Before(since) {
			since = at
		}
	}
	m, err := f.FindCards(ctx, c.Channel, keys, since)
	if err != nil {
		return "", err
	}
	ds.found[c.Channel] = m
	return m[c.Key], nil
}

// waitTurn keeps to the pace of messages to channel: it waits for the
// channel's next slot when that comes soon, and says ok. Otherwise it says
// when to come back: at the slot, or now when ctx ended while waiting.
func (d *Deliverer) waitTurn(ctx context.Context, channel string) (at time.Time, ok bool) {
	now := d.Clock()
	slot := d.nextSlot[channel]
	if !slot.After(now) {
		return time.Time{}, true
	}
	if slot.Sub(now) > 2*d.Pace+100*time.Millisecond {
		return slot, false
	}
	select {
	case <-ctx.Done():
		return now, false
	case <-time.After(slot.Sub(now)):
		return time.Time{}, true
	}
}

// called records a Slack call to channel by method that ended with err:
// the channel's next slot, the call in the metrics by outcome, and, on a
// rate limit, the pause of every call. It returns when the call ended and
// how it failed (the zero Failure when it did not).
func (d *Deliverer) called(channel, method string, err error) (sent time.Time, f plusone.Failure) {
	sent = d.Clock()
	if d.Pace > 0 {
		d.nextSlot[channel] = sent.Add(d.Pace)
	}
	outcome := "ok"
	if err != nil {
		f = d.Classify(err)
		switch {
		case f.RetryAfter > 0:
			outcome = "rate_limited"
			d.pauseUntil = sent.Add(f.RetryAfter)
		case f.Permanent:
			outcome = "permanent"
		default:
			outcome = "transient"
		}
	}
	d.Metrics.SlackDeliveries.WithLabelValues(method, outcome).Inc()
	return sent, f
}

// retry gives a claimed card back, due at at. mayHavePosted says whether a
// post of it may be in Slack unrecorded: this attempt's, or, for a card in
// doubt, an earlier one's (a card in doubt handed back untried stays in
// doubt, so that its next attempt still looks for that post first).
func (d *Deliverer) retry(ctx context.Context, worker string, c *plusone.CardState, at time.Time, reason string, mayHavePosted bool) {
	if err := d.Store.RetryCard(ctx, c.Key, worker, at, reason, mayHavePosted); err != nil {
		d.Log.Error("reschedule card", "card", c.Key, "err", err)
	}
}

// sendMessages sends due outbox messages; it returns how many it claimed.
func (d *Deliverer) sendMessages(ctx, bg context.Context, worker string) int {
	if d.Notices == nil || ctx.Err() != nil || d.Clock().Before(d.pauseUntil) {
		return 0
	}
	jobs, err := d.Store.ClaimJobs(bg, plusone.JobNotice, plusone.Claim{Worker: worker, Limit: 10, Lease: d.Lease, Now: d.Clock()})
	if err != nil {
		d.Log.Error("claim outbox messages", "err", err)
		return 0
	}
	for i, j := range jobs {
		if ctx.Err() != nil || !d.sendMessage(ctx, bg, worker, j) {
			at, reason := d.handBack()
			for _, rest := range jobs[i+1:] {
				d.retryJob(bg, worker, rest, at, reason)
			}
			break
		}
	}
	return len(jobs)
}

// sendMessage sends one outbox message; false when Slack rate-limited us
// or this process is no longer the sender.
func (d *Deliverer) sendMessage(ctx, bg context.Context, worker string, j *plusone.Job) bool {
	log := d.Log.With("message", j.Key, "attempt", j.Attempts)
	var n plusone.Notice
	if err := json.Unmarshal(j.Payload, &n); err != nil {
		d.parkJob(bg, log, worker, j, "payload: "+err.Error())
		return true
	}
	c, err := d.Notices.Compose(bg, n)
	switch code := plusone.ErrorCode(err); {
	case err == nil:
	case code == plusone.EINVALID || code == plusone.ENOTFOUND:
		d.parkJob(bg, log, worker, j, err.Error())
		return true
	default:
		d.retryJob(bg, worker, j, d.Clock().Add(workloop.Backoff(j.Attempts, d.RetryBase, d.RetryMax)), err.Error())
		return true
	}
	if c.Skip {
		d.completeJob(bg, log, worker, j, n, "", "")
		return true
	}
	if at, ok := d.waitTurn(ctx, c.Channel); !ok {
		d.retryJob(bg, worker, j, at, "")
		return true
	}
	callCtx, cancel, ok := d.callContext(bg)
	if !ok {
		d.retryJob(bg, worker, j, d.Clock(), "no longer the Slack sender")
		return false
	}
	method := "chat.postMessage"
	if c.ReplaceTS != "" {
		method = "chat.update"
	}
	ts, err := d.Slack.SendNotice(callCtx, c)
	cancel()
	sent, f := d.called(c.Channel, method, err)
	switch {
	case err == nil:
		d.completeJob(bg, log, worker, j, n, c.Channel, ts)
		return true
	case f.RetryAfter > 0:
		d.retryJob(bg, worker, j, d.pauseUntil, err.Error())
		return false
	case f.Permanent:
		d.parkJob(bg, log, worker, j, fmt.Sprintf("%s: %v", method, err))
		return true
	default:
		d.retryJob(bg, worker, j, sent.Add(workloop.Backoff(j.Attempts, d.RetryBase, d.RetryMax)), err.Error())
		return true
	}
}

// completeJob closes a sent notice and remembers where it was posted
// when later notices replace it (NoticeKind.Records).
func (d *Deliverer) completeJob(ctx context.Context, log *slog.Logger, worker string, j *plusone.Job, n plusone.Notice, channel, ts string) {
	err := d.Store.Update(ctx, func(tx plusone.Tx) error {
		if purpose := n.Kind.Records(); purpose != "" && ts != "" {
			if err := tx.SaveMessage(ctx, n.RequestID, purpose, channel, ts); err != nil {
				return err
			}
		}
		return tx.CompleteJob(ctx, j.ID, worker, d.Clock())
	})
	if err != nil && !errors.Is(err, plusone.ErrLeaseLost) {
		log.Error("record sent message", "err", err)
	}
}

func (d *Deliverer) retryJob(ctx context.Context, worker string, j *plusone.Job, at time.Time, reason string) {
	if err := d.Store.RetryJob(ctx, j.ID, worker, at, reason); err != nil {
		d.Log.Error("reschedule message", "message", j.Key, "err", err)
	}
}

func (d *Deliverer) parkJob(ctx context.Context, log *slog.Logger, worker string, j *plusone.Job, reason string) {
	log.Error("slack message given up", "reason", reason)
	if err := d.Store.ParkJob(ctx, j.ID, worker, reason); err != nil {
		log.Error("park message", "err", err)
	}
}
