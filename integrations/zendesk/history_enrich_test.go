package zendesk_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/internal/historytest"
	"github.com/plusone-hq/plusone/integrations/option"
)

// webhookEvent parses a webhook fixture as the intake does and returns its
// first event.
func webhookEvent(t *testing.T, file string) plusone.Event {
	t.Helper()
	d, err := deliver(t, eventtest.ReadFile(t, file))
	if err != nil {
		t.Fatalf("Parse %s: %v", file, err)
	}
	if len(d.Events) == 0 {
		t.Fatalf("%s gives no events", file)
	}
	return d.Events[0]
}

func TestEnrichFillsTheRequesterAndCaches(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	api := f.api()

	e := webhookEvent(t, "event_ticket_created.json")
	if e.Customer.Email != "" {
		t.Fatalf("fixture already names the email %q", e.Customer.Email)
	}
	if err := api.Enrich(t.Context(), &e); err != nil {
		t.Fatal(err)
	}
	if g, w := eventtest.JSON(t, e.Customer), eventtest.JSON(t, jane); g != w {
		t.Errorf("Customer = %s, want %s", g, w)
	}

	// The same requester's next event is completed from the cache.
	next := webhookEvent(t, "event_comment_added.json")
	if err := api.Enrich(t.Context(), &next); err != nil {
		t.Fatal(err)
	}
	if next.Customer.Email != jane.Email || next.Customer.Name != jane.Name {
		t.Errorf("second event's Customer = %+v", next.Customer)
	}
	if n := len(f.requests(userPath)); n != 1 {
		t.Errorf("fetched the user %d times, want 1", n)
	}
}

func TestEnrichCacheExpires(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	clock := &fakeClock{now: eventtest.At("2025-01-10T12:00:00Z")}
	api := f.api(option.WithUserCache(8, time.Minute), option.WithClock(clock.Now))
	for _, step := range []time.Duration{0, 30 * time.Second, 31 * time.Second} {
		clock.Add(step)
		e := plusone.Event{Source: plusone.SourceZendesk, Customer: plusone.CustomerRef{ExternalID: janeID}}
		if err := api.Enrich(t.Context(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Customer.Email != jane.Email {
			t.Errorf("after %v: Email = %q", step, e.Customer.Email)
		}
	}
	// Fetched at 0s, cached at 30s, expired at 61s.
	if n := len(f.requests(userPath)); n != 2 {
		t.Errorf("fetched the user %d times, want 2", n)
	}
}

func TestEnrichLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	api := f.api()
	events := []plusone.Event{
		{Source: plusone.SourceZendesk, Customer: plusone.CustomerRef{Email: "max@example.org", ExternalID: janeID}},
		{Source: plusone.SourceShopify, Customer: plusone.CustomerRef{ExternalID: janeID}},
		{Source: plusone.SourceZendesk, Customer: plusone.CustomerRef{ExternalID: "not-a-zendesk-id"}},
		{Source: plusone.SourceZendesk},
	}
	for _, e := range events {
		before := eventtest.JSON(t, e)
		if err := api.Enrich(t.Context(), &e); err != nil {
			t.Fatal(err)
		}
		if after := eventtest.JSON(t, e); after != before {
			t.Errorf("Enrich changed %s into %s", before, after)
		}
	}
	if err := api.Enrich(t.Context(), nil); err != nil {
		t.Errorf("Enrich(nil) = %v", err)
	}
	if n := f.count(); n != 0 {
		t.Errorf("made %d requests, want none", n)
	}
}

func TestEnrichUnknownRequester(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	api := f.api()
	for range 2 {
		e := plusone.Event{Source: plusone.SourceZendesk, Customer: plusone.CustomerRef{ExternalID: "999"}}
		if err := api.Enrich(t.Context(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Customer.Email != "" {
			t.Errorf("Email = %q for an unknown user", e.Customer.Email)
		}
	}
	if n := len(f.requests("/api/v2/users/999.json")); n != 1 {
		t.Errorf("asked for the unknown user %d times; the answer should be cached", n)
	}
}

func TestEnrichErrors(t *testing.T) {
	t.Parallel()
	t.Run("transient", func(t *testing.T) {
		t.Parallel()
		f := newFakeZendesk(t, func(w http.ResponseWriter, r historytest.Request, n int) bool {
			historytest.WriteJSON(w, http.StatusBadGateway, `{}`)
			return true
		})
		e := plusone.Event{Source: plusone.SourceZendesk, Customer: plusone.CustomerRef{ExternalID: janeID}}
		err := f.api(option.WithRetries(1)).Enrich(t.Context(), &e)
		if code := plusone.ErrorCode(err); code != plusone.EUNAVAILABLE {
			t.Errorf("Enrich = %v (code %q), want an EUNAVAILABLE error", err, code)
		}
	})
	t.Run("refused credentials are not worth a retry", func(t *testing.T) {
		t.Parallel()
		f := newFakeZendesk(t, nil)
		e := plusone.Event{Source: plusone.SourceZendesk, Customer: plusone.CustomerRef{ExternalID: janeID}}
		if err := zendeskAPI(f, "wrong").Enrich(t.Context(), &e); err != nil {
			t.Errorf("Enrich = %v, want nil (logged)", err)
		}
	})
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// An event-subscribed ticket names its assignee by id only: Enrich finds
// her name for the card, once per agent (cached); a ticket that names its
// assignee already is left alone.
func TestEnrichNamesTheAssignee(t *testing.T) {
	t.Parallel()
	f := newFakeZendesk(t, nil)
	api := f.api()
	for _, file := range []string{"event_comment_added.json", "event_status_changed.json"} {
		e := webhookEvent(t, file)
		if e.Ticket.AssigneeID != agentID || e.Ticket.Assignee != "" {
			t.Fatalf("%s: fixture assignee %q %q", file, e.Ticket.AssigneeID, e.Ticket.Assignee)
		}
		if err := api.Enrich(t.Context(), &e); err != nil {
			t.Fatal(err)
		}
		if e.Ticket.Assignee != "Sam Support" || e.Customer.Email != jane.Email {
			t.Errorf("%s: assignee %q, customer %+v", file, e.Ticket.Assignee, e.Customer)
		}
	}
	if n := len(f.requests(agentPath)); n != 1 {
		t.Errorf("fetched the assignee %d times, want 1", n)
	}
	// A requester Zendesk does not know still gets her assignee named.
	stranger := webhookEvent(t, "event_comment_added.json")
	stranger.Customer.ExternalID = "999"
	if err := api.Enrich(t.Context(), &stranger); err != nil || stranger.Ticket.Assignee != "Sam Support" {
		t.Errorf("unknown requester: assignee %q, %v", stranger.Ticket.Assignee, err)
	}
	named := webhookEvent(t, "event_comment_added.json")
	named.Ticket.Assignee, named.Customer.Email = "Ana Agent", "jane.doe@example.com"
	before := f.count()
	if err := api.Enrich(t.Context(), &named); err != nil {
		t.Fatal(err)
	}
	if named.Ticket.Assignee != "Ana Agent" || f.count() != before {
		t.Errorf("a named assignee was looked up: %q, %d requests", named.Ticket.Assignee, f.count()-before)
	}
}
