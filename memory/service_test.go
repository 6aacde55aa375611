package memory_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/memory"
	"github.com/plusone-hq/plusone/store/sqlite"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixture is a store with Jane (an open Zendesk ticket with a posted card,
// a Shopify order) and two Janets.
func fixture(t *testing.T) (*memory.Service, plusone.Store, *int) {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	must(t, err)
	t.Cleanup(func() { s.Close() })
	policy := plusone.DefaultPolicy()
	a := memory.Writer{Policy: func() *plusone.Policy { return policy }, DefaultChannel: "C1"}
	ctx := context.Background()
	events := []plusone.Event{
		{Source: plusone.SourceZendesk, ID: "z1", Type: plusone.EventTicketCreated, OccurredAt: now.Add(-time.Hour),
			Customer: plusone.CustomerRef{Email: "jane@example.com", Name: "Jane Doe", ExternalID: "777"},
			Ticket:   &plusone.Ticket{ID: "5158", Subject: "Where is my order?", URL: "https://acme.zendesk.com/agent/tickets/5158"}},
		{Source: plusone.SourceShopify, ID: "s1", Type: plusone.EventOrderCreated, OccurredAt: now.Add(-48 * time.Hour),
			Customer: plusone.CustomerRef{Email: "jane@example.com"},
			Order:    &plusone.Order{ID: "1001", Total: 50_00, Currency: "USD", URL: "https://shop.myshopify.com/admin/orders/1001"}},
		{Source: plusone.SourceGeneric, ID: "g1", Type: plusone.EventCustomerUpdated, Customer: plusone.CustomerRef{Email: "janet@example.com", Name: "Janet One"}},
		{Source: plusone.SourceGeneric, ID: "g2", Type: plusone.EventCustomerUpdated, Customer: plusone.CustomerRef{Email: "janet2@example.com", Name: "Janet Two"}},
	}
	must(t, s.Update(ctx, func(tx plusone.Tx) error {
		for _, e := range events {
			if _, _, err := a.Remember(ctx, tx, e, now); err != nil {
				return err
			}
		}
		return nil
	}))
	cards, err := s.ClaimCards(ctx, plusone.Claim{Worker: "d", Limit: 10, Lease: time.Minute, Now: now})
	must(t, err)
	for _, c := range cards {
		must(t, s.CardDelivered(ctx, c.Key, "d", "C1", "1700.0001", c.Version))
	}
	changed := 0
	return &memory.Service{Store: s, Policy: func() *plusone.Policy { return policy }, Clock: func() time.Time { return now },
		Changed: func() { changed++ }, Sources: testSources()}, s, &changed
}

func TestLookup(t *testing.T) {
	t.Parallel()
	svc, s, _ := fixture(t)
	ctx := context.Background()
	card, _, _, err := svc.Lookup(ctx, "U0ANA", "Jane@Example.com")
	must(t, err)
	if card == nil || card.View.Customer.Name != "Jane Doe" || card.Ticket.ID != "5158" || card.View.Customer.Profile.Orders != 1 {
		t.Fatalf("lookup by email = %+v", card)
	}
	card, choices, more, err := svc.Lookup(ctx, "U0ANA", "jan")
	must(t, err)
	if card != nil || len(choices) != 3 || more {
		t.Errorf("lookup jan = %+v %d %v", card, len(choices), more)
	}
	_, choices, _, err = svc.Lookup(ctx, "U0ANA", "janet")
	must(t, err)
	if len(choices) != 2 {
		t.Errorf("lookup janet = %d choices", len(choices))
	}
	card, choices, _, err = svc.Lookup(ctx, "U0ANA", "zed")
	must(t, err)
	if card != nil || len(choices) != 0 {
		t.Errorf("lookup zed = %+v %v", card, choices)
	}
	home, err := svc.Home(ctx, "U0ANA")
	must(t, err)
	if len(home.Recent) != 1 || home.Recent[0].Customer.Name != "Jane Doe" || home.Recent[0].What != "looked up" {
		t.Errorf("home recent = %+v", home.Recent)
	}
	_ = s
}

func TestNotesAndPreferences(t *testing.T) {
	t.Parallel()
	svc, s, changed := fixture(t)
	ctx := context.Background()
	id, name, ok, err := svc.CardCustomer(ctx, "C1", "1700.0099", "1700.0001")
	must(t, err)
	if !ok || name != "Jane Doe" {
		t.Fatalf("message in the card's thread: ok=%v name=%q", ok, name)
	}
	if _, _, ok, _ := svc.CardCustomer(ctx, "C1", "1700.0099", ""); ok {
		t.Error("a message outside any card's thread was attributed")
	}
	if _, err := svc.AddNote(ctx, plusone.Note{CustomerID: id, Author: "U0ANA", Text: "   "}); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("empty note: %v", err)
	}
	got, err := svc.AddNote(ctx, plusone.Note{CustomerID: id, Author: "U0ANA", Text: "Prefers a call after 5pm", Via: plusone.NoteViaShortcut})
	must(t, err)
	if got != "Jane Doe" || *changed != 1 {
		t.Errorf("AddNote = %q, changed %d", got, *changed)
	}
	if _, err := svc.AddNoteByEmail(ctx, "nobody@example.com", plusone.Note{Author: "U0ANA", Text: "x"}); plusone.ErrorCode(err) != plusone.ENOTFOUND {
		t.Errorf("note for an unknown email: %v", err)
	}
	if _, err := svc.AddNoteByEmail(ctx, "JANE@example.com", plusone.Note{Author: "U0BEN", Text: "Second note", Via: plusone.NoteViaCommand}); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetPreference(ctx, "U0ANA", id, "size", ""); plusone.ErrorCode(err) != plusone.EINVALID {
		t.Errorf("half a preference: %v", err)
	}
	must(t, svc.SetPreference(ctx, "U0ANA", id, "tire size", "225/45R17"))
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		card, err := memory.LoadCard(ctx, tx, "zendesk:5158", plusone.DefaultPolicy(), now)
		if err != nil {
			return err
		}
		if len(card.View.Notes) != 2 || card.View.Notes[0].Text != "Second note" || card.View.Notes[1].Via != plusone.NoteViaShortcut {
			t.Errorf("card notes = %+v", card.View.Notes)
		}
		if len(card.View.Preferences) != 1 || card.View.Preferences[0].Origin != "agent:U0ANA" {
			t.Errorf("card preferences = %+v", card.View.Preferences)
		}
		cs, err := tx.Card(ctx, "zendesk:5158")
		if err != nil || cs.Version != cs.Delivered+3 {
			t.Errorf("the card was not refreshed by each change: %+v %v", cs, err)
		}
		return nil
	}))
	home, err := svc.Home(ctx, "U0BEN")
	must(t, err)
	if len(home.Notes) != 1 || home.Notes[0].Text != "Second note" {
		t.Errorf("home notes = %+v", home.Notes)
	}
}

func TestByLink(t *testing.T) {
	t.Parallel()
	svc, _, _ := fixture(t)
	ctx := context.Background()
	for link, want := range map[string]string{
		"https://acme.zendesk.com/agent/tickets/5158":         "5158",
		"https://shop.myshopify.com/admin/orders/1001":        "5158", // her open ticket stands in
		"https://acme.zendesk.com/agent/tickets/9999":         "",
		"https://example.com/agent/tickets/5158":              "",
		"mailto:jane@example.com":                             "",
		"https://secure.helpscout.net/conversation/12/34":     "",
		"https://app.intercom.com/a/inbox/x/conversation/999": "",
	} {
		card, ok, err := svc.ByLink(ctx, link)
		must(t, err)
		switch {
		case want == "" && ok:
			t.Errorf("%s unfurled", link)
		case want != "" && (!ok || card.Ticket.ID != want || card.View.Customer.Name != "Jane Doe"):
			t.Errorf("%s: ok=%v card=%+v", link, ok, card)
		}
	}
}

// testSources are link shapes like those of the integrations.
func testSources() []plusone.SourceInfo {
	return []plusone.SourceInfo{
		{Source: plusone.SourceZendesk, Links: []plusone.LinkPattern{{Pattern: regexp.MustCompile(`\.zendesk\.com/agent/tickets/(\d+)`),
			Path: regexp.MustCompile(`^/agent/tickets/(\d+)`)}}},
		{Source: plusone.SourceIntercom, Links: []plusone.LinkPattern{{Pattern: regexp.MustCompile(`intercom\.com/.*/conversation/(\d+)`)}}},
		{Source: plusone.SourceHelpScout, Links: []plusone.LinkPattern{{Pattern: regexp.MustCompile(`helpscout\.net/conversation/(\d+)`)}}},
		{Source: plusone.SourceShopify, Links: []plusone.LinkPattern{{Pattern: regexp.MustCompile(`/admin/orders/(\d+)`), Order: true}}},
	}
}

// TestParseLink checks how a URL meets the link shapes; the shapes of each
// vendor are checked against real URLs in cmd/plusone (TestSourceLinks).
func TestParseLink(t *testing.T) {
	t.Parallel()
	sources := testSources()
	tests := []struct {
		link   string
		source plusone.Source
		id     string
		order  bool
	}{
		{"https://acme.zendesk.com/agent/tickets/5158", plusone.SourceZendesk, "5158", false},
		{"http://acme.zendesk.com/agent/tickets/5158?x=1", plusone.SourceZendesk, "5158", false},
		{"https://app.intercom.com/a/inbox/a86dr8yl#/inbox/conversation/215473853299345", plusone.SourceIntercom, "215473853299345", false},
		{"https://tires-co.myshopify.com/admin/orders/5940139491003", plusone.SourceShopify, "5940139491003", true},
		{"https://example.com/", "", "", false},
		{"ftp://acme.zendesk.com/agent/tickets/1", "", "", false},
		{"::not a url", "", "", false},
	}
	for _, tt := range tests {
		source, id, order, ok := memory.ParseLink(sources, nil, tt.link)
		if source != tt.source || id != tt.id || order != tt.order || ok != (tt.source != "") {
			t.Errorf("ParseLink(%s) = %s %s %v %v", tt.link, source, id, order, ok)
		}
	}
	// On a link_domains host the path alone counts, and only there.
	domains := []string{"support.acme.example"}
	for link, want := range map[string]string{
		"https://support.acme.example/agent/tickets/77":     "77",
		"https://SUPPORT.acme.example:443/agent/tickets/78": "78",
		"https://other.example/agent/tickets/79":            "",
		"https://support.acme.example/admin/orders/80":      "80", // Shopify's host-independent shape still holds
		"https://support.acme.example/help":                 "",
	} {
		_, id, _, ok := memory.ParseLink(sources, domains, link)
		if id != want || ok != (want != "") {
			t.Errorf("ParseLink(%s) with link_domains = %q %v, want %q", link, id, ok, want)
		}
	}
	if _, _, _, ok := memory.ParseLink(nil, nil, "https://acme.zendesk.com/agent/tickets/5158"); ok {
		t.Error("a link parsed with no sources")
	}
}

func TestMergeAndSplit(t *testing.T) {
	t.Parallel()
	svc, s, _ := fixture(t)
	ctx := context.Background()
	var jane, janet int64
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		for email, id := range map[string]*int64{"jane@example.com": &jane, "janet@example.com": &janet} {
			c, err := tx.CustomerByIdentity(ctx, plusone.Identity{Kind: "email", Value: email})
			if err != nil {
				return err
			}
			*id = c.ID
		}
		return nil
	}))
	fresh, err := svc.Split(ctx, jane, plusone.Identity{Kind: "shopify", Value: ""}, "x")
	if err == nil {
		t.Errorf("split of an unknown identity gave %d", fresh)
	}
	must(t, svc.Merge(ctx, jane, janet, "same person, new email"))
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		if _, err := tx.Customer(ctx, janet); !errors.Is(err, plusone.ErrNotFound) {
			t.Errorf("merged customer remains: %v", err)
		}
		return nil
	}))
	fresh, err = svc.Split(ctx, jane, plusone.Identity{Kind: "zendesk", Value: "777"}, "a colleague's requester id")
	must(t, err)
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		c, err := tx.Customer(ctx, jane)
		if err != nil {
			return err
		}
		f, err := tx.Customer(ctx, fresh)
		if err != nil {
			return err
		}
		if c.Profile.OpenTickets != 0 || f.Profile.OpenTickets != 1 || c.Profile.Orders != 1 {
			t.Errorf("profiles after split: jane %+v, new %+v", c.Profile, f.Profile)
		}
		merges, err := tx.Merges(ctx, jane)
		if err != nil || len(merges) != 2 {
			t.Errorf("merges = %+v %v", merges, err)
		}
		return nil
	}))
}
