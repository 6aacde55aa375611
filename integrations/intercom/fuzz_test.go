package intercom_test

import (
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// FuzzParse checks that Parse never panics and that whatever it accepts has
// a dedupe key (or is a ping, answered and not stored) and events that name
// their customer.
func FuzzParse(f *testing.F) {
	for _, file := range eventtest.Testdata(f) {
		f.Add(file.Body)
	}
	src := intercom.New(secret)
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := src.Parse(nil, body)
		if err != nil {
			if plusone.ErrorCode(err) != plusone.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if d.Reply != nil {
			if len(d.Events) != 0 {
				t.Fatal("a reply carries events")
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
			if e.ID == "" || e.Source != plusone.SourceIntercom {
				t.Fatalf("event without an ID or source: %+v", e)
			}
			if e.Feedback != nil && (e.Feedback.Score < 1 || e.Feedback.Score > 5) {
				t.Fatalf("CSAT score %d out of range", e.Feedback.Score)
			}
		}
	})
}
