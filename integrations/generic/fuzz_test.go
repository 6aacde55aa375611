package generic_test

import (
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/generic"
	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// FuzzParse checks that Parse never panics and that whatever it accepts has
// a dedupe key and events that name their customer.
func FuzzParse(f *testing.F) {
	for _, file := range eventtest.Testdata(f) {
		f.Add(file.Body)
	}
	src := generic.New(secret)
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := src.Parse(nil, body)
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
		}
	})
}
