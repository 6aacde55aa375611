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
// Slack when its term may have ended. The cards of a claimed batch that
// will go out without waiting for a channel's pace are built a few at a
// time ahead of their turn, so that the calls to Slack follow each other
// without a wait for the database between them.
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
	"github.com/plusone-hq/plusone/jobs"
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
	// jobs.BurstYield per round.
	Busy func() bool
	// Sender elects the process that calls Slack among replicas; nil means
	// this one always does.
	Sender Sender

	wake jobs.Waker
	once sync.Once
	// Owned by the sender goroutine only.
	nextSlot   map[string]time.Time
	pauseUntil time.Time
	termSince  time.Time // the start of the sender's term in progress
	doubts     *doubts   // the cards in doubt of the batch in hand
	ahead      *ahead    // the cards of the batch in hand built ahead of their turn
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

// Run sends cards, then outbox messages, until ctx is cancelled; the one in
// hand is finished and the claimed rest given back.
func (d *Deliverer) Run(ctx context.Context, instance string) {
	d.init()
	backoff := jobs.Backoff{Base: d.RetryBase, Max: d.RetryMax}
	parts := []jobs.Part{&jobs.Kind[*plusone.CardState]{
		Name: "card", Queue: cardQueue{d.Store}, Handler: jobs.WorkFunc[*plusone.CardState](d.deliver),
		Batch: 10, Lease: d.Lease, Backoff: backoff,
		Claimed: func(batch []*jobs.Job[*plusone.CardState]) {
			d.doubts = newDoubts(batch)
			d.ahead = d.buildAhead(batch)
		},
		Worked: func() { d.ahead.stop() },
	}}
	if d.Notices != nil {
		parts = append(parts, &jobs.Kind[*plusone.Job]{
			Name: "message", Queue: jobs.StoreJobs{Store: d.Store, Kind: plusone.JobNotice}, Handler: jobs.WorkFunc[*plusone.Job](d.sendMessage),
			Batch: 10, Lease: d.Lease, Backoff: backoff,
		})
	}
	loop := &jobs.Loop{Parts: parts, Wake: d.wake.C(), Poll: d.Poll, Busy: d.Busy, Hold: d.hold, Clock: d.Clock, Log: d.Log}
	loop.Run(ctx, instance+"/cards")
}

// hold says whether this process may not call Slack now, and until when:
// another replica is the sender (held from now on), or Slack's Retry-After
// runs.
func (d *Deliverer) hold() (at time.Time, reason string, held bool) {
	if _, ok := d.term(); !ok {
		return d.Clock(), errNotSender.Error(), true
	}
	if d.Clock().Before(d.pauseUntil) {
		return d.pauseUntil, "waiting for Slack's Retry-After", true
	}
	return time.Time{}, "", false
}

// errNotSender is why an item is handed back when this process's term as
// the sender ended.
var errNotSender = errors.New("no longer the Slack sender")

// cardQueue is the store's card queue as the job runner's queue. A card
// that may have been posted without its ts recorded is given back in
// doubt (mayHavePosted).
type cardQueue struct{ s plusone.CardQueue }

func (q cardQueue) Claim(ctx context.Context, c plusone.Claim, log *slog.Logger) ([]*jobs.Job[*plusone.CardState], error) {
	cards, err := q.s.ClaimCards(ctx, c)
	if err != nil {
		return nil, err
	}
	out := make([]*jobs.Job[*plusone.CardState], len(cards))
	for i, c2 := range cards {
		out[i] = &jobs.Job[*plusone.CardState]{Item: c2, Worker: c.Worker, Attempt: c2.Attempts,
			Log: log.With("card", c2.Key, "channel", c2.Channel)}
	}
	return out, nil
}

// Retry gives the card back; it stays in doubt if it was, so that its next
// attempt still looks for an earlier post first, and becomes so when this
// attempt may have posted it (mayHavePosted in cause's chain).
func (q cardQueue) Retry(ctx context.Context, j *jobs.Job[*plusone.CardState], at time.Time, cause error) error {
	var p *mayHavePosted
	return q.s.RetryCard(ctx, j.Item.Key, j.Worker, at, jobs.Reason(cause), j.Item.InDoubt || errors.As(cause, &p))
}

// Park records a card Slack refused: it waits for its next change.
func (q cardQueue) Park(ctx context.Context, j *jobs.Job[*plusone.CardState], reason string) error {
	return q.s.FailCard(ctx, j.Item.Key, j.Worker, reason)
}

func (q cardQueue) Release(ctx context.Context, worker string) error {
	return q.s.ReleaseCards(ctx, worker)
}

// mayHavePosted marks the failure of a post that Slack may have made
// nonetheless (a timeout, a 5xx).
type mayHavePosted struct{ err error }

func (e *mayHavePosted) Error() string { return e.err.Error() }
func (e *mayHavePosted) Unwrap() error { return e.err }

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

// deliver sends one card.
func (d *Deliverer) deliver(ctx context.Context, j *jobs.Job[*plusone.CardState]) error {
	c, log, bg := j.Item, j.Log, context.WithoutCancel(ctx)
	if at, ok := d.waitTurn(ctx, c.Channel); !ok {
		return jobs.RetryAt(at, nil)
	}
	card, err := d.card(bg, c.Key)
	if err != nil {
		return fmt.Errorf("assemble card: %w", err)
	}
	callCtx, cancel, ok := d.callContext(bg)
	if !ok {
		return jobs.RetryAt(d.Clock(), errNotSender)
	}
	method, ts, err := d.send(callCtx, log, c, card, d.doubts)
	cancel()
	sent, f := d.called(c.Channel, method, err)
	if err == nil {
		d.Metrics.CardLatency.Observe(sent.Sub(c.UpdatedAt).Seconds())
		// The card is in Slack: whatever the store says now, it must not
		// be posted again, so a failure to record it is only logged.
		if err := d.Store.CardDelivered(bg, c.Key, j.Worker, c.Channel, ts, c.Version); err != nil {
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
		return nil
	}
	switch {
	case f.RetryAfter > 0:
		log.Warn("slack rate limit", "method", method, "retry_after", f.RetryAfter.String())
		return jobs.RetryAt(d.pauseUntil, err)
	case f.Permanent:
		// Parked, the card waits for its next change.
		return jobs.Park(fmt.Errorf("%s: %w", method, err))
	case method == "chat.postMessage":
		// A timeout or a 5xx may come after Slack posted: in doubt.
		return &mayHavePosted{err: err}
	default:
		return err
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

// aheadBuilders is how many cards of a batch are built at once ahead of
// their turn.
const aheadBuilders = 4

// ahead holds the cards of one claimed batch that are built while the
// sender makes its Slack calls one at a time: the sender then never waits
// for the database between two calls (on PostgreSQL a card's build is some
// twenty round trips, more than the call to Slack and the commit of its ts
// together). A card is built after its claim, as it would be in its turn,
// so it shows at least the version claimed; a change after that makes a
// new version, sent next.
type ahead struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
	cards  map[string]*built // by ticket key
}

type built struct {
	ready chan struct{} // closed once card and err are set
	card  *plusone.ContextCard
	err   error
}

// buildAhead starts building the cards of batch that will be sent in this
// round without waiting for their channel's pace: all of them when there is
// no pace, else the first card of each channel whose turn has come (the
// others wait for their slot and are built then, as late as possible).
func (d *Deliverer) buildAhead(batch []*jobs.Job[*plusone.CardState]) *ahead {
	now := d.Clock()
	var todo []string
	seen := map[string]bool{}
	for _, j := range batch {
		c := j.Item
		if d.Pace > 0 && (seen[c.Channel] || d.nextSlot[c.Channel].After(now)) {
			continue
		}
		seen[c.Channel] = true
		todo = append(todo, c.Key)
	}
	if len(todo) < 2 {
		return nil // nothing to overlap: the card in hand is built in its turn
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &ahead{cancel: cancel, cards: make(map[string]*built, len(todo))}
	keys := make(chan string, len(todo))
	for _, key := range todo {
		a.cards[key] = &built{ready: make(chan struct{})}
		keys <- key
	}
	close(keys)
	for range min(aheadBuilders, len(todo)) {
		a.done.Go(func() {
			for key := range keys {
				b := a.cards[key]
				b.card, b.err = d.Cards.Card(ctx, key, d.Clock())
				close(b.ready)
			}
		})
	}
	return a
}

// card returns the card of key built ahead, once it is ready, or builds it
// now when it was not built ahead (or its build failed: it is tried once
// more in its turn).
func (d *Deliverer) card(ctx context.Context, key string) (*plusone.ContextCard, error) {
	if d.ahead != nil {
		if b := d.ahead.cards[key]; b != nil {
			select {
			case <-b.ready:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if b.err == nil {
				return b.card, nil
			}
		}
	}
	return d.Cards.Card(ctx, key, d.Clock())
}

// stop ends the builds of cards that will not be sent in this round (given
// back, or held) and waits for the builders.
func (a *ahead) stop() {
	if a == nil {
		return
	}
	a.cancel()
	a.done.Wait()
}

// doubts looks for the cards in doubt of one round's claim: the first card
// in doubt of a channel has the history read once for every card in doubt
// of that channel in the round (a claimed batch is in doubt together when
// its sender died), from the earliest attempt among them.
type doubts struct {
	cards []*plusone.CardState
	found map[string]map[string]string // channel -> ticket key -> ts, once read
}

func newDoubts(batch []*jobs.Job[*plusone.CardState]) *doubts {
	ds := &doubts{found: map[string]map[string]string{}}
	for _, j := range batch {
		ds.cards = append(ds.cards, j.Item)
	}
	return ds
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

// sendMessage sends one outbox notice.
func (d *Deliverer) sendMessage(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	bg := context.WithoutCancel(ctx)
	var n plusone.Notice
	if err := json.Unmarshal(j.Item.Payload, &n); err != nil {
		return jobs.Park(fmt.Errorf("payload: %w", err))
	}
	c, err := d.Notices.Compose(bg, n)
	switch code := plusone.ErrorCode(err); {
	case err == nil:
	case code == plusone.EINVALID || code == plusone.ENOTFOUND:
		return jobs.Park(err)
	default:
		return err
	}
	if c.Skip {
		return d.completeJob(bg, j, n, "", "")
	}
	if at, ok := d.waitTurn(ctx, c.Channel); !ok {
		return jobs.RetryAt(at, nil)
	}
	callCtx, cancel, ok := d.callContext(bg)
	if !ok {
		return jobs.RetryAt(d.Clock(), errNotSender)
	}
	method := "chat.postMessage"
	switch {
	case c.Kind == plusone.NoticeDigestChart:
		method = "files.completeUploadExternal" // a file shared, the upload's last step
	case c.ReplaceTS != "":
		method = "chat.update"
	}
	ts, err := d.Slack.SendNotice(callCtx, c)
	cancel()
	_, f := d.called(c.Channel, method, err)
	switch {
	case err == nil:
		return d.completeJob(bg, j, n, c.Channel, ts)
	case f.RetryAfter > 0:
		return jobs.RetryAt(d.pauseUntil, err)
	case f.Permanent:
		return jobs.Park(fmt.Errorf("%s: %w", method, err))
	default:
		return err
	}
}

// completeJob closes a sent notice and remembers where it was posted when
// later notices replace it (NoticeKind.Records). The notice is in Slack: a
// failure to record it is logged, not retried, which would send it again.
func (d *Deliverer) completeJob(ctx context.Context, j *jobs.Job[*plusone.Job], n plusone.Notice, channel, ts string) error {
	err := d.Store.Update(ctx, func(tx plusone.Tx) error {
		if purpose := n.Kind.Records(); purpose != "" && ts != "" {
			if err := tx.SaveMessage(ctx, n.RequestID, purpose, channel, ts); err != nil {
				return err
			}
		}
		return tx.CompleteJob(ctx, j.Item.ID, j.Worker, d.Clock())
	})
	if errors.Is(err, plusone.ErrLeaseLost) {
		return err
	}
	if err != nil {
		j.Log.Error("record sent notice", "err", err)
	}
	return nil
}
