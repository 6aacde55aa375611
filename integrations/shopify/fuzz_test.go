package shopify_test

import (
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/shopify"
)

// FuzzParse checks that Parse never panics and that whatever it accepts has
// a dedupe key. Each testdata file is seeded with the topic its name gives.
func FuzzParse(f *testing.F) {
	for _, file := range eventtest.Testdata(f) {
		f.Add(topicOf(file.Name), "evt-1", file.Body)
	}
	src := shopify.New(secret)
	f.Fuzz(func(t *testing.T, topic, eventID string, body []byte) {
		h := http.Header{}
		h.Set(shopify.HeaderTopic, topic)
		h.Set(shopify.HeaderEventID, eventID)
		h.Set(shopify.HeaderShopDomain, shop)
		d, err := src.Parse(h, body)
		if err != nil {
			if plusone.ErrorCode(err) != plusone.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if d.DedupeKey == "" {
			t.Fatal("accepted a body with an empty dedupe key")
		}
		for _, e := range d.Events {
			// Refunds name only their order; everything else names a customer.
			if e.Order == nil && len(e.Customer.Identities(e.Source)) == 0 {
				t.Fatalf("event %s names no customer", e.ID)
			}
		}
	})
}
