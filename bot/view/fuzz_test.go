package view

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// FuzzSaveNoteMetadata: whatever the message, its metadata fits Slack's
// 3000 characters and reads back; only the text is ever cut.
func FuzzSaveNoteMetadata(f *testing.F) {
	f.Add("Fridays only", "https://acme.slack.com/archives/C0/p1", "C0")
	f.Add(strings.Repeat("<&>\"\\\n🎉", 1000), strings.Repeat("&", 900), strings.Repeat("C", 99))
	f.Add("\xff\xfe\u2028", "", "")
	f.Fuzz(func(t *testing.T, text, link, channel string) {
		s := SaveNoteMetadata(SaveNoteMeta{Text: text, Link: link, Channel: channel})
		if n := length(s); n > maxPrivateMetadata {
			t.Fatalf("metadata is %d characters", n)
		}
		got, err := ParseSaveNoteMetadata(s)
		if err != nil {
			t.Fatal(err)
		}
		if got.Channel != "" && utf8.ValidString(channel) && got.Channel != channel {
			t.Errorf("channel %q became %q", channel, got.Channel)
		}
	})
}

// FuzzParseNoteMetadata: any private_metadata is parsed or refused, and
// what parses names a customer.
func FuzzParseNoteMetadata(f *testing.F) {
	f.Add(`{"customer_id":42,"channel":"C0","thread_ts":"1.2"}`)
	f.Add(`{"customer_id":-1}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseNoteMetadata(s)
		if err == nil && m.CustomerID <= 0 {
			t.Errorf("%q parsed without a customer", s)
		}
		_, _ = ParseSaveNoteMetadata(s)
	})
}

// FuzzViews: whatever the names and texts, every view fits Slack.
func FuzzViews(f *testing.F) {
	f.Add("Jane Doe", "jane@example.com", "Prefers calls", "https://x.example/1", "looked her up")
	f.Add("", "", "", "", "")
	f.Add(strings.Repeat("&<>", 700), strings.Repeat("🎉", 2000), strings.Repeat("<!channel> ", 500), "javascript:alert(1)", "\x00\u202e")
	f.Fuzz(func(t *testing.T, name, email, text, link, what string) {
		c := plusone.Customer{ID: 1, Name: name, Email: email}
		n := plusone.Note{Author: name, Text: text, Link: link, CreatedAt: now}
		for label, m := range map[string]Message{
			"choice":     ChoiceMessage(text, []plusone.Customer{c, c}, true),
			"no match":   NoMatchMessage(text),
			"note saved": NoteSavedMessage(name, n),
		} {
			if err := Validate(m); err != nil {
				t.Errorf("%s: %v", label, err)
			}
		}
		if err := ValidateView(NoteModal(name, NoteMeta{CustomerID: 1, Channel: text, ThreadTS: link})); err != nil {
			t.Errorf("note modal: %v", err)
		}
		if err := ValidateView(SaveNoteModal(SaveNoteMeta{Text: text, Link: link, Channel: email})); err != nil {
			t.Errorf("save-note modal: %v", err)
		}
		h := viewtest.RichHome()
		h.Recent[0].Customer, h.Recent[0].What = c, what
		h.Notes = append(h.Notes, n)
		if err := ValidateView(HomeView(h, plusone.HomeGestures{})); err != nil {
			t.Errorf("home: %v", err)
		}
		card := viewtest.RichCard()
		card.View.Customer.Name = name
		card.View.Notes = append(card.View.Notes, n)
		card.Signals[0].Evidence = text
		if err := Validate(Message{Text: "x", Blocks: UnfurlBlocks(card)}); err != nil {
			t.Errorf("unfurl: %v", err)
		}
		if err := Validate(CardMessage(card)); err != nil {
			t.Errorf("card: %v", err)
		}
	})
}
