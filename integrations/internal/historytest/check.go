package historytest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// CheckCase describes a vendor API's live check (`plusone check --live`):
// one authenticated read.
type CheckCase struct {
	// Path is the end of the path the check reads, e.g. "/api/v2/users/me.json".
	Path string
	// Answer is the vendor's documented answer to it.
	Answer string
	// Credentials names the variable that a 401 must point to.
	Credentials string
	// Check runs the check of a client built for the API at url (with no
	// retries).
	Check func(ctx context.Context, url string) error
}

// RunCheck tests that the check makes one read of c.Path, passes when the
// API answers it, and after a 401 names the credentials to check.
func RunCheck(t *testing.T, c CheckCase) {
	t.Helper()
	for _, tc := range []struct {
		name   string
		status int
		want   string
	}{
		{"answered", http.StatusOK, ""},
		{"refused", http.StatusUnauthorized, c.Credentials},
	} {
		var asked []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			asked = append(asked, r.Method+" "+r.URL.Path)
			w.Header().Set("Content-Type", "application/json")
			if tc.status != http.StatusOK {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"errors":"Unauthorized"}`))
				return
			}
			_, _ = w.Write([]byte(c.Answer))
		}))
		err := c.Check(context.Background(), srv.URL)
		srv.Close()
		if len(asked) != 1 || !strings.HasSuffix(asked[0], c.Path) {
			t.Errorf("%s: asked %q, want one read of %s", tc.name, asked, c.Path)
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want it to pass", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
}
