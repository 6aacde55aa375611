package vendorapi

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

func TestNewestObjects(t *testing.T) {
	t.Parallel()
	at := func(h int) time.Time { return time.Date(2025, 1, 1, h, 0, 0, 0, time.UTC) }
	ev := func(id string, h int) plusone.Event {
		if h < 0 {
			return plusone.Event{ID: id}
		}
		return plusone.Event{ID: id, OccurredAt: at(h)}
	}
	objects := [][]plusone.Event{
		{ev("a", 1)},
		{ev("undated", -1)},
		nil, // an object that gave no events
		// Rated later than the newest object was created: the rating is
		// the newest event, the ticket the second newest object.
		{ev("c", 3), ev("c:rated", 9)},
		{ev("b", 2)},
		{ev("b2", 2)},
		{ev("d", 4)},
	}
	ids := func(events []plusone.Event) []string {
		var out []string
		for _, e := range events {
			out = append(out, e.ID)
		}
		return out
	}
	tests := []struct {
		limit int
		want  []string
	}{
		{3, []string{"c:rated", "d", "c", "b"}},
		{4, []string{"c:rated", "d", "c", "b", "b2"}},
		{0, []string{"c:rated", "d", "c", "b", "b2", "a", "undated"}},
		{100, []string{"c:rated", "d", "c", "b", "b2", "a", "undated"}},
	}
	for _, tt := range tests {
		if got := ids(NewestObjects(objects, tt.limit)); !slices.Equal(got, tt.want) {
			t.Errorf("NewestObjects(limit %d) = %v, want %v (objects whole, newest first, undated last, ties in order)", tt.limit, got, tt.want)
		}
	}
	if objects[2] != nil || objects[3][0].ID != "c" {
		t.Error("NewestObjects changed its argument")
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

func TestPickByEmail(t *testing.T) {
	t.Parallel()
	type person struct{ id, email string }
	of := func(p *person) (string, string) { return p.id, p.email }
	jane, other := person{"1", "Jane@Example.com"}, person{"2", "jane.doe@example.com"}
	tests := []struct {
		name  string
		found []person
		want  string // the id chosen; "" = none
	}{
		{"none", nil, ""},
		{"primary email", []person{other, jane}, "1"},
		{"the only one", []person{other}, "2"},
		{"several, none primary", []person{other, {"3", "x@example.com"}}, ""},
		{"primary but not numeric", []person{{"a1", "jane@example.com"}, other}, ""},
		{"the only one, not numeric", []person{{"a1", "x@example.com"}}, ""},
	}
	for _, tt := range tests {
		got := PickByEmail(tt.found, "jane@example.com", of)
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("%s: PickByEmail = %+v, want nil", tt.name, *got)
		case tt.want != "" && (got == nil || got.id != tt.want):
			t.Errorf("%s: PickByEmail = %+v, want id %s", tt.name, got, tt.want)
		}
	}
	found := []person{jane}
	if got := PickByEmail(found, "jane@example.com", of); got != &found[0] {
		t.Errorf("PickByEmail does not point into found")
	}
}
