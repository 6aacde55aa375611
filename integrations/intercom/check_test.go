package intercom_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone/integrations/intercom"
	"github.com/plusone-hq/plusone/integrations/option"
)

// Check makes one authenticated read: it passes when the API answers it,
// and after a 401 names the credentials to check.
func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		want   string
	}{
		{"answered", http.StatusOK, ""},
		{"refused", http.StatusUnauthorized, "PLUSONE_INTERCOM_ACCESS_TOKEN"},
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
			_, _ = w.Write([]byte(`{"type":"admin","id":"1"}`))
		}))
		url := srv.URL
		err := intercom.NewAPI(url, "token", option.WithRetries(0)).Check(context.Background())
		srv.Close()
		if len(asked) != 1 || !strings.HasSuffix(asked[0], "/me") {
			t.Errorf("%s: asked %q, want one read of /me", tc.name, asked)
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want it to pass", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
}
