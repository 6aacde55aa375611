package view

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

func TestGestureMessagesGolden(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("<!channel> & <@U0BOSS> 🎉\n\x1b[31m", 60)
	var manyBlocking []string
	for range 30 {
		manyBlocking = append(manyBlocking, long)
	}
	approved := outcomeOf(pendingEntry(), 25, plusone.StatusApproved, "U0SUP", "")
	declined := outcomeOf(pendingEntry(), 26, plusone.StatusDeclined, "U0SUP", "She got one last month")
	expired := outcomeOf(pendingEntry(), 27, plusone.StatusExpired, "plusone", "")
	xPending := extremeEntry(9223372036854775807, plusone.StatusPendingApproval, now)
	xDecided := extremeEntry(9223372036854775806, plusone.StatusDeclined, now)
	fulfilled := outcomeOf(noteEntry(), 31, plusone.StatusFulfilled, "U0BEN", "")

	messages := map[string]Message{
		"refusal": RefusalMessage(plusone.Decision{Status: plusone.StatusRefused,
			Reason: "not eligible: she is satisfied, needs loyal"}, "Free express shipping on the next order"),
		"refusal_limits": RefusalMessage(plusone.Decision{Status: plusone.StatusRefused, Reason: "over every limit",
			Blocking: []string{"over your $25 limit per gesture", "agent budget: $4 left of $100 today", " \n"}}, "Chrome valve caps"),
		"refusal_minimal": RefusalMessage(plusone.Decision{}, ""),
		"refusal_extreme": RefusalMessage(plusone.Decision{Status: plusone.StatusRefused, Reason: long, Blocking: manyBlocking}, long),

		"offer_granted":  OfferResultMessage(grantedEntry(), "Jane Doe"),
		"offer_pending":  OfferResultMessage(pendingEntry(), "Jane Doe"),
		"offer_minimal":  OfferResultMessage(plusone.LedgerEntry{}, ""),
		"offer_extreme":  OfferResultMessage(xPending, long),
		"offer_refused":  OfferResultMessage(entry(40, 40, tenOff, plusone.StatusRefused, "plusone", "cooldown", now), "Jane Doe"),
		"offer_no_value": OfferResultMessage(plusone.LedgerEntry{Gesture: "smile", Status: plusone.StatusGranted, CustomerID: 8}, ""),

		"approval_request": ApprovalRequestMessage(pendingEntry(), "Jane Doe", "Jane Doe · Loyal · $1,234.50 lifetime",
			[]string{"over your $25 limit per gesture"}, sampleBudgets()),
		"approval_request_reason":  ApprovalRequestMessage(pendingEntry(), "Jane Doe", "", nil, nil),
		"approval_request_minimal": ApprovalRequestMessage(plusone.LedgerEntry{}, "", "", nil, nil),
		"approval_request_extreme": ApprovalRequestMessage(xPending, long, long, manyBlocking, extremeBudgets()),

		"approval_approved":         ApprovalDecidedMessage(pendingEntry(), approved, "Jane Doe"),
		"approval_declined":         ApprovalDecidedMessage(pendingEntry(), declined, "Jane Doe"),
		"approval_expired":          ApprovalDecidedMessage(pendingEntry(), expired, "Jane Doe"),
		"approval_decided_minimal":  ApprovalDecidedMessage(plusone.LedgerEntry{}, plusone.LedgerEntry{}, ""),
		"approval_decided_extreme":  ApprovalDecidedMessage(xPending, xDecided, long),
		"thread_approved":           ThreadOutcomeMessage(approved, "Chrome valve caps"),
		"thread_declined":           ThreadOutcomeMessage(declined, ""),
		"thread_expired":            ThreadOutcomeMessage(expired, ""),
		"thread_minimal":            ThreadOutcomeMessage(plusone.LedgerEntry{}, ""),
		"thread_extreme":            ThreadOutcomeMessage(xDecided, long),
		"todo":                      FulfilmentTodoMessage(noteEntry(), "Jane Doe"),
		"todo_minimal":              FulfilmentTodoMessage(plusone.LedgerEntry{}, ""),
		"todo_extreme":              FulfilmentTodoMessage(xPending, long),
		"fulfilled":                 FulfilledMessage(fulfilled, "U0BEN"),
		"fulfilled_minimal":         FulfilledMessage(plusone.LedgerEntry{}, ""),
		"fulfilled_extreme":         FulfilledMessage(xDecided, long),
		"writeback_note":            WritebackResultMessage(grantedEntry(), "Zendesk", "internal note added", true),
		"writeback_discount":        WritebackResultMessage(grantedEntry(), "Shopify", "discount code PLUS1-AB12CD created", true),
		"writeback_failed":          WritebackResultMessage(grantedEntry(), "Zendesk", "403 Forbidden: the API token cannot add notes", false),
		"writeback_minimal":         WritebackResultMessage(plusone.LedgerEntry{}, "", "", false),
		"writeback_minimal_success": WritebackResultMessage(plusone.LedgerEntry{}, "", "", true),
		"writeback_extreme":         WritebackResultMessage(xDecided, long, long, false),
	}
	for name, m := range messages {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			goldenMessage(t, "gestures_"+name, m)
		})
	}
}

func TestGestureCardsGolden(t *testing.T) {
	t.Parallel()
	cards := map[string]plusone.ContextCard{
		"card_gestures":         gestureCard(),
		"card_gestures_minimal": gestureMinimalCard(),
		"card_gestures_extreme": gestureExtremeCard(),
		"card_gestures_worded":  gestureWordedCard(),
	}
	for name, c := range cards {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := CardMessage(c)
			goldenMessage(t, name, m)
			if m.Plain != CardText(c) {
				t.Error("Message.Plain is not CardText")
			}
		})
	}
}

func TestGestureViewsGolden(t *testing.T) {
	t.Parallel()
	xHome, xExtra := extremeHome()
	homes := map[string]slack.HomeTabViewRequest{
		"home_gestures":           HomeView(viewtest.RichHome(), agentGestures()),
		"home_gestures_empty":     HomeView(plusone.AgentHome{Agent: "U0ANA", Now: now}, plusone.HomeGestures{Budgets: []plusone.BudgetLine{{Scope: "agent"}}}),
		"home_supervisor":         HomeView(viewtest.RichHome(), supervisorGestures()),
		"home_supervisor_minimal": HomeView(plusone.AgentHome{}, plusone.HomeGestures{Supervisor: true}),
		"home_supervisor_extreme": HomeView(xHome, extremeGestures(), xExtra...),
	}
	for name, v := range homes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := ValidateView(v); err != nil {
				t.Errorf("ValidateView: %v", err)
			}
			golden(t, "gestures_"+name+".golden.json", viewPayload(t, v))
		})
	}
	modals := map[string]slack.ModalViewRequest{
		"edit_policy_modal":         EditPolicyModal(sampleSettings()),
		"edit_policy_modal_minimal": EditPolicyModal(nil),
		"edit_policy_modal_extreme": EditPolicyModal(extremeSettings()),
	}
	for name, v := range modals {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := ValidateView(v); err != nil {
				t.Errorf("ValidateView: %v", err)
			}
			golden(t, "gestures_"+name+".golden.json", viewPayload(t, v))
		})
	}
}

// buttons are the buttons of blocks, in order.
func buttons(t *testing.T, blocks []slack.Block) []map[string]any {
	t.Helper()
	raw, err := json.Marshal(slack.Blocks{BlockSet: blocks})
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			if x["type"] == "button" {
				out = append(out, x)
				return
			}
			for _, k := range []string{"accessory", "elements"} { // in block order
				walk(x[k])
			}
		}
	}
	walk(tree)
	return out
}

func TestCardOfferButtons(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]plusone.ContextCard{
		"rich": gestureCard(), "minimal": gestureMinimalCard(), "extreme": gestureExtremeCard(),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := CardMessage(c)
			seen := map[string]bool{}
			offers := 0
			for _, b := range buttons(t, m.Blocks) {
				id, _ := b["action_id"].(string)
				if seen[id] {
					t.Errorf("action_id %q twice in one card", id)
				}
				seen[id] = true
				if id == ActionAddNote || id == ActionReplyTicket || id == ActionAssignTicket {
					continue
				}
				offers++
				if !strings.HasPrefix(id, "offer_gesture") {
					t.Errorf("card button %q does not start with offer_gesture", id)
				}
				gesture, ok := IsOfferAction(id)
				if !ok {
					t.Errorf("IsOfferAction(%q) = false", id)
				}
				o, err := DecodeOffer(b["value"].(string))
				if err != nil {
					t.Fatalf("button %s: %v", id, err)
				}
				if o.Gesture != gesture || o.CustomerID != c.View.Customer.ID || o.TicketKey != ticketKeyOf(c) {
					t.Errorf("button %s carries %+v", id, o)
				}
				if b["style"] != "primary" {
					t.Errorf("button %s is not primary", id)
				}
			}
			if offers == 0 || offers > maxOffers {
				t.Errorf("%d offer buttons, want 1 to %d", offers, maxOffers)
			}
		})
	}

	// The best three, by score; paused ones and repeats left out.
	m := CardMessage(gestureCard())
	var ids []string
	for _, b := range buttons(t, m.Blocks) {
		ids = append(ids, b["action_id"].(string))
	}
	want := []string{"offer_gesture:free_express_shipping", "offer_gesture:chrome_valve_caps", "offer_gesture:handwritten_note",
		ActionReplyTicket, ActionAssignTicket, ActionAddNote}
	if !slices.Equal(ids, want) {
		t.Errorf("buttons %v, want %v", ids, want)
	}
	js := string(payload(t, m))
	for _, want := range []string{
		`"text": "*Suggested “plus one”*\n*Free express shipping on the next order* · $15\n_loyal · abandoned $89 cart_"`,
		`"text": "Offer · $15"`, `"value": "c=42;g=free_express_shipping;t=zendesk:5158"`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("card lacks %s", want)
		}
	}
	for _, not := range []string{"Paused gift", "a duplicate", "fourth best"} {
		if strings.Contains(js, not) {
			t.Errorf("card shows %q", not)
		}
	}
	// The plus one part comes after the signals and before the history.
	if i, j, k := strings.Index(js, "Big spender"), strings.Index(js, "Suggested"), strings.Index(js, "Recent activity"); !(i < j && j < k) {
		t.Error("Suggested “plus one” is not between the signals and the history")
	}

	// A looked-up customer's offers name no ticket.
	if js := string(payload(t, CardMessage(gestureMinimalCard()))); !strings.Contains(js, `"value": "c=8;g=sticker"`) {
		t.Errorf("minimal card:\n%s", js)
	}
	// Without a customer ID there is nobody to offer to.
	c := gestureCard()
	c.View.Customer.ID = 0
	if js := string(payload(t, CardMessage(c))); strings.Contains(js, ActionOfferGesture) || strings.Contains(js, "Suggested") {
		t.Error("offers on a card without a customer ID")
	}
}

func ticketKeyOf(c plusone.ContextCard) string {
	if c.Ticket.ID == "" {
		return ""
	}
	return c.Ticket.Key()
}

func TestCardGestureOutcomes(t *testing.T) {
	t.Parallel()
	c := gestureCard()
	m := CardMessage(c)
	js := string(payload(t, m))
	for _, want := range []string{
		`:white_check_mark: Free express shipping on the next order ($15) granted by <@U0ANA> · Nov 20`,
		`:hourglass_flowing_sand: Chrome valve caps ($40) awaiting approval (asked by <@U0ANA>) · Nov 20`,
		`:package: Handwritten thank-you note ($4) sent by <@U0BEN> · Nov 18`,
		`_…and 1 more_`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	for _, want := range []string{"✅ Free express shipping on the next order ($15) granted by U0ANA · Nov 20",
		"⏳ Chrome valve caps ($40) awaiting approval (asked by U0ANA) · Nov 20"} {
		if !strings.Contains(m.Plain, want) {
			t.Errorf("plain card lacks %q", want)
		}
	}

	// Every outcome in words.
	for status, want := range map[plusone.LedgerStatus]string{
		plusone.StatusApproved:  ":white_check_mark: Chrome valve caps ($40) approved by <@U0SUP> (asked by <@U0ANA>)",
		plusone.StatusDeclined:  ":x: Chrome valve caps ($40) declined by <@U0SUP>",
		plusone.StatusExpired:   ":hourglass: Chrome valve caps ($40) expired",
		plusone.StatusCancelled: ":leftwards_arrow_with_hook: Chrome valve caps ($40) cancelled by <@U0SUP>",
	} {
		c := viewtest.RichCard()
		c.Gestures = []plusone.LedgerEntry{outcomeOf(pendingEntry(), 50, status, "U0SUP", "")}
		if js := string(payload(t, CardMessage(c))); !strings.Contains(js, want) {
			t.Errorf("%s: card lacks %q", status, want)
		}
	}
}

func TestRefusedGesturesNeverOnCard(t *testing.T) {
	t.Parallel()
	refused := entry(40, 40, tenOff, plusone.StatusRefused, "plusone", "cooldown: granted 12 days ago", now)
	for name, c := range map[string]plusone.ContextCard{"rich": gestureCard(), "extreme": gestureExtremeCard(), "only refused": func() plusone.ContextCard {
		c := viewtest.RichCard()
		c.Gestures = []plusone.LedgerEntry{refused, refused}
		return c
	}()} {
		m := CardMessage(c)
		for _, s := range []string{string(payload(t, m)), m.Plain} {
			if strings.Contains(s, "refused") || strings.Contains(s, "no_entry_sign") || strings.Contains(s, "10% off") ||
				strings.Contains(s, "cooldown") {
				t.Errorf("%s: a refused gesture shows on the card", name)
			}
		}
	}
	// A card with nothing but refused gestures looks like one without.
	c := viewtest.RichCard()
	c.Gestures = []plusone.LedgerEntry{refused}
	if a, b := string(payload(t, CardMessage(c))), string(payload(t, CardMessage(viewtest.RichCard()))); a != b {
		t.Error("refused gestures change the card")
	}
}

func TestCardGesturesLatestPerRequest(t *testing.T) {
	t.Parallel()
	c := viewtest.RichCard()
	pending := pendingEntry()
	c.Gestures = []plusone.LedgerEntry{pending, outcomeOf(pending, 25, plusone.StatusApproved, "U0SUP", "")} // out of order
	js := string(payload(t, CardMessage(c)))
	if !strings.Contains(js, "approved by <@U0SUP>") || strings.Contains(js, "awaiting approval") {
		t.Errorf("card does not show the request's latest state:\n%s", js)
	}
}

func TestGestureCardExtremeStaysCompact(t *testing.T) {
	t.Parallel()
	m := CardMessage(gestureExtremeCard())
	if err := Validate(m); err != nil {
		t.Fatal(err)
	}
	if n := textLength(t, m); n > 9000 {
		t.Errorf("extreme card has %d characters of text, want under 9000", n)
	}
	if len(m.Blocks) > 16 {
		t.Errorf("extreme card has %d blocks", len(m.Blocks))
	}
	js := string(payload(t, m))
	if strings.Contains(js, "<!channel>") || strings.Contains(js, "<!here>") || strings.Contains(js, `\u001b`) {
		t.Error("a mention or a control character leaked into the card")
	}
}

func TestApprovalRequestMessage(t *testing.T) {
	t.Parallel()
	m := ApprovalRequestMessage(pendingEntry(), "Jane Doe", "Jane Doe · Loyal · $1,234.50 lifetime",
		[]string{"over your $25 limit per gesture", "agent budget: $4 left of $100 today"}, sampleBudgets())
	js := string(payload(t, m))
	for _, want := range []string{
		"<@U0ANA> asks to offer *Chrome valve caps* (*$40*) to *Jane Doe*.",
		"Jane Doe · Loyal · $1,234.50 lifetime · zendesk:5158 · <!date^",
		"*Why it needs your approval*\\n• over your $25 limit per gesture\\n• agent budget: $4 left of $100 today",
		"*Budgets it would touch*\\n• *Agent <@U0ANA>*: $4 left of $100 today\\n• *Team frontline*: $600 left of $1,000 this week\\n" +
			`• *Customer Jane Doe*: $35 left of $50 this month`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("approval request lacks %q", want)
		}
	}
	bs := buttons(t, m.Blocks)
	if len(bs) != 2 || bs[0]["action_id"] != ActionApproveGesture || bs[0]["style"] != "primary" || bs[0]["value"] != "21" ||
		bs[1]["action_id"] != ActionDeclineGesture || bs[1]["style"] != "danger" || bs[1]["value"] != "21" {
		t.Errorf("buttons %v", bs)
	}
	if strings.Contains(m.Text, "<@") {
		t.Errorf("fallback %q mentions someone: the approvals channel would ping them", m.Text)
	}
	// The request of a later entry is its first entry's ID.
	later := pendingEntry()
	later.ID = 99
	if bs := buttons(t, ApprovalRequestMessage(later, "", "", nil, nil).Blocks); bs[0]["value"] != "21" {
		t.Errorf("value %v, want the request ID", bs[0]["value"])
	}
	// Without any ID there is nothing to decide on.
	if bs := buttons(t, ApprovalRequestMessage(plusone.LedgerEntry{}, "", "", nil, nil).Blocks); len(bs) != 0 {
		t.Errorf("buttons without a request: %v", bs)
	}
}

func TestDecidedAndOutcomeMessages(t *testing.T) {
	t.Parallel()
	declined := outcomeOf(pendingEntry(), 26, plusone.StatusDeclined, "U0SUP", "She got one last month")
	tests := []struct {
		name string
		m    Message
		want []string
	}{
		{"approved", ApprovalDecidedMessage(pendingEntry(), outcomeOf(pendingEntry(), 25, plusone.StatusApproved, "U0SUP", ""), "Jane Doe"),
			[]string{":white_check_mark: *Approved* by <@U0SUP> · <!date^", "<@U0ANA> asked to offer *Chrome valve caps ($40)* to *Jane Doe*."}},
		{"declined", ApprovalDecidedMessage(pendingEntry(), declined, "Jane Doe"),
			[]string{":x: *Declined* by <@U0SUP>", "“She got one last month”"}},
		{"expired", ApprovalDecidedMessage(pendingEntry(), outcomeOf(pendingEntry(), 27, plusone.StatusExpired, "plusone", ""), "Jane Doe"),
			[]string{":hourglass: *Expired*: nobody decided in time"}},
		{"thread approved", ThreadOutcomeMessage(outcomeOf(pendingEntry(), 25, plusone.StatusApproved, "U0SUP", ""), "Chrome caps"),
			[]string{"<@U0ANA> your request for Chrome caps ($40) was approved by <@U0SUP>."}},
		{"thread declined", ThreadOutcomeMessage(declined, ""),
			[]string{"<@U0ANA> your request for Chrome valve caps ($40) was declined by <@U0SUP>.", "“She got one last month”"}},
		{"thread expired", ThreadOutcomeMessage(outcomeOf(pendingEntry(), 27, plusone.StatusExpired, "plusone", ""), ""),
			[]string{"<@U0ANA> your request for Chrome valve caps ($40) expired"}},
		{"todo", FulfilmentTodoMessage(noteEntry(), "Jane Doe"),
			[]string{":package: *To do:* Handwritten thank-you note for *Jane Doe*", `"action_id": "mark_sent"`, `"value": "30"`}},
		{"fulfilled", FulfilledMessage(outcomeOf(noteEntry(), 31, plusone.StatusFulfilled, "U0BEN", ""), "U0BEN"),
			[]string{"*Sent:* Handwritten thank-you note for customer #42", "marked sent by <@U0BEN>"}},
		{"writeback", WritebackResultMessage(grantedEntry(), "Shopify", "discount code PLUS1-AB12CD created", true),
			[]string{"Shopify discount code PLUS1-AB12CD created"}},
		{"writeback failed", WritebackResultMessage(grantedEntry(), "Zendesk", "timeout", false),
			[]string{":warning: Could not write back to Zendesk: timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			js := string(payload(t, tt.m))
			for _, w := range tt.want {
				if !strings.Contains(js, w) {
					t.Errorf("lacks %q:\n%s", w, js)
				}
			}
		})
	}
	// Decided and fulfilled messages replace ones with buttons: they have none.
	for _, m := range []Message{ApprovalDecidedMessage(pendingEntry(), declined, "Jane"), FulfilledMessage(noteEntry(), "U0BEN")} {
		if bs := buttons(t, m.Blocks); len(bs) != 0 {
			t.Errorf("buttons %v", bs)
		}
	}
	// The agent is notified of the outcome: the fallback mentions her.
	if m := ThreadOutcomeMessage(declined, ""); !strings.HasPrefix(m.Text, "<@U0ANA> ") {
		t.Errorf("fallback %q", m.Text)
	}
}

func TestRefusalAndOfferResult(t *testing.T) {
	t.Parallel()
	m := RefusalMessage(plusone.Decision{Status: plusone.StatusRefused, Reason: "not eligible: she is satisfied, needs loyal"},
		"Free express <shipping>")
	js := string(payload(t, m))
	if !strings.Contains(js, `You can't offer *Free express &lt;shipping&gt;* right now.\n*Why:* not eligible: she is satisfied, needs loyal`) ||
		strings.Contains(js, "What stands in the way") {
		t.Errorf("refusal:\n%s", js)
	}
	m = RefusalMessage(plusone.Decision{Status: plusone.StatusRefused, Reason: "over budget",
		Blocking: []string{"agent budget: $4 left of $100 today"}}, "Gift")
	if js := string(payload(t, m)); !strings.Contains(js, "*What stands in the way*\\n• agent budget: $4 left of $100 today") {
		t.Errorf("refusal with blocking:\n%s", js)
	}

	if js := string(payload(t, OfferResultMessage(grantedEntry(), "Jane Doe"))); !strings.Contains(js,
		"Granted: *Free express shipping on the next order ($15)* for *Jane Doe*.") {
		t.Errorf("granted:\n%s", js)
	}
	if js := string(payload(t, OfferResultMessage(pendingEntry(), "Jane Doe"))); !strings.Contains(js, "needs a supervisor's approval") ||
		!strings.Contains(js, "*Why:* over your $25 limit per gesture") {
		t.Errorf("pending:\n%s", js)
	}
}

// Every action id the gesture views render is one a handler knows.
func TestGestureActionIDs(t *testing.T) {
	t.Parallel()
	known := map[string]bool{ActionApproveGesture: true, ActionDeclineGesture: true, ActionMarkSent: true,
		ActionEditPolicy: true, ActionPolicySetting: true, ActionPolicyValue: true, ActionAddNote: true,
		ActionReplyTicket: true, ActionAssignTicket: true, ActionTicketStatus: true}
	rendered := map[string]bool{}
	for _, v := range gestureSurfaces() {
		actionIDs(t, v, rendered)
	}
	for id := range rendered {
		if _, ok := IsOfferAction(id); !ok && !known[id] {
			t.Errorf("rendered action %q is not a known one", id)
		}
	}
	for id := range known {
		if !rendered[id] {
			t.Errorf("action %q is rendered nowhere", id)
		}
	}
	for _, v := range gestureModals() {
		if v.CallbackID != ViewEditPolicy {
			t.Errorf("modal callback %q", v.CallbackID)
		}
	}
}
