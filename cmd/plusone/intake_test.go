package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plusone-hq/plusone/integrations/shopify"
	"github.com/plusone-hq/plusone/store/postgres/pgtest"
)

// TestADeliveryIDThatIsNotUTF8 sends a Shopify webhook whose delivery id,
// a header, holds a byte that is not UTF-8 (HTTP allows it), at the same
// moment as twenty other webhooks, on both stores. On PostgreSQL, whose
// text takes only UTF-8, it got 503 on every retry of Shopify's, and
// failed with it the others that shared its group commit. Now every one
// is stored and applied, and the same delivery again is a duplicate.
func TestADeliveryIDThatIsNotUTF8(t *testing.T) {
	onBothStores(t, func(t *testing.T, app *testApp) {
		odd := shopifyEvent("orders/create", "o-\xff\xfe", `{"id":7101,"name":"#7101","email":"jane.doe@example.com",
			"created_at":"2025-01-02T10:00:00Z","currency":"USD","total_price":"240.00",
			"customer":{"id":91,"email":"jane.doe@example.com","first_name":"Jane","last_name":"Doe"},
			"line_items":[{"title":"Winter tire","quantity":2,"price":"120.00"}]}`)
		delete(odd.header, shopify.HeaderWebhookID)

		var wg sync.WaitGroup
		answers := make([]answer, 21)
		for i := range answers {
			d := odd
			if i > 0 {
				d = webhook{source: "generic", body: fmt.Sprintf(`{"id":"evt-%d","type":"ticket.created",
					"customer":{"email":"c%d@example.com"},"ticket":{"id":"T-%d","subject":"Hello"}}`, i, i, i)}
			}
			wg.Go(func() { answers[i] = app.do(app.request(d)) })
		}
		wg.Wait()
		for i, ans := range answers {
			if ans.Status/100 != 2 || !ans.OK || ans.Duplicate {
				t.Errorf("webhook %d: %+v, want accepted", i, ans)
			}
		}
		if again := app.do(app.request(odd)); again.Status/100 != 2 || !again.Duplicate || again.ID != answers[0].ID {
			t.Errorf("the Shopify delivery again: %+v, want a duplicate of event %d", again, answers[0].ID)
		}
		eventually(t, 15*time.Second, "all 21 events applied", func() bool {
			m := app.metrics()
			return strings.Contains(m, `plusone_events_processed_total{outcome="processed",source="shopify"} 1`) &&
				strings.Contains(m, `plusone_events_processed_total{outcome="processed",source="generic"} 20`)
		})
	})
}

// TestAnEventWithNULInItsTextsIsApplied: JSON may carry \u0000 in any
// string, and PostgreSQL's text takes no NUL: such an event was
// acknowledged, then failed to apply on every retry till it was parked.
// On both stores it is now applied, the NUL shown as U+FFFD.
func TestAnEventWithNULInItsTextsIsApplied(t *testing.T) {
	onBothStores(t, func(t *testing.T, app *testApp) {
		app.send(webhook{source: "generic", body: `{"id":"evt-nul","type":"ticket.created",
			"customer":{"email":"jane.nul@example.com","name":"Ja\u0000ne"},
			"ticket":{"id":"T-NUL","subject":"Hel\u0000lo"},"message":{"text":"a\u0000b"}}`})
		eventually(t, 15*time.Second, "the event applied", func() bool {
			return strings.Contains(app.metrics(), `plusone_events_processed_total{outcome="processed",source="generic"} 1`)
		})
	})
}

// onBothStores runs test, in parallel, against the service on SQLite and
// on a fresh PostgreSQL schema.
func onBothStores(t *testing.T, test func(t *testing.T, app *testApp)) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(t, nil)
			if store == "postgres" {
				env["PLUSONE_DATABASE_URL"] = pgtest.Schema(t)
			}
			test(t, startApp(t, env))
		})
	}
}
