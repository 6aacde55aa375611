package freshdesk_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// The card's facts from a rule's body: the agent the ticket is assigned
// to, the requester's company and the custom fields the admin added under
// "fields" ({{ticket.cf_…}}), empty ones left out.
func TestBodyFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, replace, with string
		assignee, company   string
		fields              map[string]string
	}{
		{"assigned", "", "", "Sam Support", "", nil},
		{"company and fields", `"ticket": {`, `"company": {"name": " Tires Co "}, "ticket": {"fields": {"plan": "Gold", "cf_region": "EU", "none": ""},`,
			"Sam Support", "Tires Co", map[string]string{"plan": "Gold", "cf_region": "EU"}},
		{"unassigned", `"name": "Sam Support"`, `"name": ""`, "", "", nil},
	}
	base := string(eventtest.ReadFile(t, "agent_replied.json"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := base
			if tt.replace != "" {
				if !strings.Contains(base, tt.replace) {
					t.Fatalf("testdata lacks %s", tt.replace)
				}
				body = strings.Replace(base, tt.replace, tt.with, 1)
			}
			d, err := deliver(t, []byte(body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tk := d.Events[0].Ticket
			if tk.Assignee != tt.assignee || tk.Organization != tt.company || !maps.Equal(tk.Fields, tt.fields) {
				t.Errorf("facts %q %q %v; want %q %q %v", tk.Assignee, tk.Organization, tk.Fields, tt.assignee, tt.company, tt.fields)
			}
		})
	}
}
