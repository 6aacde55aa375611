package helpscout_test

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// edited is a testdata body changed by edit.
func edited(t *testing.T, file string, edit func(c map[string]any)) []byte {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(eventtest.ReadFile(t, file), &c); err != nil {
		t.Fatal(err)
	}
	edit(c)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The card's facts from a conversation: its assignee (v2) or owner (v1),
// the customer's organization, and the custom fields, a dropdown's
// option by its text.
func TestConversationFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, event string
		edit              func(c map[string]any)
		assignee, org     string
		fields            map[string]string
	}{
		{"v2 assignee", "convo.tags.json", "convo.tags", func(map[string]any) {}, "Sam Support", "", nil},
		{"unassigned", "convo.tags.json", "convo.tags", func(c map[string]any) { delete(c, "assignee") }, "", "", nil},
		{"organization and custom fields", "convo.tags.json", "convo.custom-fields", func(c map[string]any) {
			c["primaryCustomer"].(map[string]any)["organization"] = " Acme Corp "
			c["customFields"] = []any{
				map[string]any{"id": 8126, "name": "Plan", "value": "2", "text": "Gold"},
				map[string]any{"id": 8127, "name": "Order ID", "value": "#1001"},
				map[string]any{"id": 8128, "name": "Empty", "value": "", "text": ""},
				map[string]any{"id": 8129, "name": "", "value": "x"},
			}
		}, "Sam Support", "Acme Corp", map[string]string{"Plan": "Gold", "Order ID": "#1001"}},
		{"v1 owner and customer", "convo.created--v1.json", "convo.created", func(c map[string]any) {
			c["owner"] = map[string]any{"id": 256, "type": "user", "firstName": "Ana", "lastName": "Agent"}
			c["customer"].(map[string]any)["organization"] = "Mustermann GmbH"
		}, "Ana Agent", "Mustermann GmbH", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := deliver(t, tt.event, edited(t, tt.file, tt.edit))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tk := d.Events[0].Ticket
			if tk.Assignee != tt.assignee || tk.Organization != tt.org || !maps.Equal(tk.Fields, tt.fields) {
				t.Errorf("assignee %q organization %q fields %v; want %q %q %v", tk.Assignee, tk.Organization, tk.Fields, tt.assignee, tt.org, tt.fields)
			}
		})
	}
}
