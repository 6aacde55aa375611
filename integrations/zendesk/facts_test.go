package zendesk_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/plusone-hq/plusone/integrations/internal/eventtest"
)

// The card's facts from a trigger body: the assignee's and organization's
// names and the plan as rendered ("-" and "" are none), and the custom
// fields the admin added under "fields", empty ones left out. Events of
// the event-subscribed webhook carry only ids, and no facts.
func TestTriggerFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		ticket              string // added to the trigger's ticket object
		assignee, org, plan string
		fields              map[string]string
	}{
		{"none", ``, "", "", "", nil},
		{"all", `"assignee":"Ana Agent","organization":"Acme Corp","plan":"Enterprise",
			"fields":{"Order ID":"#1001","Region":"EU","Empty":"","Dash":"-"}`,
			"Ana Agent", "Acme Corp", "Enterprise", map[string]string{"Order ID": "#1001", "Region": "EU"}},
		{"unassigned, no organization", `"assignee":"","organization":"-","plan":""`, "", "", "", nil},
		{"numbers as rendered", `"fields":{"Seats":12,"VIP":true}`, "", "", "", map[string]string{"Seats": "12", "VIP": "true"}},
	}
	base := string(eventtest.ReadFile(t, "trigger_created.json"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := base
			if tt.ticket != "" {
				body = strings.Replace(base, `"ticket": {`, `"ticket": {`+tt.ticket+`,`, 1)
			}
			d, err := deliver(t, []byte(body))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tk := d.Events[0].Ticket
			if tk.Assignee != tt.assignee || tk.Organization != tt.org || tk.Plan != tt.plan || !maps.Equal(tk.Fields, tt.fields) {
				t.Errorf("facts %q %q %q %v; want %q %q %q %v", tk.Assignee, tk.Organization, tk.Plan, tk.Fields,
					tt.assignee, tt.org, tt.plan, tt.fields)
			}
		})
	}
	d, err := deliver(t, eventtest.ReadFile(t, "event_ticket_created.json"))
	if err != nil {
		t.Fatal(err)
	}
	if tk := d.Events[0].Ticket; tk.Assignee != "" || tk.Organization != "" || tk.Fields != nil {
		t.Errorf("an event-subscribed ticket has facts: %+v", tk)
	}
}
