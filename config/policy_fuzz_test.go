package config

import (
	"errors"
	"os"
	"testing"
)

// FuzzParsePolicy checks that any input gives either a policy or problems
// that each name the file, and never both or neither.
func FuzzParsePolicy(f *testing.F) {
	for _, name := range []string{"testdata/contract.yaml", "testdata/features.yaml", "testdata/errors.yaml", "testdata/lines.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("gestures: [{id: x, title: X, kind: gift, value: 1, cooldown: 1d2h}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("fuzz.yaml", data)
		if (p == nil) == (err == nil) {
			t.Fatalf("policy %v and error %v: want exactly one", p, err)
		}
		if err == nil {
			if p.Timezone == nil || p.Roles["agent"].MaxPerGesture < 0 {
				t.Fatalf("policy without timezone or agent role: %+v", p)
			}
			return
		}
		var ps PolicyProblems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("error %v is not PolicyProblems", err)
		}
		for _, pr := range ps {
			if pr.File != "fuzz.yaml" || pr.Message == "" {
				t.Fatalf("problem without file or message: %+v", pr)
			}
		}
	})
}
