package zendesk_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone/integrations/option"
	"github.com/plusone-hq/plusone/integrations/zendesk"
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
		{"refused", http.StatusUnauthorized, "PLUSONE_ZENDESK_API_TOKEN"},
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
			_, _ = w.Write([]byte(`{"user":{"id":42}}`))
		}))
		url := srv.URL
		err := zendesk.NewAPI(url, "ops@example.com", "token", option.WithRetries(0)).Check(context.Background())
		srv.Close()
		if len(asked) != 1 || !strings.HasSuffix(asked[0], "/api/v2/users/me.json") {
			t.Errorf("%s: asked %q, want one read of /api/v2/users/me.json", tc.name, asked)
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want it to pass", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
}
