package helpscout

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestTagAndValueLists(t *testing.T) {
	tests := []struct {
		name, in   string
		tags, vals []string
		wantErr    bool
	}{
		{"null", `null`, nil, nil, false},
		{"strings (v1)", `["vip", "", "refund"]`, []string{"vip", "refund"}, []string{"vip", "refund"}, false},
		{"objects (v2) with other fields", `[{"id": 7, "tag": "vip", "color": {"hex": "#fff"}}, {"name": "late"}]`,
			[]string{"vip", "late"}, []string{}, false},
		{"values", `[{"value": "a@example.com", "type": "work"}, {"value": 5551234}]`,
			[]string{}, []string{"a@example.com", "5551234"}, false},
		{"not an array", `{"tag": "vip"}`, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tags tagList
			var vals valueList
			errT, errV := json.Unmarshal([]byte(tt.in), &tags), json.Unmarshal([]byte(tt.in), &vals)
			if tt.wantErr {
				if errT == nil || errV == nil {
					t.Fatalf("errors = %v, %v; want both", errT, errV)
				}
				return
			}
			if errT != nil || errV != nil {
				t.Fatalf("errors = %v, %v", errT, errV)
			}
			if !slices.Equal(tags, tt.tags) || !slices.Equal(vals, tt.vals) {
				t.Errorf("tags = %q, values = %q; want %q, %q", tags, vals, tt.tags, tt.vals)
			}
		})
	}
}
