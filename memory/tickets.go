package memory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
)

// recordConversation records an event's ticket and message, and returns
// the ticket as saved, or nil for an event outside any ticket, and whether
// the event opened or closed it (see recordTicket). The message goes
// before the save: it may change whom the ticket waits for.
func recordConversation(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time, past bool) (ticket *plusone.TicketRecord, openChanged bool, err error) {
	if e.Ticket != nil && e.Ticket.ID != "" {
		if ticket, openChanged, err = recordTicket(ctx, tx, customerID, e, at, past); err != nil {
			return nil, false, err
		}
	}
	if e.Message != nil {
		if err := recordMessage(ctx, tx, customerID, ticket, e, at, past); err != nil {
			return nil, false, err
		}
	}
	if ticket == nil {
		return nil, false, nil
	}
	if err := tx.SaveTicket(ctx, ticket); err != nil {
		return nil, false, err
	}
	return ticket, openChanged, nil
}

// recordTicket folds an event's ticket into the one we have, or starts
// it, and puts its opening (and status changes worth noting) on her
// timeline. It reports whether the event changed her open tickets: a
// ticket first seen open, or one that closed or reopened. The caller
// saves the ticket.
func recordTicket(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time, past bool) (*plusone.TicketRecord, bool, error) {
	rec, err := tx.Ticket(ctx, e.Source, e.Ticket.ID)
	isNew := errors.Is(err, plusone.ErrNotFound)
	var openChanged bool
	switch {
	case isNew:
		rec = newTicket(customerID, e, at, past)
		openChanged = rec.Open()
	case err != nil:
		return nil, false, err
	default:
		wasOpen := rec.Open()
		if err := updateTicket(ctx, tx, rec, customerID, e, at, past); err != nil {
			return nil, false, err
		}
		openChanged = rec.Open() != wasOpen
	}
	if !isNew && e.Type != plusone.EventTicketCreated {
		return rec, openChanged, nil
	}
	if _, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchTicketOpened, Ref: e.Ticket.ID,
		DedupeKey: "ticket:" + e.Ticket.ID + ":opened", OccurredAt: rec.CreatedAt, URL: rec.URL,
		Summary: "Opened ticket: " + clip(orDefault(rec.Subject, "(no subject)"), 160),
	}); err != nil {
		return nil, false, err
	}
	return rec, openChanged, nil
}

// newTicket is the record of a ticket first seen in e: open unless it
// says otherwise, and awaiting its first answer unless it is past.
func newTicket(customerID int64, e plusone.Event, at time.Time, past bool) *plusone.TicketRecord {
	rec := &plusone.TicketRecord{Ticket: *e.Ticket, Source: e.Source, CustomerID: customerID, CreatedAt: at, UpdatedAt: at}
	if rec.Status == "" {
		rec.Status = "open"
	}
	if !past {
		rec.CustomerSpoke(at) // a new ticket awaits its first answer
	}
	return rec
}

// updateTicket folds e into a ticket we have and notes a change of status
// worth noting on her timeline.
func updateTicket(ctx context.Context, tx plusone.Tx, rec *plusone.TicketRecord, customerID int64, e plusone.Event, at time.Time, past bool) error {
	prevStatus := rec.Status
	foldTicket(rec, customerID, e, at, past)
	if !statusWorthNoting(prevStatus, rec.Status) {
		return nil
	}
	_, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchTicketUpdated, Ref: e.Ticket.ID,
		DedupeKey:  fmt.Sprintf("ticket:%s:status:%s:%d", e.Ticket.ID, rec.Status, at.UnixMicro()),
		OccurredAt: at, URL: rec.URL,
		Summary: fmt.Sprintf("Ticket %s: %s", rec.Status, clip(rec.Subject, 120)),
	})
	return err
}

// foldTicket folds what e says at at into a ticket we have: she owns it
// (she may have been merged), newer information wins, an earlier creation
// moves its start, and a ticket no longer open waits for nobody.
func foldTicket(rec *plusone.TicketRecord, customerID int64, e plusone.Event, at time.Time, past bool) {
	rec.CustomerID = customerID
	newer := !at.Before(rec.UpdatedAt)
	mergeTicket(&rec.Ticket, *e.Ticket, newer)
	if newer {
		rec.UpdatedAt = at
	}
	if e.Type == plusone.EventTicketCreated && at.Before(rec.CreatedAt) {
		rec.CreatedAt = at
		if !past {
			rec.CustomerSpoke(at)
		}
	}
	if !rec.Open() {
		rec.WaitingSince = time.Time{}
	}
}

// statusWorthNoting reports whether a status change belongs on the
// timeline: solving, closing, pausing or reopening a ticket does; a new
// ticket becoming open does not.
func statusWorthNoting(prev, next string) bool {
	if prev == next || next == "" {
		return false
	}
	return !(next == "open" && (prev == "new" || prev == ""))
}

// mergeTicket folds what an event says into the ticket. Newer information
// replaces what we had; older information only fills gaps, so that events
// applied out of order still leave the latest state.
func mergeTicket(dst *plusone.Ticket, in plusone.Ticket, newer bool) {
	set := func(d *string, v string) {
		if v != "" && (newer || *d == "") {
			*d = v
		}
	}
	set(&dst.Subject, in.Subject)
	set(&dst.URL, in.URL)
	set(&dst.Status, in.Status)
	set(&dst.Priority, in.Priority)
	set(&dst.Brand, in.Brand)
	set(&dst.Channel, in.Channel)
	set(&dst.Assignee, in.Assignee)
	set(&dst.Organization, in.Organization)
	set(&dst.Plan, in.Plan)
	if in.Tags != nil && (newer || dst.Tags == nil) {
		dst.Tags = in.Tags
	}
	for k, v := range in.Fields {
		if v == "" {
			continue
		}
		if _, had := dst.Fields[k]; had && !newer {
			continue
		}
		if dst.Fields == nil {
			dst.Fields = map[string]string{}
		}
		dst.Fields[k] = v
	}
}

// recordMessage puts a message on her timeline and, unless it is a
// private note or past, tells its ticket (nil for none) who spoke last.
func recordMessage(ctx context.Context, tx plusone.Tx, customerID int64, ticket *plusone.TicketRecord, e plusone.Event, at time.Time, past bool) error {
	m := e.Message
	ref := ""
	if ticket != nil {
		ref = ticket.ID
		if !m.Private && !past {
			spoke(ticket, m.FromCustomer, at)
		}
	}
	text := strings.Join(strings.Fields(m.Text), " ")
	_, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchMessage, Ref: ref,
		DedupeKey: "message:" + cmp.Or(m.ID, e.ID), OccurredAt: at,
		Summary: clip(messageAuthor(*m)+": "+orDefault(text, "(no text)"), 200),
	})
	return err
}

// spoke tells a ticket who spoke at at: she, or an agent.
func spoke(ticket *plusone.TicketRecord, fromCustomer bool, at time.Time) {
	if fromCustomer {
		ticket.CustomerSpoke(at)
	} else {
		ticket.AgentReplied(at)
	}
}

// messageAuthor is who a message is shown as written by.
func messageAuthor(m plusone.Message) string {
	switch {
	case m.Private:
		return "Internal note by " + orDefault(m.Author, "an agent")
	case !m.FromCustomer && m.Author == "":
		return "Agent"
	default:
		return orDefault(m.Author, "Customer")
	}
}

// recordFeedback puts a satisfaction rating on her timeline.
func recordFeedback(ctx context.Context, tx plusone.Tx, customerID int64, e plusone.Event, at time.Time) error {
	f := e.Feedback
	if f == nil {
		return nil
	}
	score, scale := f.Score, f.Scale
	if scale == "" {
		scale = plusone.ScaleCSAT
	}
	ref := f.TicketID
	if e.Ticket != nil {
		ref = e.Ticket.ID
	}
	_, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{
		CustomerID: customerID, Source: e.Source, Kind: plusone.TouchFeedback, Ref: ref,
		DedupeKey: "feedback:" + e.ID, OccurredAt: at, Score: &score, Scale: scale,
		Summary: feedbackSummary(scale, score, f.Comment),
	})
	return err
}

// feedbackSummary reads "CSAT 2/5: “slow”" or "NPS 9/10".
func feedbackSummary(scale string, score int, comment string) string {
	summary := fmt.Sprintf("%s %d", strings.ToUpper(scale), score)
	if scale == plusone.ScaleCSAT {
		summary += "/5"
	} else {
		summary += "/10"
	}
	if c := strings.Join(strings.Fields(comment), " "); c != "" {
		summary += ": “" + clip(c, 160) + "”"
	}
	return summary
}
