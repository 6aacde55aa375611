package server

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// A webhook's answer is written without reflection, as encode writes it.
func TestWebhookAnswerIsWhatEncodeWrites(t *testing.T) {
	for _, a := range []webhookAnswer{{}, {OK: true, ID: 1}, {OK: true, ID: 42, Duplicate: true}, {ID: -7}, {OK: true, ID: math.MaxInt64}} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(a); err != nil {
			t.Fatal(err)
		}
		if got := a.appendJSON(nil); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%+v: got %q, want %q", a, got, want.Bytes())
		}
	}
}
