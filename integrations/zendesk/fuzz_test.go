package zendesk_test

import (
	"net/http"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
	"github.com/plusone-hq/plusone/integrations/zendesk"
)

// FuzzParse checks that Parse never panics and that whatever it accepts has
// a dedupe key and events that name their customer.
func FuzzParse(f *testing.F) {
	for _, file := range eventtest.Testdata(f) {
		f.Add(file.Body, true)
		f.Add(file.Body, false)
	}
	f.Add([]byte(zendesk.TriggerTemplate()), false)
	src := zendesk.New(secret, zendesk.WithBaseURL("https://tires.zendesk.com"))
	f.Fuzz(func(t *testing.T, body []byte, withInvocation bool) {
		h := http.Header{}
		if withInvocation {
			h.Set(zendesk.HeaderInvocationID, "8350205582")
		}
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
			if len(e.Customer.Identities(e.Source)) == 0 {
				t.Fatalf("event %s names no customer", e.ID)
			}
			if e.ID == "" {
				t.Fatal("event without an ID")
			}
		}
	})
}
