package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func testMemory(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	jane := newCustomer(t, s, "Jane Doe", "jane@example.com")
	janet := newCustomer(t, s, "Janet O'Neil", "janet@example.com")
	newCustomer(t, s, "Bob Jansen", "bob@example.com")
	newCustomer(t, s, "50%_off Shop", "shop@example.com")
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		for q, want := range map[string][]string{
			"jane@example.com":  {"Jane Doe"},
			" JANE@example.COM": {"Jane Doe"},
			"jan":               {"Bob Jansen", "Jane Doe", "Janet O'Neil"},
			"JANE":              {"Jane Doe", "Janet O'Neil"},
			"o'ne":              {"Janet O'Neil"},
			"doe":               {"Jane Doe"},
			"nobody@x.com":      nil,
			"50%":               {"50%_off Shop"},
			"%":                 nil,
			"_":                 nil,
			"":                  nil,
		} {
			got, err := tx.FindCustomers(ctx, q, 10)
			if err != nil {
				return err
			}
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			if fmt.Sprint(names) != fmt.Sprint(want) {
				t.Errorf("FindCustomers(%q) = %v, want %v", q, names, want)
			}
		}
		got, err := tx.FindCustomers(ctx, "jan", 2)
		if err != nil || len(got) != 2 {
			t.Errorf("limit: %d %v", len(got), err)
		}
		return nil
	}))
	update(t, s, func(tx plusone.Tx) error {
		for i, text := range []string{"prefers email", "allergic to calls", "VIP since 2020"} {
			n := &plusone.Note{CustomerID: jane.ID, Author: "U0ANA", Text: text, Via: plusone.NoteViaCommand,
				CreatedAt: base.Add(time.Duration(i) * time.Hour)}
			if err := tx.AddNote(ctx, n); err != nil || n.ID == 0 {
				return fmt.Errorf("note %d: %v", n.ID, err)
			}
		}
		if err := tx.AddNote(ctx, &plusone.Note{CustomerID: janet.ID, Author: "U0BEN", Text: "other", Link: "https://slack/x", CreatedAt: base}); err != nil {
			return err
		}
		if err := tx.TouchAgent(ctx, "U0ANA", jane.ID, "noted", base); err != nil {
			return err
		}
		if err := tx.TouchAgent(ctx, "U0ANA", janet.ID, "looked up", base.Add(time.Hour)); err != nil {
			return err
		}
		return tx.TouchAgent(ctx, "U0ANA", jane.ID, "looked up", base.Add(2*time.Hour))
	})
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		notes, err := tx.Notes(ctx, jane.ID, 2)
		if err != nil {
			return err
		}
		if len(notes) != 2 || notes[0].Text != "VIP since 2020" || notes[0].Author != "U0ANA" || notes[0].Via != plusone.NoteViaCommand ||
			!notes[0].CreatedAt.Equal(base.Add(2*time.Hour)) {
			t.Errorf("notes = %+v", notes)
		}
		mine, err := tx.NotesBy(ctx, "U0BEN", 10)
		if err != nil || len(mine) != 1 || mine[0].Link != "https://slack/x" || mine[0].CustomerID != janet.ID {
			t.Errorf("notes by U0BEN = %+v %v", mine, err)
		}
		recent, err := tx.RecentCustomers(ctx, "U0ANA", 10)
		if err != nil {
			return err
		}
		if len(recent) != 2 || recent[0].Customer.ID != jane.ID || recent[0].What != "looked up" || recent[1].Customer.Name != "Janet O'Neil" {
			t.Errorf("recent = %+v", recent)
		}
		for _, c := range []struct {
			agent string
			id    int64
			want  bool
		}{{"U0ANA", jane.ID, true}, {"U0ANA", janet.ID, true}, {"U0BEN", jane.ID, false}, {"U0ANA", jane.ID + janet.ID, false}} {
			if got, err := tx.Helped(ctx, c.agent, c.id); err != nil || got != c.want {
				t.Errorf("Helped(%s, %d) = %v, %v", c.agent, c.id, got, err)
			}
		}
		return nil
	}))
	// Notes and the agents' history follow a merge.
	update(t, s, func(tx plusone.Tx) error { return tx.MergeCustomers(ctx, janet.ID, jane.ID, "same person", base) })
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		notes, err := tx.Notes(ctx, janet.ID, 10)
		if err != nil || len(notes) != 4 {
			t.Errorf("notes after merge: %d %v", len(notes), err)
		}
		recent, err := tx.RecentCustomers(ctx, "U0ANA", 10)
		if err != nil || len(recent) != 1 || recent[0].Customer.ID != janet.ID {
			t.Errorf("recent after merge: %+v %v", recent, err)
		}
		merges, err := tx.Merges(ctx, janet.ID)
		if err != nil || len(merges) != 1 || merges[0].Kind != "merge" || merges[0].From != jane.ID || merges[0].Reason != "same person" {
			t.Errorf("merges = %+v %v", merges, err)
		}
		return nil
	}))
	// The card posted as a Slack message is found by it.
	ref := plusone.CardState{Key: "zendesk:9", CustomerID: janet.ID, Source: plusone.SourceZendesk, TicketID: "9", Channel: "C1"}
	update(t, s, func(tx plusone.Tx) error { return tx.TouchCard(ctx, ref, base) })
	cards := cardClaim(t, s, "d", base)
	must(t, s.CardDelivered(ctx, cards[0].Key, "d", "C1", "1700.1", 1))
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.CardAt(ctx, "C1", "1700.1")
		if err != nil || c.Key != "zendesk:9" {
			t.Errorf("CardAt = %+v %v", c, err)
		}
		if _, err := tx.CardAt(ctx, "C1", "9999.9"); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("CardAt unknown: %v", err)
		}
		return nil
	}))
}
