package view_test

import (
	"slices"
	"testing"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot"
	"github.com/plusone-hq/plusone/bot/view"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// Every action id the views render is handled by the Slack app (or is a
// modal input read on submission), and every handled action id is
// rendered somewhere. (bot's TestManifestMatchesHandlers holds the
// handled ids to the app manifest.)
func TestRenderedActionsAreHandled(t *testing.T) {
	t.Parallel()
	h := bot.Handled()
	rendered := map[string]bool{}
	card := view.GestureCard()
	request := view.PendingEntry()
	for _, v := range []any{
		view.CardMessage(card).Blocks, view.LookupMessage(viewtest.LookupCard()).Blocks, view.ChoiceMessage("jan", viewtest.SampleCustomers(), true).Blocks,
		view.HelpMessage().Blocks, view.HomeView(viewtest.RichHome(), view.SupervisorGestures(), view.FeedbackHomeBlocks(true)...), view.UnfurlBlocks(card),
		view.NoteModal("Jane Doe", view.NoteMeta{CustomerID: 1}), view.SaveNoteModal(view.SaveNoteMeta{Text: "x"}),
		view.ApprovalRequestMessage(request, "Jane", "Jane · Loyal", nil, nil).Blocks, view.FulfilmentTodoMessage(view.NoteEntry(), "Jane").Blocks,
		view.EditPolicyModal([]plusone.Setting{{Path: "customer_budget", Label: "Budget per customer", Current: "50/month"}}),
		view.EraseConfirmMessage("jane@example.com").Blocks,
		view.CreateTicketModal([]plusone.Source{plusone.SourceZendesk}, "jane@example.com", "Where is my order?", view.CreateTicketMeta{}),
	} {
		view.ActionIDs(t, v, rendered)
	}
	inputs := map[string]bool{view.ActionNoteText: true, view.ActionPrefKey: true, view.ActionPrefValue: true, view.ActionCustomerEmail: true,
		view.ActionPolicySetting: true, view.ActionPolicyValue: true, view.ActionTicketDesk: true, view.ActionTicketSubject: true, view.ActionTicketText: true}
	for id := range rendered {
		if !inputs[id] && !slices.Contains(h.Actions, id) {
			t.Errorf("rendered action %q is not handled", id)
		}
	}
	for _, id := range h.Actions {
		if !rendered[id] {
			t.Errorf("handled action %q is rendered nowhere", id)
		}
	}
}
