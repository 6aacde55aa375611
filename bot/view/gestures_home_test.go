package view

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

func TestHomeGestures(t *testing.T) {
	t.Parallel()
	js := string(viewPayload(t, HomeView(viewtest.RichHome(), agentGestures())))
	for _, want := range []string{
		"*Your “plus one” budgets*\\n• *You*: $4 left of $100 today · $96 spent\\n• *Team frontline*: $600 left of $1,000 this week · $400 spent",
		"*Your recent “plus ones”*\\n:white_check_mark: Free express shipping on the next order ($15) for *Jane Doe* granted by <@U0ANA> · <!date^",
		"*Customers you helped recently*", "*What the signals mean*",
	} {
		if !strings.Contains(js, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Contains(js, "10% off") {
		t.Error("home shows a refused gesture")
	}

	sup := string(viewPayload(t, HomeView(viewtest.RichHome(), supervisorGestures())))
	for _, want := range []string{
		"*Team spend*\\n• *frontline*: $400 spent of $1,000 this week · $600 left\\n• *returns*: $510 spent of $500 this month · over by $10\\n• *vip*: $0 spent · no budget",
		"*Pending approvals* (2)", "*Chrome valve caps ($40)* for *Janet O'Neil &amp; Sons &lt;Ltd&gt;* — asked by <@U0BEN>",
		`"action_id": "approve_gesture"`, `"action_id": "decline_gesture"`, `"value": "22"`,
		"• *Gesture ten_off: paused*: _policy file_ → `true` — <@U0SUP> · <!date^",
		"• *Budget of <@U0ANA>*: `200/day` → _policy file_ — <@U0SUP2>",
		`"action_id": "edit_policy"`, `"text": "Edit limits and budgets"`,
	} {
		if !strings.Contains(sup, want) {
			t.Errorf("supervisor home lacks %q", want)
		}
	}
	// Newest change first.
	if strings.Index(sup, "ten_off") > strings.Index(sup, "Role agent: budget") {
		t.Error("changes not newest first")
	}
}

func TestHomeSupervisorSectionsOnlyForSupervisors(t *testing.T) {
	t.Parallel()
	g := supervisorGestures()
	g.Supervisor = false
	js := string(viewPayload(t, HomeView(viewtest.RichHome(), g)))
	for _, not := range []string{"Supervisor", "Team spend", "Pending approvals", ActionApproveGesture, ActionDeclineGesture,
		ActionEditPolicy, "Latest changes", "asked by <@U0BEN>"} {
		if strings.Contains(js, not) {
			t.Errorf("an agent's home shows %q", not)
		}
	}
	if !strings.Contains(js, "Your “plus one” budgets") {
		t.Error("an agent's home lacks her budgets")
	}
	// No gestures at all: the home as it was.
	if a, b := string(viewPayload(t, HomeView(viewtest.RichHome(), plusone.HomeGestures{}))), string(viewPayload(t, HomeView(viewtest.RichHome(), plusone.HomeGestures{Names: map[int64]string{1: "x"}}))); a != b ||
		strings.Contains(a, "plus one") {
		t.Error("empty plusone.HomeGestures change the home")
	}
}

func TestHomeExtremeStaysWithinBlocks(t *testing.T) {
	t.Parallel()
	h, extra := extremeHome()
	v := HomeView(h, extremeGestures(), extra...)
	if err := ValidateView(v); err != nil {
		t.Fatal(err)
	}
	if n := len(v.Blocks.BlockSet); n != maxViewBlocks {
		t.Errorf("%d blocks; the extras should fill the view to %d", n, maxViewBlocks)
	}
	js := string(viewPayload(t, v))
	for _, want := range []string{"more not shown", "_…and 32 more waiting in the approvals channel._", "*What the signals mean*"} {
		if !strings.Contains(js, want) {
			t.Errorf("extreme home lacks %q", want)
		}
	}
	if strings.Contains(js, "<!channel>") || strings.Contains(js, "<!here>") {
		t.Error("a mention leaked into the home")
	}
}

func TestEditPolicyModal(t *testing.T) {
	t.Parallel()
	v := EditPolicyModal(sampleSettings())
	if v.CallbackID != ViewEditPolicy || v.Submit == nil || v.Submit.Text != "Save" {
		t.Errorf("callback %q, submit %v", v.CallbackID, v.Submit)
	}
	js := string(viewPayload(t, v))
	for _, want := range []string{`"text": "Agents: budget · now 100/day"`, `"value": "roles.agent.budget"`,
		`"text": "Ana's own budget"`, "100/day, 300/week", "none", "true or false"} {
		if !strings.Contains(js, want) {
			t.Errorf("modal lacks %q", want)
		}
	}

	x := EditPolicyModal(extremeSettings())
	sel := x.Blocks.BlockSet[1].(*slack.InputBlock).Element.(*slack.SelectBlockElement)
	if len(sel.Options) != maxSelectOptions {
		t.Errorf("%d options, want %d", len(sel.Options), maxSelectOptions)
	}
	paths := map[string]bool{}
	for _, o := range sel.Options {
		if n := length(o.Text.Text); n > maxOptionText || n == 0 {
			t.Errorf("option text of %d characters: %q", n, o.Text.Text)
		}
		if o.Value == "" || len(o.Value) > maxOptionValue || paths[o.Value] {
			t.Errorf("option value %q empty, too long or repeated", o.Value)
		}
		paths[o.Value] = true
	}
	if paths["teams.t0.budget"] != true || !strings.HasPrefix(sel.Options[0].Text.Text, "a repeated path") {
		t.Errorf("first option %q", sel.Options[0].Text.Text)
	}
	if !strings.Contains(string(viewPayload(t, x)), "first 100 settings") {
		t.Error("a cut list does not say so")
	}

	if v := EditPolicyModal(nil); v.Submit != nil || hasInput(v.Blocks.BlockSet) {
		t.Error("a modal with nothing to edit has inputs")
	}
}

func TestEditPolicyInput(t *testing.T) {
	t.Parallel()
	var cb slack.InteractionCallback
	if p, v := EditPolicyInput(cb); p != "" || v != "" {
		t.Errorf("no state: %q, %q", p, v)
	}
	cb.View.State = &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
		BlockPolicySetting: {ActionPolicySetting: {SelectedOption: slack.OptionBlockObject{Value: "roles.agent.budget"}}},
		BlockPolicyValue:   {ActionPolicyValue: {Value: " 150/day \n"}},
	}}
	if p, v := EditPolicyInput(cb); p != "roles.agent.budget" || v != "150/day" {
		t.Errorf("got %q, %q", p, v)
	}

	// The ids the modal renders are the ones EditPolicyInput reads.
	v := EditPolicyModal(sampleSettings())
	ids := map[string]string{}
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			switch el := in.Element.(type) {
			case *slack.SelectBlockElement:
				ids[in.BlockID] = el.ActionID
			case *slack.PlainTextInputBlockElement:
				ids[in.BlockID] = el.ActionID
			}
		}
	}
	if ids[BlockPolicySetting] != ActionPolicySetting || ids[BlockPolicyValue] != ActionPolicyValue || len(ids) != 2 {
		t.Errorf("inputs %v", ids)
	}
}
