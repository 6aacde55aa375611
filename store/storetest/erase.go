package storetest

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// testErase: erasing a customer leaves nothing of hers but an emptied
// record and her ledger entries; her posted card is due again, the one
// never tried goes; a new customer may take her email afterwards.
func testErase(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane Doe", "jane@example.com")
	bob := newCustomer(t, s, "Bob Stone", "bob@example.com")
	shopify := plusone.Identity{Kind: "shopify", Value: "42"}
	update(t, s, func(tx plusone.Tx) error {
		for _, c := range []*plusone.Customer{jane, bob} {
			tk := &plusone.TicketRecord{Ticket: plusone.Ticket{ID: "t" + c.Name[:1], Subject: "Where is my order?"},
				Source: plusone.SourceZendesk, CustomerID: c.ID, CreatedAt: base}
			o := &plusone.OrderRecord{Order: plusone.Order{ID: "o" + c.Name[:1], Total: 420_00, Currency: "USD", CreatedAt: base},
				Source: plusone.SourceShopify, CustomerID: c.ID}
			tp := &plusone.Touchpoint{CustomerID: c.ID, Source: plusone.SourceZendesk, Kind: plusone.TouchTicketOpened,
				Ref: tk.ID, DedupeKey: "tp-" + tk.ID, OccurredAt: base, Summary: "Where is my order?"}
			if _, err := tx.AddTouchpoint(ctx, tp); err != nil {
				return err
			}
			if err := errors.Join(tx.SaveTicket(ctx, tk), tx.SaveOrder(ctx, o),
				tx.SetPreference(ctx, c.ID, plusone.Preference{Key: "contact", Value: "mornings", UpdatedAt: base}),
				tx.AddNote(ctx, &plusone.Note{CustomerID: c.ID, Author: "U0ANA", Text: "Allergic to nuts", CreatedAt: base}),
				tx.TouchAgent(ctx, "U0ANA", c.ID, "noted", base)); err != nil {
				return err
			}
			if _, _, err := tx.AppendLedger(ctx, entry(c.ID, "free_shipping", plusone.StatusGranted, 15_00, base)); err != nil {
				return err
			}
		}
		if err := tx.AddIdentity(ctx, jane.ID, shopify, base); err != nil {
			return err
		}
		for _, key := range []string{"zendesk:tJ", "zendesk:tJ2"} {
			if err := tx.TouchCard(ctx, plusone.CardState{Key: key, CustomerID: jane.ID, Source: plusone.SourceZendesk,
				TicketID: key[8:], Channel: "C1"}, base); err != nil {
				return err
			}
		}
		_, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: "backfill", Key: "backfill:" + strconv.FormatInt(jane.ID, 10) + ":zendesk",
			Payload: []byte(`{"email":"jane@example.com"}`), CreatedAt: base}, base)
		return err
	})
	// One card posted, the other never tried.
	cards := cardClaim(t, s, "d1", base)
	if len(cards) != 2 {
		t.Fatalf("claimed %d cards", len(cards))
	}
	must(t, s.CardDelivered(ctx, "zendesk:tJ", "d1", "C1", "111.222", cards[0].Version))
	must(t, s.RetryCard(ctx, "zendesk:tJ2", "d1", base, "", false))
	spent := func() plusone.Money {
		var m plusone.Money
		must(t, s.View(ctx, func(tx plusone.Tx) error {
			var err error
			m, err = tx.Spent(ctx, "agent", "U0ANA", base.Add(-time.Hour))
			return err
		}))
		return m
	}
	before := spent()

	erasedAt := base.Add(time.Hour)
	for i := range 2 { // twice: the second does nothing
		update(t, s, func(tx plusone.Tx) error {
			erased, err := tx.EraseCustomer(ctx, jane.ID, erasedAt.Add(time.Duration(i)*time.Hour))
			if erased != (i == 0) {
				t.Errorf("erasure %d: erased = %v", i+1, erased)
			}
			return err
		})
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.Customer(ctx, jane.ID)
		if err != nil {
			return err
		}
		if c.Name != "" || c.Email != "" || c.Phone != "" || c.Profile.Orders != 0 || !c.ErasedAt.Equal(erasedAt) {
			t.Errorf("erased record = %+v", c)
		}
		for _, id := range []plusone.Identity{{Kind: plusone.IdentityEmail, Value: "jane@example.com"}, shopify} {
			if _, err := tx.CustomerByIdentity(ctx, id); !errors.Is(err, plusone.ErrNotFound) {
				t.Errorf("by %v after erasure: %v", id, err)
			}
		}
		for _, q := range []string{"jane@example.com", "Jane", "doe"} {
			if found, err := tx.FindCustomers(ctx, q, 10); err != nil || len(found) != 0 {
				t.Errorf("find %q = %v, %v", q, found, err)
			}
		}
		ids, _ := tx.Identities(ctx, jane.ID)
		tl, _ := tx.Timeline(ctx, jane.ID, 10)
		tks, _ := tx.Tickets(ctx, jane.ID, 10)
		os, _ := tx.Orders(ctx, jane.ID, 10)
		ps, _ := tx.Preferences(ctx, jane.ID)
		ns, _ := tx.Notes(ctx, jane.ID, 10)
		rc, _ := tx.RecentCustomers(ctx, "U0ANA", 10)
		if len(ids)+len(tl)+len(tks)+len(os)+len(ps)+len(ns) != 0 || len(rc) != 1 || rc[0].Customer.ID != bob.ID {
			t.Errorf("left of her: identities %v timeline %v tickets %v orders %v preferences %v notes %v; recent %v",
				ids, tl, tks, os, ps, ns, rc)
		}
		if _, err := tx.Ticket(ctx, plusone.SourceZendesk, "tJ"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("her ticket: %v", err)
		}
		// Bob is untouched.
		if b, _ := tx.Customer(ctx, bob.ID); b.Name != "Bob Stone" || !b.ErasedAt.IsZero() {
			t.Errorf("bob = %+v", b)
		}
		if tl, _ := tx.Timeline(ctx, bob.ID, 10); len(tl) != 1 {
			t.Errorf("bob's timeline = %v", tl)
		}
		// The ledger keeps her entries, under her id.
		gs, err := tx.Gestures(ctx, jane.ID, 10)
		if err != nil || len(gs) != 1 {
			t.Errorf("her ledger = %v, %v", gs, err)
		}
		cs, err := tx.CardsOfCustomer(ctx, jane.ID, 10)
		if err != nil || len(cs) != 1 || cs[0].Key != "zendesk:tJ" || cs[0].TS != "111.222" || cs[0].Version <= cs[0].Delivered {
			t.Errorf("her cards = %+v, %v", cs, err)
		}
		return nil
	}))
	if after := spent(); after != before || after != 30_00 {
		t.Errorf("agent's spend %v, was %v", after, before)
	}
	// The posted card is due, to be replaced; no back-fill is left to run.
	if cards := cardClaim(t, s, "d2", erasedAt); len(cards) != 1 || cards[0].Key != "zendesk:tJ" {
		t.Errorf("due cards after erasure = %+v", cards)
	}
	jobs, err := s.ClaimJobs(ctx, "backfill", plusone.Claim{Worker: "w", Limit: 10, Lease: time.Minute, Now: erasedAt})
	must(t, err)
	if len(jobs) != 0 {
		t.Errorf("back-fills left: %+v", jobs)
	}
	// Her email is free for whoever writes in next.
	again := newCustomer(t, s, "Jane Doe", "jane@example.com")
	if again.ID == jane.ID {
		t.Error("the erased record was reused")
	}
	update(t, s, func(tx plusone.Tx) error {
		if _, err := tx.EraseCustomer(ctx, 99999, erasedAt); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("erasing nobody: %v", err)
		}
		return nil
	})
}

// testEraseQueries: who retention and a shop's erasure find.
func testEraseQueries(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	old := newCustomer(t, s, "Old", "old@example.com")
	recent := newCustomer(t, s, "Recent", "recent@example.com")
	never := newCustomer(t, s, "Never", "") // no event: her creation counts
	gone := newCustomer(t, s, "Gone", "gone@example.com")
	shopper := newCustomer(t, s, "Shopper", "shopper@example.com")
	update(t, s, func(tx plusone.Tx) error {
		for c, seen := range map[*plusone.Customer]time.Time{old: base.Add(-400 * 24 * time.Hour), recent: base.Add(2 * time.Hour),
			gone: base.Add(-500 * 24 * time.Hour), shopper: base.Add(2 * time.Hour)} {
			c.Profile.LastSeen = seen
			if err := tx.UpdateCustomer(ctx, c); err != nil {
				return err
			}
		}
		if err := tx.AddIdentity(ctx, old.ID, plusone.Identity{Kind: "shopify", Value: "7"}, base); err != nil {
			return err
		}
		if _, err := tx.AddTouchpoint(ctx, &plusone.Touchpoint{CustomerID: shopper.ID, Source: plusone.SourceShopify,
			Kind: plusone.TouchOrder, DedupeKey: "o1", OccurredAt: base}); err != nil {
			return err
		}
		if err := tx.AddIdentity(ctx, gone.ID, plusone.Identity{Kind: "shopify", Value: "8"}, base); err != nil {
			return err
		}
		_, err := tx.EraseCustomer(ctx, gone.ID, base)
		return err
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		unseen, err := tx.UnseenCustomers(ctx, base.Add(time.Hour), 10)
		if err != nil {
			return err
		}
		if want := []int64{old.ID, never.ID}; !slices.Equal(unseen, want) {
			t.Errorf("unseen = %v, want %v (recent %d, erased %d)", unseen, want, recent.ID, gone.ID)
		}
		if one, _ := tx.UnseenCustomers(ctx, base.Add(time.Hour), 1); len(one) != 1 {
			t.Errorf("limit 1 = %v", one)
		}
		shop, err := tx.CustomersOfSource(ctx, plusone.SourceShopify, 10)
		if err != nil {
			return err
		}
		if want := []int64{old.ID, shopper.ID}; !slices.Equal(shop, want) {
			t.Errorf("customers of shopify = %v, want %v", shop, want)
		}
		return nil
	}))
}

// testEraseInbox: an erasure empties the raw bodies of the deliveries that
// named her by email, once applied or parked; a pending one and the
// others' stay as they came.
func testEraseInbox(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	deliver := func(key, body string) *plusone.RawEvent {
		ev := raw(plusone.SourceGeneric, key)
		ev.Body = []byte(body)
		_, err := s.AppendEvent(ctx, ev)
		must(t, err)
		return ev
	}
	deliver("hers-done", `{"customer":{"email":"Jane@Example.com"}}`)
	deliver("hers-parked", `{"customer":{"email":"jane@example.com","name":"Jane"}}`)
	deliver("bobs", `{"customer":{"email":"bob@example.com"}}`)
	claimed := claim(t, s, "w", 10, base)
	if len(claimed) != 3 {
		t.Fatalf("claimed %d", len(claimed))
	}
	update(t, s, func(tx plusone.Tx) error { return tx.CompleteEvent(ctx, claimed[0].ID, "w", base) })
	must(t, s.ParkEvent(ctx, claimed[1].ID, "w", "test"))
	must(t, s.ParkEvent(ctx, claimed[2].ID, "w", "test"))
	pending := deliver("hers-pending", `{"customer":{"email":"jane@example.com"}}`)

	update(t, s, func(tx plusone.Tx) error {
		_, err := tx.EraseCustomer(ctx, jane.ID, base)
		return err
	})
	parked, err := s.ParkedEvents(ctx, 10)
	must(t, err)
	bodies := map[string]string{}
	for _, ev := range parked {
		bodies[ev.DedupeKey] = string(ev.Body)
	}
	if bodies["hers-parked"] != "" || bodies["bobs"] != `{"customer":{"email":"bob@example.com"}}` {
		t.Errorf("parked bodies after erasure: %q", bodies)
	}
	if dup, err := s.AppendEvent(ctx, raw(plusone.SourceGeneric, "hers-done")); err != nil || !dup {
		t.Errorf("her applied delivery, delivered again: duplicate %v, %v", dup, err)
	}
	if got := claim(t, s, "w2", 10, base.Add(time.Hour)); len(got) != 1 || got[0].ID != pending.ID ||
		string(got[0].Body) != `{"customer":{"email":"jane@example.com"}}` {
		t.Errorf("her pending delivery: %+v", got)
	}
}

// testEraseOutcomes: an erased customer's assignments stay (a gesture,
// an arm and a time: nothing of hers), so she is never assigned again, but
// the outcomes leave her out: what she did went with her.
func testEraseOutcomes(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane", "jane@example.com")
	bob := newCustomer(t, s, "Bob", "bob@example.com")
	update(t, s, func(tx plusone.Tx) error {
		for _, c := range []*plusone.Customer{jane, bob} {
			if _, err := tx.Assign(ctx, plusone.Assignment{CustomerID: c.ID, Gesture: "gift", Arm: plusone.ArmTreatment, ExposedAt: base}); err != nil {
				return err
			}
			if err := tx.SaveOrder(ctx, &plusone.OrderRecord{Order: plusone.Order{ID: "o" + c.Name, Total: 40_00, Currency: "USD",
				CreatedAt: base.Add(time.Second)}, Source: plusone.SourceShopify, CustomerID: c.ID, UpdatedAt: base}); err != nil {
				return err
			}
		}
		_, err := tx.EraseCustomer(ctx, jane.ID, base.Add(time.Minute))
		return err
	})
	update(t, s, func(tx plusone.Tx) error {
		stored, err := tx.Assign(ctx, plusone.Assignment{CustomerID: jane.ID, Gesture: "gift", Arm: plusone.ArmHoldout,
			ExposedAt: base.Add(time.Hour)})
		if stored {
			t.Error("assigned again after erasure")
		}
		return err
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		as, err := tx.Assignments(ctx, jane.ID)
		if err != nil || len(as) != 1 || as[0].Gesture != "gift" {
			t.Errorf("her assignments after erasure = %+v, %v; want gift's kept", as, err)
		}
		out, err := tx.ExposureOutcomes(ctx, 10*time.Second, base.Add(time.Hour))
		if err != nil {
			return err
		}
		if len(out) != 1 || out[0].CustomerID != bob.ID || out[0].Orders != 1 {
			t.Errorf("outcomes after her erasure = %+v, want Bob's alone", out)
		}
		return nil
	}))
}

// testEraseJobs: erasing a customer empties what the job queues hold of
// her, as plusone writes its payloads: ticket work on her tickets or for
// her email is cancelled if pending and emptied if done; the outbox's
// notices sent that name her email, her ticket or her gesture request are
// emptied, one pending that names her email is cancelled, one pending that
// names only her request is kept (it is composed from the erased store).
// Bob's stay as they were. CustomerMessages lists the messages posted for
// her requests, which her erasure replaces.
func testEraseJobs(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane Doe", "Jane_Doe@example.com")
	bob := newCustomer(t, s, "Bob Stone", "bob@example.com")
	var janeReq, bobReq int64
	update(t, s, func(tx plusone.Tx) error {
		for _, c := range []*plusone.Customer{jane, bob} {
			tk := &plusone.TicketRecord{Ticket: plusone.Ticket{ID: "t" + c.Name[:1], Subject: "Where is my order?"},
				Source: plusone.SourceZendesk, CustomerID: c.ID, CreatedAt: base}
			if err := tx.SaveTicket(ctx, tk); err != nil {
				return err
			}
			e := entry(c.ID, "handwritten_note", plusone.StatusGranted, 4_00, base)
			if _, _, err := tx.AppendLedger(ctx, e); err != nil {
				return err
			}
			if c == jane {
				janeReq = e.ID
			} else {
				bobReq = e.ID
			}
		}
		return errors.Join(tx.SaveMessage(ctx, janeReq, plusone.MessageApproval, "C0SUP", "1.1"),
			tx.SaveMessage(ctx, janeReq, plusone.MessageTodo, "C1", "1.2"),
			tx.SaveMessage(ctx, bobReq, plusone.MessageTodo, "C1", "1.3"))
	})
	work := func(w plusone.TicketWork) []byte { b, _ := json.Marshal(w); return b }
	notice := func(n plusone.Notice) []byte { b, _ := json.Marshal(n); return b }
	enqueue := func(kind string, payloads map[string][]byte) {
		update(t, s, func(tx plusone.Tx) error {
			for key, p := range payloads {
				if _, err := tx.EnqueueJob(ctx, &plusone.Job{Kind: kind, Key: key, Payload: p, CreatedAt: base}, base); err != nil {
					return err
				}
			}
			return nil
		})
	}
	done := func(kind string) {
		jobs, err := s.ClaimJobs(ctx, kind, plusone.Claim{Worker: "w", Limit: 100, Lease: time.Minute, Now: base})
		must(t, err)
		update(t, s, func(tx plusone.Tx) error {
			for _, j := range jobs {
				if err := tx.CompleteJob(ctx, j.ID, "w", base); err != nil {
					return err
				}
			}
			return nil
		})
	}
	bobsReply := work(plusone.TicketWork{Kind: plusone.TicketReply, TicketKey: "zendesk:tB", Agent: "U0ANA", Text: "Bob, it ships"})
	bobsTodo := notice(plusone.Notice{Kind: plusone.NoticeTodo, RequestID: bobReq})
	enqueue(plusone.JobTicketWork, map[string][]byte{
		"tw-done":     work(plusone.TicketWork{Kind: plusone.TicketReply, TicketKey: "zendesk:tJ", Agent: "U0ANA", Text: "Jane, your tires ship today"}),
		"tw-bob-done": bobsReply,
	})
	enqueue(plusone.JobNotice, map[string][]byte{
		"n-data-request": notice(plusone.Notice{Kind: plusone.NoticeDataRequest, Channel: "C0SUP",
			DataRequest: &plusone.DataRequest{Source: plusone.SourceShopify, RequestID: "9", Email: "jane_doe@Example.com"}}),
		"n-todo":        notice(plusone.Notice{Kind: plusone.NoticeTodo, RequestID: janeReq}),
		"n-ticket-work": notice(plusone.Notice{Kind: plusone.NoticeTicketWork, Ticket: "zendesk:tJ", OK: true, Text: "Replied by Ana"}),
		"n-bob-todo":    bobsTodo,
	})
	done(plusone.JobTicketWork)
	done(plusone.JobNotice)
	decided := notice(plusone.Notice{Kind: plusone.NoticeApprovalDecided, RequestID: janeReq})
	enqueue(plusone.JobTicketWork, map[string][]byte{
		"tw-pending": work(plusone.TicketWork{Kind: plusone.TicketNote, TicketKey: "zendesk:tJ", Agent: "U0ANA", Text: "She is pregnant"}),
		"tw-create": work(plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: "zendesk", Agent: "U0ANA", Customer: "jane_doe@example.com",
			Subject: "Tires", Text: "My tires"}),
		"tw-bob-pending": bobsReply,
	})
	enqueue(plusone.JobNotice, map[string][]byte{
		"n-created": notice(plusone.Notice{Kind: plusone.NoticeTicketWork, Ticket: "zendesk:99", OK: true, User: "U0ANA", Channel: "C0SHARED",
			Text: "Created Zendesk ticket 99 for jane_doe@example.com"}),
		"n-decided": decided,
	})

	var posted []plusone.PostedMessage
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		var err error
		posted, err = tx.CustomerMessages(ctx, jane.ID)
		return err
	}))
	if len(posted) != 2 || posted[0] != (plusone.PostedMessage{RequestID: janeReq, Purpose: plusone.MessageApproval, Channel: "C0SUP", TS: "1.1"}) ||
		posted[1].Purpose != plusone.MessageTodo || posted[1].TS != "1.2" {
		t.Errorf("her posted messages = %+v", posted)
	}
	update(t, s, func(tx plusone.Tx) error {
		_, err := tx.EraseCustomer(ctx, jane.ID, base.Add(time.Hour))
		return err
	})
	want := map[string]struct {
		state   string
		payload []byte
	}{
		"tw-done": {"done", []byte("{}")}, "tw-pending": {"done", []byte("{}")}, "tw-create": {"done", []byte("{}")},
		"tw-bob-done": {"done", bobsReply}, "tw-bob-pending": {"pending", bobsReply},
		"n-data-request": {"done", []byte("{}")}, "n-todo": {"done", []byte("{}")}, "n-ticket-work": {"done", []byte("{}")},
		"n-created": {"done", []byte("{}")}, "n-decided": {"pending", decided}, "n-bob-todo": {"done", bobsTodo},
	}
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		for key, w := range want {
			j, err := tx.JobByKey(ctx, key)
			if err != nil {
				return err
			}
			if j.State != w.state || string(j.Payload) != string(w.payload) {
				t.Errorf("job %s after erasure: %s %s, want %s %s", key, j.State, j.Payload, w.state, w.payload)
			}
		}
		if _, err := tx.JobByKey(ctx, "nobody"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("a job never enqueued: %v", err)
		}
		return nil
	}))
	// Her pending work is no longer handed out; Bob's is.
	jobs, err := s.ClaimJobs(ctx, plusone.JobTicketWork, plusone.Claim{Worker: "w2", Limit: 10, Lease: time.Minute, Now: base.Add(2 * time.Hour)})
	must(t, err)
	if len(jobs) != 1 || jobs[0].Key != "tw-bob-pending" {
		t.Errorf("ticket work claimed after erasure: %+v", jobs)
	}
}
