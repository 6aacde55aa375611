package prompts

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Check lists the endpoint's models: it passes when the configured model is
// offered, and fails saying what to check when the key is refused, the
// model is not offered or nothing answers.
func TestCheck(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/v1/models" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if r.Header.Get("Authorization") != "Bearer sk-good" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"small-model","object":"model"},{"id":"big-model","object":"model"}]}`))
	}))
	defer srv.Close()
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	for _, tc := range []struct {
		name, key, base, model, want string
	}{
		{"offered", "sk-good", srv.URL + "/v1", "small-model", ""},
		{"wrong key", "sk-bad", srv.URL + "/v1", "small-model", "check PLUSONE_OPENAI_BASE_URL and PLUSONE_OPENAI_API_KEY"},
		{"model not offered", "sk-good", srv.URL + "/v1", "other-model", `does not offer the model "other-model"; check PLUSONE_OPENAI_MODEL`},
		{"no answer", "sk-good", dead.URL + "/v1", "small-model", "list models"},
		{"rules only", "", "", "small-model", ""},
	} {
		err := New(tc.key, tc.base, tc.model, nil).Check(context.Background())
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want it to pass", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}
