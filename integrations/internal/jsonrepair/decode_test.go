package jsonrepair

import (
	"bytes"
	"testing"

	"github.com/plusone-hq/plusone"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	ours := func(b []byte) bool { return bytes.Contains(b, []byte(`"ours"`)) }
	type probe struct {
		Ours *string `json:"ours"`
		Text string  `json:"text"`
	}
	tests := []struct {
		name, body string
		accept     bool
		wantData   string // "" = an error is wanted
		wantErr    string
	}{
		{"valid", `{"ours": "1", "text": "a"}`, true, `{"ours": "1", "text": "a"}`, ""},
		{"repaired", `{"ours": "1", "text": "say "hi""}`, true, `{"ours": "1", "text": "say \"hi\""}`, ""},
		{"not ours", `{"theirs": "1", "text": "say "hi""}`, true, "", "invalid JSON: invalid character 'h' after object key:value pair at offset 31"},
		{"not accepted", `{"ours": "1", "text": "say "hi""}`, false, "", "invalid JSON: invalid character 'h' after object key:value pair at offset 29"},
		{"beyond repair", `{"ours": "1", "text": }`, true, "", "invalid JSON: invalid character '}' looking for beginning of value at offset 23"},
		{"not a syntax error", `{"ours": 1}`, true, "", `field "ours": expected a string, got number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var p probe
			data, err := Decode([]byte(tt.body), &p, ours, func() bool { return tt.accept })
			if tt.wantErr != "" {
				if plusone.ErrorCode(err) != plusone.EINVALID || plusone.ErrorMessage(err) != tt.wantErr {
					t.Fatalf("Decode(%s) = %v, want EINVALID %q", tt.body, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(data) != tt.wantData {
				t.Fatalf("Decode(%s) = %s, %v; want %s", tt.body, data, err, tt.wantData)
			}
		})
	}
	var p probe
	if _, err := Decode([]byte(`{"ours": "1", "text": "say "hi""}`), &p, ours, nil); err != nil || p.Text != `say "hi"` {
		t.Errorf("Decode with no accept = %+v, %v", p, err)
	}
}
