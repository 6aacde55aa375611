// Package tickets works helpdesk tickets from their Slack cards: an agent's
// reply, internal note, assignment or status change is queued as a job in
// the store (Queue, in Slack's request) and sent to the ticket's helpdesk
// once by the worker (Run), which retries what may succeed later and tells
// the card's thread what was done, or the agent alone why it failed. A
// ticket created from a Slack message (the create_ticket shortcut) is a
// job of the same queue: created once, recorded as the helpdesk's own
// event would be (Apply), so that its card appears, and the agent alone is
// told its link.
package tickets

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/jobs"
)

// People finds a Slack user's email and name (users.info, cached;
// slackchat.API implements it).
type People interface {
	Person(ctx context.Context, slackID string) (email, name string, err error)
}

// Service queues ticket work and runs it. Desks are the helpdesks' APIs by
// source; a source without one gets a plain-words error.
type Service struct {
	Store  plusone.Store
	Desks  map[plusone.Source]plusone.TicketDesk
	People People
	Policy func() *plusone.Policy
	Clock  func() time.Time
	Log    *slog.Logger
	// Changed wakes the Slack sender: a notice was queued.
	Changed func()
	// Apply records an event as a webhook's would be, in tx (the
	// pipeline's Applier.Apply): a created ticket's, so that its card
	// appears at once and the helpdesk's own webhook for it updates that
	// card. Required for TicketCreate.
	Apply func(ctx context.Context, tx plusone.Tx, e plusone.Event, received time.Time) (int64, error)
	// MaxAttempts (10 when unset), RetryBase and RetryMax as for
	// write-back; Poll (1 s when unset) is the longest wait for new work,
	// Timeout (2 min when unset) bounds one attempt.
	MaxAttempts         int
	RetryBase, RetryMax time.Duration
	Poll, Timeout       time.Duration

	wake jobs.Waker
}

// Queue stores w to be sent once: key names the Slack interaction, so that
// the same one twice is queued once. It is EINVALID, in words for the
// agent, when w cannot be done.
func (s *Service) Queue(ctx context.Context, key string, w plusone.TicketWork) error {
	w.Text = strings.TrimSpace(w.Text)
	if err := w.Validate(); err != nil {
		return err
	}
	source, _ := w.Ticket()
	if w.Kind == plusone.TicketCreate {
		if s.Apply == nil {
			return plusone.Errorf(plusone.EINVALID, "plusone cannot create tickets here")
		}
		w.Customer, w.Subject = plusone.NormalizeEmail(w.Customer), strings.TrimSpace(w.Subject)
	}
	if s.Desks[source] == nil {
		return plusone.Errorf(plusone.EINVALID, "%s's API is not configured in plusone; ask an admin to set its PLUSONE_%s_… variables",
			source.Title(), strings.ToUpper(string(source)))
	}
	now := s.Clock()
	w.At = now
	payload, err := json.Marshal(w)
	if err != nil {
		return err
	}
	err = s.Store.Update(ctx, func(tx plusone.Tx) error {
		_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobTicketWork, Key: "ticket:" + key, Payload: payload, CreatedAt: now}, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("queue %s on %s: %w", w.Kind, w.TicketKey, err)
	}
	s.wake.Wake()
	return nil
}

// Run works through ticket jobs until ctx ends, on the job runner.
func (s *Service) Run(ctx context.Context, instance string) {
	loop := &jobs.Loop{
		Parts: []jobs.Part{&jobs.Kind[*plusone.Job]{
			Name: "ticket work", Queue: jobs.StoreJobs{Store: s.Store, Kind: plusone.JobTicketWork}, Handler: s,
			Batch: 4, Lease: s.timeout() + time.Minute, MaxAttempts: cmp.Or(s.MaxAttempts, 10),
			Backoff: jobs.Backoff{Base: s.RetryBase, Max: s.RetryMax},
			OnPark:  s.failed,
		}},
		Wake: s.wake.C(), Poll: cmp.Or(s.Poll, time.Second), Clock: s.Clock, Log: s.Log,
	}
	loop.Run(ctx, instance+"/tickets")
}

// Work sends one ticket work to its helpdesk. Done, the job is completed
// and the card's thread told, together: a crash between them loses
// neither, and only the lease's holder records it. What the helpdesk
// refuses (EINVALID, EUNAUTHORIZED) parks the job, and the agent is told.
func (s *Service) Work(ctx context.Context, j *jobs.Job[*plusone.Job]) error {
	bg := context.WithoutCancel(ctx)
	var w plusone.TicketWork
	if err := json.Unmarshal(j.Item.Payload, &w); err != nil {
		return jobs.Park(fmt.Errorf("payload: %w", err))
	}
	callCtx, cancel := context.WithTimeout(ctx, s.timeout())
	agent, created, err := s.do(callCtx, w, j.Item.Key)
	cancel()
	if code := plusone.ErrorCode(err); code == plusone.EINVALID || code == plusone.EUNAUTHORIZED {
		return jobs.Park(err)
	}
	if err != nil {
		return err
	}
	now := s.Clock()
	var (
		n     plusone.Notice
		event plusone.Event
	)
	if w.Kind == plusone.TicketCreate {
		source, _ := w.Ticket()
		event = createdEvent(source, created, w, now)
		// Told to her alone, where she asked: the card itself is news to
		// the channel.
		n = plusone.Notice{Kind: plusone.NoticeTicketWork, Ticket: plusone.TicketKey(source, created.ID), OK: true,
			User: w.Agent, Channel: w.Channel, Text: createdText(source, created, w.Customer)}
	} else {
		n = plusone.Notice{Kind: plusone.NoticeTicketWork, Ticket: w.TicketKey, OK: true, Text: s.done(w, agent, now)}
	}
	err = s.Store.Update(bg, func(tx plusone.Tx) error {
		if err := tx.CompleteJob(bg, j.Item.ID, j.Worker, now); err != nil {
			return err
		}
		if w.Kind == plusone.TicketCreate {
			if _, err := s.Apply(bg, tx, event, now); err != nil {
				return fmt.Errorf("record the created ticket: %w", err)
			}
		}
		if err := recordOnTicket(bg, tx, w, now); err != nil {
			return err
		}
		return enqueue(bg, tx, now, fmt.Sprintf("ticket:%d", j.Item.ID), n)
	})
	if err != nil {
		return fmt.Errorf("record %s on %s: %w", w.Kind, w.TicketKey, err)
	}
	s.changed()
	j.Log.Info("ticket work done", "ticket", n.Ticket, "work", w.Kind)
	return nil
}

func (s *Service) timeout() time.Duration { return cmp.Or(s.Timeout, 2*time.Minute) }

// failed tells the agent alone, where she clicked, that a parked ticket
// work did not happen and why.
func (s *Service) failed(ctx context.Context, j *jobs.Job[*plusone.Job], err error) {
	var w plusone.TicketWork
	if json.Unmarshal(j.Item.Payload, &w) != nil {
		return // no agent to tell
	}
	now := s.Clock()
	n := plusone.Notice{Kind: plusone.NoticeTicketWork, Ticket: w.TicketKey, User: w.Agent, Channel: w.Channel, Text: failed(w, err)}
	if err := s.Store.Update(ctx, func(tx plusone.Tx) error {
		return enqueue(ctx, tx, now, fmt.Sprintf("ticket:%d", j.Item.ID), n)
	}); err != nil {
		j.Log.Error("tell the ticket work's failure", "ticket", w.TicketKey, "err", err)
		return
	}
	s.changed()
}

// do sends w to its helpdesk as the agent who asked; key names the job,
// whose creation of a ticket it keys. created is the ticket it created.
func (s *Service) do(ctx context.Context, w plusone.TicketWork, key string) (agent plusone.Agent, created plusone.Ticket, err error) {
	if err := w.Validate(); err != nil {
		return agent, created, err
	}
	source, id := w.Ticket()
	desk := s.Desks[source]
	if desk == nil {
		return agent, created, plusone.Errorf(plusone.EINVALID, "%s's API is not configured in plusone", source.Title())
	}
	email, name, err := s.People.Person(ctx, w.Agent)
	if err != nil {
		return agent, created, fmt.Errorf("who is %s: %w", w.Agent, err)
	}
	if email == "" {
		return agent, created, plusone.Errorf(plusone.EINVALID, "your Slack profile shows no email, so %s cannot tell who you are there", source.Title())
	}
	agent = plusone.Agent{Email: email, Name: cmp.Or(name, email)}
	switch w.Kind {
	case plusone.TicketReply, plusone.TicketNote:
		err = desk.Reply(ctx, id, agent, w.Text, w.Kind == plusone.TicketReply, w.At)
	case plusone.TicketAssign:
		err = desk.Assign(ctx, id, agent)
	case plusone.TicketSetStatus:
		err = desk.SetStatus(ctx, id, agent, w.Status, w.At)
	case plusone.TicketCreate:
		created, err = desk.Create(ctx, plusone.NewTicket{Customer: w.Customer, Subject: w.Subject, Text: w.Text, Key: key, Since: w.At}, agent)
		if err == nil && created.ID == "" {
			err = fmt.Errorf("%s created a ticket without an id", source.Title())
		}
	}
	return agent, created, err
}

// createdEvent is the ticket created for w as its helpdesk's webhook
// tells it: the same ticket key, so that the webhook, when it comes,
// updates the card this event makes rather than making another.
func createdEvent(source plusone.Source, t plusone.Ticket, w plusone.TicketWork, now time.Time) plusone.Event {
	if t.Subject == "" {
		t.Subject = w.Subject
	}
	if t.Status == "" || t.Status == "new" {
		t.Status = "open"
	}
	return plusone.Event{Source: source, ID: "plusone:created:" + t.ID, Type: plusone.EventTicketCreated, OccurredAt: now,
		Customer: plusone.CustomerRef{Email: w.Customer}, Ticket: &t}
}

// createdText tells the agent which ticket she created, with its link.
func createdText(source plusone.Source, t plusone.Ticket, customer string) string {
	text := fmt.Sprintf("Created %s ticket %s for %s", source.Title(), t.ID, customer)
	if t.URL != "" {
		text += ": " + t.URL
	}
	return text
}

// done is what the card's thread says: "Replied by Ana · 14:02".
func (s *Service) done(w plusone.TicketWork, agent plusone.Agent, now time.Time) string {
	loc := time.UTC
	if p := s.Policy(); p != nil && p.Timezone != nil {
		loc = p.Timezone
	}
	at := now.In(loc).Format("15:04")
	switch w.Kind {
	case plusone.TicketReply:
		return fmt.Sprintf("Replied by %s · %s", agent.Name, at)
	case plusone.TicketNote:
		return fmt.Sprintf("Internal note by %s · %s", agent.Name, at)
	case plusone.TicketAssign:
		return fmt.Sprintf("Assigned to %s · %s", agent.Name, at)
	default:
		return fmt.Sprintf("%s by %s · %s", w.Status.Title(), agent.Name, at)
	}
}

// failed says in plain words what did not happen and why.
func failed(w plusone.TicketWork, err error) string {
	source, id := w.Ticket()
	what := map[plusone.TicketWorkKind]string{plusone.TicketReply: "send your reply to", plusone.TicketNote: "add your note to",
		plusone.TicketAssign: "assign you to", plusone.TicketSetStatus: "change the status of"}[w.Kind]
	why := plusone.ErrorMessage(err)
	switch code := plusone.ErrorCode(err); {
	case code == plusone.EINVALID || code == plusone.EUNAUTHORIZED:
	case errors.Is(err, context.DeadlineExceeded):
		why = source.Title() + " did not answer in time; please try again"
	default:
		why = source.Title() + " is failing or unreachable; please try again later"
	}
	if w.Kind == plusone.TicketCreate {
		return fmt.Sprintf("Could not create the %s ticket %q for %s: %s", source.Title(), w.Subject, w.Customer, why)
	}
	return fmt.Sprintf("Could not %s %s ticket %s: %s", what, source.Title(), id, why)
}

// recordOnTicket records on the ticket what the helpdesk now has, before
// its webhook says so: a public reply answers the customer (an escalation
// waiting on her is cancelled), a status is the ticket's. It holds her
// customer lock, as the memory does when it writes the ticket.
func recordOnTicket(ctx context.Context, tx plusone.Tx, w plusone.TicketWork, now time.Time) error {
	if w.Kind != plusone.TicketReply && w.Kind != plusone.TicketSetStatus {
		return nil
	}
	source, id := w.Ticket()
	t, err := tx.Ticket(ctx, source, id)
	if errors.Is(err, plusone.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := tx.Lock(ctx, plusone.CustomerLock(t.CustomerID)); err != nil {
		return err
	}
	if t, err = tx.Ticket(ctx, source, id); err != nil { // as of the lock
		return err
	}
	if w.Kind == plusone.TicketReply {
		t.AgentReplied(now)
	} else {
		t.Status = string(w.Status)
		if !t.Open() {
			t.WaitingSince = time.Time{}
		}
	}
	return tx.SaveTicket(ctx, t)
}

// enqueue queues a notice once per key.
func enqueue(ctx context.Context, tx plusone.Tx, now time.Time, key string, n plusone.Notice) error {
	payload, err := json.Marshal(n)
	if err != nil {
		return err
	}
	_, err = tx.EnqueueJob(ctx, &plusone.Job{Kind: plusone.JobNotice, Key: "msg:" + key, Payload: payload, CreatedAt: now}, now)
	return err
}

func (s *Service) changed() {
	if s.Changed != nil {
		s.Changed()
	}
}

// Helpdesks are the helpdesks a ticket can be created at: those whose API
// is configured, in the order of their names.
func (s *Service) Helpdesks() []plusone.Source {
	out := make([]plusone.Source, 0, len(s.Desks))
	for source, desk := range s.Desks {
		if desk != nil && plusone.Workable(source) {
			out = append(out, source)
		}
	}
	slices.Sort(out)
	return out
}

// Customer is the email of the customer a Slack message (in channel, at
// ts, in the thread threadTS, by author) is about, to pre-fill a ticket
// created from it, or "" when plusone cannot tell: a channel shared with
// her (the policy's customer_channels) names her email, or her company's
// domain, and then the author's email when it is in that domain; else the
// card whose thread the message is in names its customer.
func (s *Service) Customer(ctx context.Context, channel, ts, threadTS, author string) string {
	if p := s.Policy(); p != nil {
		if who, ok := p.CustomerChannel(channel); ok {
			if email := plusone.NormalizeEmail(who); email != "" {
				return email
			}
			return s.authorIn(ctx, author, who)
		}
	}
	var email string
	err := s.Store.View(ctx, func(tx plusone.Tx) error {
		c, err := plusone.CardCustomerAt(ctx, tx, channel, ts, threadTS)
		if c != nil {
			email = plusone.NormalizeEmail(c.Email)
		}
		return err
	})
	if err != nil {
		s.Log.Warn("create ticket: whose card", "channel", channel, "err", err)
		return ""
	}
	return email
}

// authorIn is the email of the message's author when it is in domain.
func (s *Service) authorIn(ctx context.Context, author, domain string) string {
	if author == "" || s.People == nil {
		return ""
	}
	email, _, err := s.People.Person(ctx, author)
	if err != nil {
		s.Log.Warn("create ticket: who wrote the message", "user", author, "err", err)
		return ""
	}
	email = plusone.NormalizeEmail(email)
	_, at, _ := strings.Cut(email, "@")
	domain = strings.ToLower(strings.TrimSpace(domain))
	if email == "" || domain == "" || at != domain && !strings.HasSuffix(at, "."+domain) {
		return ""
	}
	return email
}
