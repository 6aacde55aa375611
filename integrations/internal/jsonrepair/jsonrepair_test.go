package jsonrepair

import (
	"encoding/json"
	"testing"
)

func TestRepair(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"valid JSON is unchanged", `{"a": "b\"c\\d\u00e9", "n": 1}`, `{"a": "b\"c\\d\u00e9", "n": 1}`},
		{"raw newline and tab", "{\"a\": \"x\ny\tz\"}", `{"a": "x\ny\tz"}`},
		{"other control character", "{\"a\": \"x\x01\"}", `{"a": "x\u0001"}`},
		{"inner quotes", `{"a": "say "hi" now", "b": "c"}`, `{"a": "say \"hi\" now", "b": "c"}`},
		{"inner quote before a comma", `{"a": "I said "no", twice", "b": 1}`, `{"a": "I said \"no\", twice", "b": 1}`},
		{"quote at the end of a value", `{"a": "size "M""}`, `{"a": "size \"M\""}`},
		{"stray backslash", `{"a": "C:\orders"}`, `{"a": "C:\\orders"}`},
		{"short unicode escape", `{"a": "\u12"}`, `{"a": "\\u12"}`},
		{"backslash at the end", `{"a": "x\`, `{"a": "x\\`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(Repair([]byte(tt.in)))
			if got != tt.want {
				t.Errorf("Repair(%q)\n got: %s\nwant: %s", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzRepair checks that the repair never panics and leaves correctly
// escaped bodies of the template's shape (objects of strings) unchanged.
func FuzzRepair(f *testing.F) {
	f.Add("say \"hi\" now", "x\ny")
	f.Add(`C:\orders`, "\u00e9")
	f.Fuzz(func(t *testing.T, a, b string) {
		Repair([]byte(a))
		valid, err := json.Marshal(map[string]any{"a": a, "n": map[string]string{"b": b}})
		if err != nil {
			t.Skip()
		}
		if out := Repair(valid); string(out) != string(valid) {
			t.Fatalf("changed valid JSON %s into %s", valid, out)
		}
	})
}
