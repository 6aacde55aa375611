package plusone_test

import (
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
)

func TestTicketWorkValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		w    plusone.TicketWork
		ok   bool
	}{
		{"reply", plusone.TicketWork{Kind: plusone.TicketReply, TicketKey: "zendesk:1", Agent: "U1", Text: "Hi"}, true},
		{"empty reply", plusone.TicketWork{Kind: plusone.TicketReply, TicketKey: "zendesk:1", Agent: "U1", Text: "  "}, false},
		{"note", plusone.TicketWork{Kind: plusone.TicketNote, TicketKey: "freshdesk:2", Agent: "U1", Text: "x"}, true},
		{"assign", plusone.TicketWork{Kind: plusone.TicketAssign, TicketKey: "intercom:3", Agent: "U1"}, true},
		{"no agent", plusone.TicketWork{Kind: plusone.TicketAssign, TicketKey: "intercom:3"}, false},
		{"shopify", plusone.TicketWork{Kind: plusone.TicketAssign, TicketKey: "shopify:3", Agent: "U1"}, false},
		{"no id", plusone.TicketWork{Kind: plusone.TicketAssign, TicketKey: "zendesk:", Agent: "U1"}, false},
		{"solved", plusone.TicketWork{Kind: plusone.TicketSetStatus, TicketKey: "zendesk:1", Agent: "U1", Status: plusone.StatusSolved}, true},
		{"create", plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: "zendesk", Agent: "U1", Customer: "Jane@Example.com", Subject: "Tires", Text: "Late"}, true},
		{"create with an id", plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: "zendesk:1", Agent: "U1", Customer: "jane@example.com", Subject: "Tires", Text: "Late"}, false},
		{"create at shopify", plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: "shopify", Agent: "U1", Customer: "jane@example.com", Subject: "Tires", Text: "Late"}, false},
		{"create for no email", plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: "zendesk", Agent: "U1", Customer: "jane", Subject: "Tires", Text: "Late"}, false},
		{"create with no subject", plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: "zendesk", Agent: "U1", Customer: "jane@example.com", Subject: " ", Text: "Late"}, false},
		{"create with a long subject", plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: "zendesk", Agent: "U1", Customer: "jane@example.com", Subject: strings.Repeat("x", 251), Text: "Late"}, false},
		{"create with no text", plusone.TicketWork{Kind: plusone.TicketCreate, TicketKey: "zendesk", Agent: "U1", Customer: "jane@example.com", Subject: "Tires"}, false},
		{"snooze on zendesk", plusone.TicketWork{Kind: plusone.TicketSetStatus, TicketKey: "zendesk:1", Agent: "U1", Status: plusone.StatusSnoozed}, false},
		{"snooze on intercom", plusone.TicketWork{Kind: plusone.TicketSetStatus, TicketKey: "intercom:1", Agent: "U1", Status: plusone.StatusSnoozed}, true},
		{"pending on intercom", plusone.TicketWork{Kind: plusone.TicketSetStatus, TicketKey: "intercom:1", Agent: "U1", Status: plusone.StatusPending}, false},
		{"unknown kind", plusone.TicketWork{Kind: "escalate", TicketKey: "zendesk:1", Agent: "U1"}, false},
	}
	for _, tt := range tests {
		if err := tt.w.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate = %v, want ok %v", tt.name, err, tt.ok)
		} else if err != nil && plusone.ErrorCode(err) != plusone.EINVALID {
			t.Errorf("%s: code %s", tt.name, plusone.ErrorCode(err))
		}
	}
}
