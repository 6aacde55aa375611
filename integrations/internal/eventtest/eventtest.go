// Package eventtest holds the assertions and fixture readers that the tests
// of integrations/* share: events compared field by field through their
// JSON form, errors by code and message, and testdata files.
package eventtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// AssertEvents compares events field by field through their JSON form. The
// wanted events get source as their Source, so tables need not repeat it;
// every time must be in UTC.
func AssertEvents(t testing.TB, source plusone.Source, got, want []plusone.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d:\n got: %s", len(got), len(want), JSON(t, got))
	}
	for i := range want {
		want[i].Source = source
		if g, w := JSON(t, got[i]), JSON(t, want[i]); g != w {
			t.Errorf("event %d mismatch\n got: %s\nwant: %s", i, g, w)
		}
		if !got[i].OccurredAt.IsZero() && got[i].OccurredAt.Location() != time.UTC {
			t.Errorf("event %d: OccurredAt %v is not in UTC", i, got[i].OccurredAt)
		}
	}
}

// AssertError checks that err has code and a message that contains want.
func AssertError(t testing.TB, err error, code, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if got := plusone.ErrorCode(err); got != code {
		t.Errorf("code = %q, want %q (%v)", got, code, err)
	}
	if msg := plusone.ErrorMessage(err); !strings.Contains(msg, want) {
		t.Errorf("message = %q, want it to contain %q", msg, want)
	}
}

// JSON returns v as JSON.
func JSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ReadFile returns the file testdata/name of the package under test.
func ReadFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// At parses an RFC 3339 time; it panics on a typo in a test table.
func At(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// File is a file of testdata.
type File struct {
	Name string
	Body []byte
}

// Testdata returns the files directly in the testdata directory of the
// package under test, in name order: the seeds of its fuzz tests.
func Testdata(t testing.TB) []File {
	t.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, File{Name: e.Name(), Body: b})
	}
	return files
}
