package view

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNoteMetadataRoundTrip(t *testing.T) {
	t.Parallel()
	for _, m := range []NoteMeta{
		{CustomerID: 42, Channel: "C0CARDS", ThreadTS: "1795180000.000100"},
		{CustomerID: 1},
	} {
		s := NoteMetadata(m)
		got, err := ParseNoteMetadata(s)
		if err != nil || got != m {
			t.Errorf("%+v -> %s -> %+v, %v", m, s, got, err)
		}
	}
	if s := NoteMetadata(NoteMeta{CustomerID: 42, Channel: "C0CARDS", ThreadTS: "1.2"}); s != `{"customer_id":42,"channel":"C0CARDS","thread_ts":"1.2"}` {
		t.Errorf("encoded as %s", s)
	}
	// Implausible ids are dropped, never pushing the metadata past the limit.
	s := NoteMetadata(NoteMeta{CustomerID: 42, Channel: strings.Repeat("C", 5000), ThreadTS: strings.Repeat("1", 5000)})
	if got, err := ParseNoteMetadata(s); err != nil || got != (NoteMeta{CustomerID: 42}) {
		t.Errorf("%s -> %+v, %v", s, got, err)
	}
	for _, bad := range []string{"", "{", `{"customer_id":0}`, `{"customer_id":-3}`, `{"customer_id":"42"}`, `[]`} {
		if _, err := ParseNoteMetadata(bad); err == nil {
			t.Errorf("ParseNoteMetadata(%q) succeeded", bad)
		}
	}
}

func TestSaveNoteMetadataRoundTrip(t *testing.T) {
	t.Parallel()
	for _, m := range []SaveNoteMeta{
		{Text: "Fridays only\n<b>&</b> \"quoted\" \\ 🎉", Link: "https://acme.slack.com/archives/C0/p1?a=1&b=2", Channel: "C0"},
		{},
		{Text: strings.Repeat("x", 2900)},
	} {
		s := SaveNoteMetadata(m)
		got, err := ParseSaveNoteMetadata(s)
		if err != nil || got != m {
			t.Errorf("%+v -> %s -> %+v, %v", m, s, got, err)
		}
	}
	for _, bad := range []string{"", "nope", `{"text":1}`} {
		if _, err := ParseSaveNoteMetadata(bad); err == nil {
			t.Errorf("ParseSaveNoteMetadata(%q) succeeded", bad)
		}
	}
}

func TestSaveNoteMetadataTruncatesToTheLimit(t *testing.T) {
	t.Parallel()
	link := "https://acme.slack.com/archives/C0CARDS/p1795180000000100"
	tests := map[string]string{
		"ascii":         strings.Repeat("a", 10000),
		"escaped":       strings.Repeat("<&>\"\\\n", 2000), // 2 to 6 characters each in JSON
		"emoji":         strings.Repeat("🎉", 3000),         // 2 UTF-16 units each
		"just too long": strings.Repeat("b", maxPrivateMetadata-len(`{"text":"","link":"`+link+`","channel":"C0CARDS"}`)+1),
		"invalid utf-8": strings.Repeat("\xff", 4000),
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := SaveNoteMetadata(SaveNoteMeta{Text: text, Link: link, Channel: "C0CARDS"})
			if n := length(s); n > maxPrivateMetadata {
				t.Fatalf("metadata is %d characters, want at most %d", n, maxPrivateMetadata)
			}
			if n := length(s); n < maxPrivateMetadata-100 {
				t.Errorf("metadata is %d characters: cut far more than needed", n)
			}
			got, err := ParseSaveNoteMetadata(s)
			if err != nil {
				t.Fatal(err)
			}
			if got.Link != link || got.Channel != "C0CARDS" {
				t.Errorf("link %q, channel %q lost", got.Link, got.Channel)
			}
			if !strings.HasSuffix(got.Text, "…") || !utf8.ValidString(got.Text) {
				t.Errorf("text not cut with an ellipsis: …%q", got.Text[max(0, len(got.Text)-20):])
			}
		})
	}

	// A monstrous link is dropped before the text is cut.
	s := SaveNoteMetadata(SaveNoteMeta{Text: "short", Link: "https://x.example/?" + strings.Repeat("&", 1000)})
	if got, _ := ParseSaveNoteMetadata(s); got.Text != "short" || got.Link != "" {
		t.Errorf("got %+v", got)
	}
}
