package vendorapi

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/plusone-hq/plusone"
)

// History runs the two steps of a vendor's History: find the customer of
// q (found is false when the vendor does not know her: no events, no
// error), then read her past. Errors name the vendor ("zendesk") and
// whom they concern: q.Email, or idKind ("user") and q.ExternalID when it
// is set.
func History[C any](ctx context.Context, vendor, idKind string, q plusone.HistoryQuery,
	find func(context.Context, plusone.HistoryQuery) (c C, found bool, err error),
	read func(context.Context, C, plusone.HistoryQuery) ([]plusone.Event, error),
) ([]plusone.Event, error) {
	who := q.Email
	if q.ExternalID != "" {
		who = idKind + " " + q.ExternalID
	}
	c, found, err := find(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s history of %s: %w", vendor, who, err)
	}
	if !found {
		return nil, nil
	}
	events, err := read(ctx, c, q)
	if err != nil {
		return nil, fmt.Errorf("%s history of %s: %w", vendor, who, err)
	}
	return events, nil
}

// NewestObjects keeps the limit newest objects of a history (tickets,
// conversations, orders) and returns all their events, newest first and
// undated last. Each object is given as its events, its own event first (a
// ticket.created, then that ticket's rating): an object is as old as that
// event, and is kept or dropped whole, so that a limit never keeps a
// rating without its ticket. A limit of zero or less keeps every object.
func NewestObjects(objects [][]plusone.Event, limit int) []plusone.Event {
	objects = slices.DeleteFunc(slices.Clone(objects), func(o []plusone.Event) bool { return len(o) == 0 })
	slices.SortStableFunc(objects, func(a, b []plusone.Event) int { return newer(a[0], b[0]) })
	if limit > 0 && len(objects) > limit {
		objects = objects[:limit]
	}
	var events []plusone.Event
	for _, o := range objects {
		events = append(events, o...)
	}
	slices.SortStableFunc(events, newer)
	return events
}

// newer orders a before b when it is newer; undated events come last.
func newer(a, b plusone.Event) int {
	if a.OccurredAt.IsZero() != b.OccurredAt.IsZero() {
		if a.OccurredAt.IsZero() {
			return 1
		}
		return -1
	}
	return cmp.Compare(b.OccurredAt.UnixNano(), a.OccurredAt.UnixNano())
}

// CleanBaseURL trims a base URL and drops any user info, so that no
// credential travels in URLs or shows in errors.
func CleanBaseURL(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		s = u.String()
	}
	return s
}

// PickByEmail chooses, of the people a search by email found, the one
// whose primary email is email (normalized) or, failing that, the only one
// found, as searches also match secondary emails; one whose id is not
// numeric (IsDigits) is never chosen. of gives a person's id and primary
// email. It returns nil when none is chosen.
func PickByEmail[P any](found []P, email string, of func(*P) (id, primary string)) *P {
	for i := range found {
		if id, primary := of(&found[i]); IsDigits(id) && plusone.NormalizeEmail(primary) == email {
			return &found[i]
		}
	}
	if len(found) == 1 {
		if id, _ := of(&found[0]); IsDigits(id) {
			return &found[0]
		}
	}
	return nil
}

// IsDigits reports whether s is a non-empty run of at most 20 ASCII digits,
// as numeric vendor ids are; anything else never reaches a request path.
func IsDigits(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
