package freshdesk_test

import (
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/freshdesk"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// FuzzParse checks that Parse never panics and that whatever it accepts has
// a dedupe key and events that name their customer.
func FuzzParse(f *testing.F) {
	for _, file := range eventtest.Testdata(f) {
		f.Add(file.Body)
	}
	f.Add([]byte(freshdesk.BodyTemplate()))
	src := freshdesk.New(secret)
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := src.Parse(nil, body)
		if err != nil {
			if plusone.ErrorCode(err) != plusone.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if d.DedupeKey == "" || d.Reply != nil {
			t.Fatalf("accepted a body with an empty dedupe key or a reply: %+v", d)
		}
		for _, e := range d.Events {
			if len(e.Customer.Identities(e.Source)) == 0 {
				t.Fatalf("event %s names no customer", e.ID)
			}
			if e.ID == "" || e.Source != plusone.SourceFreshdesk {
				t.Fatalf("event without an ID or source: %+v", e)
			}
			if e.Feedback != nil && (e.Feedback.Score < 1 || e.Feedback.Score > 5) {
				t.Fatalf("CSAT score %d out of range", e.Feedback.Score)
			}
		}
	})
}
