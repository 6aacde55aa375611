package webhook

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTags(t *testing.T) {
	t.Parallel()
	byComma := func(s string) []string {
		parts := strings.Split(s, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts
	}
	tests := []struct {
		in, want string // want as JSON; "error" for an error
	}{
		{`null`, `null`},
		{``, `null`},
		{`["vip", " late ", "", "{{x}}", 7]`, `["vip","late","7"]`},
		{`[]`, `[]`},
		{`"vip, late delivery,,"`, `["vip","late delivery"]`},
		{`""`, `[]`},
		{`"{{ticket.tags}}"`, `[]`},
		{`{"a": 1}`, `error`},
		{`[{}]`, `error`},
	}
	for _, tt := range tests {
		tags, err := Tags([]byte(tt.in), byComma)
		got := "error"
		if err == nil {
			b, _ := json.Marshal(tags)
			got = string(b)
		}
		if got != tt.want {
			t.Errorf("Tags(%s) = %s (%v), want %s", tt.in, got, err, tt.want)
		}
	}
}
