package intercom_test

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// withItem is a testdata notification whose data.item was changed by edit.
func withItem(t *testing.T, file string, edit func(item map[string]any)) []byte {
	t.Helper()
	var n map[string]any
	if err := json.Unmarshal(eventtest.ReadFile(t, file), &n); err != nil {
		t.Fatal(err)
	}
	edit(n["data"].(map[string]any)["item"].(map[string]any))
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The card's facts from a conversation: the admin or team assigned (the
// newest assignment part, else the conversation's assignee) and its
// custom attributes that read as text.
func TestConversationFacts(t *testing.T) {
	t.Parallel()
	assignment := func(id string, at int64, name string) map[string]any {
		return map[string]any{"type": "conversation_part", "id": id, "part_type": "assignment", "created_at": at,
			"author":      map[string]any{"type": "admin", "id": "1", "name": "Bot"},
			"assigned_to": map[string]any{"type": "admin", "id": "2", "name": name}}
	}
	tests := []struct {
		name     string
		edit     func(item map[string]any)
		assignee string
		fields   map[string]string
	}{
		{"none", func(map[string]any) {}, "", nil},
		{"assignee", func(it map[string]any) {
			it["assignee"] = map[string]any{"type": "admin", "id": "2", "name": " Sam Support ", "email": "sam@tires.example"}
		}, "Sam Support", nil},
		{"team assignee", func(it map[string]any) {
			it["assignee"] = map[string]any{"type": "team", "id": "5", "name": "Tier 2"}
		}, "Tier 2", nil},
		{"nobody", func(it map[string]any) {
			it["assignee"] = map[string]any{"type": "nobody_admin", "id": "0", "name": "Nobody"}
		}, "", nil},
		{"the newest assignment part wins", func(it map[string]any) {
			it["assignee"] = map[string]any{"type": "admin", "id": "2", "name": "Old Owner"}
			parts := it["conversation_parts"].(map[string]any)
			parts["conversation_parts"] = append(parts["conversation_parts"].([]any),
				assignment("p2", 1736348600, "Ana Agent"), assignment("p1", 1736348500, "Earlier Agent"))
		}, "Ana Agent", nil},
		{"custom attributes", func(it map[string]any) {
			it["custom_attributes"] = map[string]any{"Plan": "Gold", "Seats": 12, "Priority customer": true, "Tags": []any{"a"},
				"Empty": "", "Note": nil, "Ratio": 0.5}
		}, "", map[string]string{"Plan": "Gold", "Seats": "12", "Priority customer": "true", "Ratio": "0.5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := deliver(t, withItem(t, "conversation.admin.replied.json", tt.edit))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tk := d.Events[0].Ticket
			if tk.Assignee != tt.assignee || !maps.Equal(tk.Fields, tt.fields) {
				t.Errorf("assignee %q fields %v; want %q %v", tk.Assignee, tk.Fields, tt.assignee, tt.fields)
			}
		})
	}
}
