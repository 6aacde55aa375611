package generic_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/generic"
)

// FuzzParse checks that Parse never panics and that whatever it accepts has
// a dedupe key and events that name their customer.
func FuzzParse(f *testing.F) {
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
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
