package view

import (
	"strings"
	"testing"

	"github.com/plusone-hq/plusone"
)

func TestTicketWorkMessages(t *testing.T) {
	t.Parallel()
	goldenMessage(t, "ticket_work_done", TicketWorkMessage("Replied by Ana Agent · 14:02", true))
	goldenMessage(t, "ticket_work_failed", TicketWorkMessage("Could not assign you to Zendesk ticket 5158: Zendesk has no agent with your Slack email bob@elsewhere.example", false))
	if m := TicketWorkMessage(strings.Repeat("<&>", 5000), false); Validate(m) != nil {
		t.Errorf("a long result breaks Slack's limits: %v", Validate(m))
	}
}

// The status select's values round-trip; sources plusone cannot act on
// get no controls.
func TestTicketControls(t *testing.T) {
	t.Parallel()
	for _, s := range plusone.TicketStatuses(plusone.SourceIntercom) {
		key, got, ok := DecodeStatus(EncodeStatus("intercom:215473853299345", s))
		if !ok || key != "intercom:215473853299345" || got != s {
			t.Errorf("DecodeStatus(EncodeStatus(%s)) = %q %q %v", s, key, got, ok)
		}
	}
	if _, _, ok := DecodeStatus("solved"); ok {
		t.Error("a value without a ticket decoded")
	}
	for _, src := range []plusone.Source{plusone.SourceShopify, plusone.SourceGeneric} {
		if c := TicketControls(src, string(src)+":1"); c != nil {
			t.Errorf("%s tickets get controls", src)
		}
	}
	for _, src := range []plusone.Source{plusone.SourceZendesk, plusone.SourceHelpScout} {
		if c := TicketControls(src, string(src)+":1"); len(c) != 3 {
			t.Errorf("%s controls: %d", src, len(c))
		}
	}
}
