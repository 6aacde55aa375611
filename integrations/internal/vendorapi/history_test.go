package vendorapi

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func TestNewestFirst(t *testing.T) {
	t.Parallel()
	at := func(h int) time.Time { return time.Date(2025, 1, 1, h, 0, 0, 0, time.UTC) }
	events := []plusone.Event{{ID: "a", OccurredAt: at(1)}, {ID: "undated"}, {ID: "c", OccurredAt: at(3)}, {ID: "b", OccurredAt: at(2)}, {ID: "b2", OccurredAt: at(2)}}
	got := NewestFirst(events, 4)
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID)
	}
	if want := []string{"c", "b", "b2", "a"}; len(ids) != len(want) || ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] || ids[3] != want[3] {
		t.Errorf("NewestFirst = %v, want %v (undated last, cut at 4, ties kept in order)", ids, want)
	}
}

func TestCleanBaseURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" https://acme.zendesk.com/ ":              "https://acme.zendesk.com",
		"https://user:secret@acme.freshdesk.com//": "https://acme.freshdesk.com",
		"https://api.intercom.io":                  "https://api.intercom.io",
		"":                                         "",
	} {
		if got := CleanBaseURL(in); got != want {
			t.Errorf("CleanBaseURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsDigits(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"42": true, "": false, "4a": false, "../1": false, "123456789012345678901": false, "-1": false} {
		if got := IsDigits(in); got != want {
			t.Errorf("IsDigits(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	find := func(found bool, err error) func(context.Context, plusone.HistoryQuery) (string, bool, error) {
		return func(context.Context, plusone.HistoryQuery) (string, bool, error) { return "c1", found, err }
	}
	read := func(err error) func(context.Context, string, plusone.HistoryQuery) ([]plusone.Event, error) {
		return func(_ context.Context, c string, _ plusone.HistoryQuery) ([]plusone.Event, error) {
			return []plusone.Event{{ID: c}}, err
		}
	}
	ctx := t.Context()
	byEmail := plusone.HistoryQuery{Email: "jane@example.com"}
	if got, err := History(ctx, "acme", "user", byEmail, find(true, nil), read(nil)); err != nil || len(got) != 1 || got[0].ID != "c1" {
		t.Errorf("History = %v, %v", got, err)
	}
	if got, err := History(ctx, "acme", "user", byEmail, find(false, nil), read(nil)); err != nil || got != nil {
		t.Errorf("History of an unknown customer = %v, %v; want nothing", got, err)
	}
	_, err := History(ctx, "acme", "user", byEmail, find(true, boom), read(nil))
	if !errors.Is(err, boom) || err.Error() != "acme history of jane@example.com: boom" {
		t.Errorf("find error = %v", err)
	}
	_, err = History(ctx, "acme", "user", plusone.HistoryQuery{Email: "jane@example.com", ExternalID: "42"}, find(true, nil), read(boom))
	if !errors.Is(err, boom) || err.Error() != "acme history of user 42: boom" {
		t.Errorf("read error = %v", err)
	}
}
