package view

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// goldenMessage validates m and compares it with testdata/name.golden.json
// and, when it has one, its plain text with testdata/name.golden.txt.
func goldenMessage(t *testing.T, name string, m Message) {
	t.Helper()
	if err := Validate(m); err != nil {
		t.Errorf("Validate: %v", err)
	}
	golden(t, name+".golden.json", payload(t, m))
	if m.Plain == "" {
		t.Error("no plain text for local mode")
	}
	golden(t, name+".golden.txt", []byte(m.Plain))
}

func TestViewMessagesGolden(t *testing.T) {
	t.Parallel()
	extremeNote := viewtest.ExtremeCard().View.Notes[0]
	extremeNote.Link = "https://acme.slack.com/archives/C0/p1?x=<1>&y=|2|"
	messages := map[string]Message{
		"lookup_message":         LookupMessage(viewtest.LookupCard()),
		"lookup_message_ticket":  LookupMessage(viewtest.RichCard()),
		"lookup_message_minimal": LookupMessage(viewtest.LookupMinimalCard()),
		"choice":                 ChoiceMessage("jan", viewtest.SampleCustomers(), false),
		"choice_minimal":         ChoiceMessage("jan.k", viewtest.SampleCustomers()[2:], false),
		"choice_extreme":         ChoiceMessage(strings.Repeat("<!here> & ", 40), extremeCustomers(), false),
		"no_match":               NoMatchMessage("jnae"),
		"no_match_empty":         NoMatchMessage(" \n"),
		"no_match_extreme":       NoMatchMessage(strings.Repeat("<@U0BOSS> & 🎉", 100)),
		"help":                   HelpMessage(),
		"erase_confirm":          EraseConfirmMessage("jane@example.com"),
		"erased":                 ErasedMessage("jane@example.com"),
		"data_request":           DataRequestMessage("shopify", "snowdevil.myshopify.com", "9999", "john+x@example.com", "191167"),
		"data_request_id_only":   DataRequestMessage("shopify", "", "9998", "", "191167"),
		"erased_card":            CardMessage(plusone.ContextCard{Erased: true, Ticket: viewtest.RichCard().Ticket, View: viewtest.RichCard().View}),
		"erased_notice":          ErasedNoticeMessage(),
		"note_saved":             NoteSavedMessage("Jane Doe", viewtest.RichCard().View.Notes[0]),
		"note_saved_minimal":     NoteSavedMessage("", plusone.Note{CustomerID: 8}),
		"note_saved_extreme":     NoteSavedMessage(viewtest.ExtremeCard().View.Customer.Name, extremeNote),
	}
	for name, m := range messages {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			goldenMessage(t, "views_"+name, m)
		})
	}
}

func TestViewsGolden(t *testing.T) {
	t.Parallel()
	extremeMeta := SaveNoteMeta{Text: strings.Repeat("<@U0BOSS> & \"quotes\" \\ 🎉\n", 400),
		Link:    "https://acme.slack.com/archives/C0CARDS/p1795180000000100?thread_ts=1795180000.000100&cid=C0CARDS",
		Channel: "C0CARDS"}
	xHome, xExtra := extremeHome()
	modals := map[string]slack.ModalViewRequest{
		"note_modal":              NoteModal("Jane Doe", NoteMeta{CustomerID: 42, Channel: "C0CARDS", ThreadTS: "1795180000.000100"}),
		"note_modal_minimal":      NoteModal("", NoteMeta{CustomerID: 8}),
		"note_modal_extreme":      NoteModal(viewtest.ExtremeCard().View.Customer.Name, NoteMeta{CustomerID: 1, Channel: strings.Repeat("C", 5000)}),
		"save_note_modal":         SaveNoteModal(SaveNoteMeta{Text: "She can only take deliveries on Fridays & Saturdays <3", Link: "https://acme.slack.com/archives/C0GENERAL/p1795180000000200", Channel: "C0GENERAL"}),
		"save_note_modal_minimal": SaveNoteModal(SaveNoteMeta{}),
		"save_note_modal_extreme": SaveNoteModal(extremeMeta),
		"reply_modal": ReplyModal(plusone.SourceZendesk, "Jane Doe", []plusone.Preference{{Key: "contact", Value: "email, mornings"}},
			[]plusone.Note{{Text: "Refund approved by Sam"}, {Text: "VIP since 2019"}}, ReplyMeta{Ticket: "zendesk:5158", Channel: "C0CARDS"}),
		"reply_modal_minimal": ReplyModal(plusone.SourceIntercom, "", nil, nil, ReplyMeta{Ticket: "intercom:1"}),
		"create_ticket_modal": CreateTicketModal([]plusone.Source{plusone.SourceFreshdesk, plusone.SourceZendesk}, "Jane@Example.com",
			"My tires <https://shop.example.com/orders/1001|order #1001> have not arrived &amp; I leave Friday\nCan you check? <@U0ANA>",
			CreateTicketMeta{Channel: "C0SHAREDACME"}),
		"create_ticket_modal_minimal": CreateTicketModal([]plusone.Source{plusone.SourceIntercom}, "", "", CreateTicketMeta{}),
		"create_ticket_modal_extreme": CreateTicketModal([]plusone.Source{plusone.SourceFreshdesk, plusone.SourceHelpScout, plusone.SourceIntercom, plusone.SourceZendesk},
			"not an email", strings.Repeat("Where is my order? ", 400), CreateTicketMeta{Channel: strings.Repeat("C", 5000)}),
		"reply_modal_drafted": WithReplyDraft(ReplyModal(plusone.SourceZendesk, "Jane Doe", nil, nil, ReplyMeta{Ticket: "zendesk:5158", Channel: "C0CARDS"}),
			"Hi Jane,\n\nWe are sorry your tires are late. We are checking with the carrier now and will write back today."),
		"reply_modal_drafted_extreme": WithReplyDraft(ReplyModal(plusone.SourceZendesk, "Jane Doe", nil, nil, ReplyMeta{Ticket: "zendesk:5158"}),
			strings.Repeat("<@U0BOSS> *long* draft 🎉 ", 400)),
		"reply_modal_extreme": ReplyModal(plusone.SourceFreshdesk, viewtest.ExtremeCard().View.Customer.Name, viewtest.ExtremeCard().View.Preferences,
			viewtest.ExtremeCard().View.Notes, ReplyMeta{Ticket: "freshdesk:" + strings.Repeat("9", 60), Channel: "C0CARDS"}),
	}
	for name, v := range modals {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := ValidateView(v); err != nil {
				t.Errorf("ValidateView: %v", err)
			}
			golden(t, "views_"+name+".golden.json", viewPayload(t, v))
		})
	}
	homes := map[string]slack.HomeTabViewRequest{
		"home":         HomeView(viewtest.RichHome(), plusone.HomeGestures{}),
		"home_minimal": HomeView(plusone.AgentHome{}, plusone.HomeGestures{}),
		"home_extreme": HomeView(xHome, plusone.HomeGestures{}, xExtra...),
	}
	for name, v := range homes {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := ValidateView(v); err != nil {
				t.Errorf("ValidateView: %v", err)
			}
			golden(t, "views_"+name+".golden.json", viewPayload(t, v))
		})
	}
	unfurls := map[string]plusone.ContextCard{
		"unfurl":         viewtest.RichCard(),
		"unfurl_minimal": viewtest.LookupMinimalCard(),
		"unfurl_extreme": viewtest.ExtremeCard(),
	}
	for name, c := range unfurls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			blocks := UnfurlBlocks(c)
			if err := Validate(Message{Text: "unfurl", Blocks: blocks}); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if len(blocks) > 3 {
				t.Errorf("unfurl has %d blocks, want a compact summary", len(blocks))
			}
			golden(t, "views_"+name+".golden.json", blocksPayload(t, blocks))
		})
	}
}

func TestTicketlessCard(t *testing.T) {
	t.Parallel()
	m := CardMessage(viewtest.LookupCard())
	if m.Text != "Jane Doe (Loyal)" {
		t.Errorf("Text = %q, want the customer without a ticket", m.Text)
	}
	if _, ok := m.Metadata.EventPayload["ticket"]; ok || m.Metadata.EventPayload["customer_id"] != int64(42) {
		t.Errorf("metadata payload %v: want customer_id 42 and no ticket", m.Metadata.EventPayload)
	}
	js := string(payload(t, m))
	for _, want := range []string{`":ticket: 2 open tickets"`, `"text": "*Open tickets*\n• <https://acme.zendesk.com/agent/tickets/5158|`,
		`"text": "plusone · <!date^`, `"action_id": "add_note"`, `"value": "42"`} {
		if !strings.Contains(js, want) {
			t.Errorf("ticket-less card lacks %s", want)
		}
	}
	if strings.Contains(js, "Other open tickets") || strings.Contains(js, "zendesk:") {
		t.Error("ticket-less card speaks of a current ticket")
	}
	if txt := CardText(viewtest.LookupCard()); !strings.Contains(txt, "Ticket  2 open tickets\n") || strings.Contains(txt, "zendesk:") {
		t.Errorf("plain ticket-less card:\n%s", txt)
	}

	minimal := CardMessage(viewtest.LookupMinimalCard())
	if js := string(payload(t, minimal)); !strings.Contains(js, `":ticket: No open ticket"`) {
		t.Errorf("card of a customer without tickets:\n%s", js)
	}

	// The card of a ticket keeps its ticket in the metadata.
	if got := CardMessage(viewtest.RichCard()).Metadata.EventPayload["ticket"]; got != "zendesk:5158" {
		t.Errorf("ticket in metadata = %v", got)
	}
}

func TestCardNotes(t *testing.T) {
	t.Parallel()
	c := viewtest.RichCard()
	js := string(payload(t, CardMessage(c)))
	for _, want := range []string{
		`*Notes*\n• Prefers a call back after 5pm &amp; hates &lt;automated&gt; replies _— <@U0AGENT02> · <https://acme.slack.com/archives/C0CARDS/p1795180000000100|Nov 20>_`,
		"• Sent a handwritten note for her birthday _— <@U0AGENT01> · Oct 21_",
		"_…and 1 more_",
	} {
		if !strings.Contains(js, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	if strings.Contains(js, "old shop") {
		t.Error("card shows more than the latest 3 notes")
	}
	// Notes arriving out of order still show newest first.
	c.View.Notes[0], c.View.Notes[3] = c.View.Notes[3], c.View.Notes[0]
	if js2 := string(payload(t, CardMessage(c))); js2 != js {
		t.Error("card depends on the order of View.Notes")
	}
	// Without a customer ID there is nothing to add a note to.
	c.View.Customer.ID = 0
	if js := string(payload(t, CardMessage(c))); strings.Contains(js, ActionAddNote) {
		t.Error("Add note button on a card without a customer ID")
	}
}

func TestNoteAuthorMentionsOnlySlackUserIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		author, want string
	}{
		{"U0AGENT01", "_— <@U0AGENT01> · Nov 20_"},
		{"W0123ABCD", "_— <@W0123ABCD> · Nov 20_"},
		{" U0AGENT01\n", "_— <@U0AGENT01> · Nov 20_"},
		{"<!channel>", "_— &lt;!channel&gt; · Nov 20_"},
		{"U0AGENT01> <!here", "_— U0AGENT01&gt; &lt;!here · Nov 20_"},
		{"u0lower", "_— u0lower · Nov 20_"},
		{"C0CHANNEL", "_— C0CHANNEL · Nov 20_"},
		{"Ben", "_— Ben · Nov 20_"},
		{"", "• Saw her at the store _— Nov 20_"},
	}
	for _, tt := range tests {
		t.Run(tt.author, func(t *testing.T) {
			t.Parallel()
			c := viewtest.NewCustomerCard()
			c.View.Notes = []plusone.Note{{Author: tt.author, Text: "Saw her at the store", CreatedAt: now}}
			m := CardMessage(c)
			js := string(payload(t, m))
			if !strings.Contains(js, tt.want) {
				t.Errorf("author %q: card lacks %q:\n%s", tt.author, tt.want, js)
			}
			if n := strings.Count(js, "<@"); tt.author != "U0AGENT01" && tt.author != " U0AGENT01\n" && tt.author != "W0123ABCD" && n > 0 {
				t.Errorf("author %q is mentioned", tt.author)
			}
			if err := Validate(m); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestLookupMessage(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]plusone.ContextCard{"ticket-less": viewtest.LookupCard(), "with ticket": viewtest.RichCard()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, card := LookupMessage(c), CardMessage(c)
			if m.Text != "Jane Doe (Loyal)" {
				t.Errorf("Text = %q", m.Text)
			}
			if string(payload(t, Message{Text: "x", Blocks: m.Blocks})) != string(payload(t, Message{Text: "x", Blocks: card.Blocks})) {
				t.Error("lookup blocks differ from the card's")
			}
		})
	}
}

func TestChoiceMessage(t *testing.T) {
	t.Parallel()
	m := ChoiceMessage("jan", viewtest.SampleCustomers(), false)
	js := string(payload(t, m))
	for _, want := range []string{`"text": "3 customers match “jan”:"`, `*Janet O'Neil &amp; Sons &lt;Ltd&gt;* · janet@oneil.example\nAdvocate · 12 orders`,
		`*jan.k@example.org*\nNew · no orders`, `"action_id": "show_customer"`, `"value": "43"`} {
		if !strings.Contains(js, want) {
			t.Errorf("choice lacks %s", want)
		}
	}
	if strings.Contains(js, "more matches") {
		t.Error("more line without more matches")
	}

	m = ChoiceMessage("jane", extremeCustomers(), false)
	if got := strings.Count(string(payload(t, m)), `"action_id": "show_customer"`); got != maxChoices {
		t.Errorf("%d Show buttons, want %d", got, maxChoices)
	}
	if !strings.Contains(m.Plain, "type more of the name, or an email") {
		t.Error("a cut list does not ask for more of the name")
	}
	if m := ChoiceMessage("jane", viewtest.SampleCustomers()[:1], true); !strings.Contains(string(payload(t, m)), "There are more matches") {
		t.Error("more = true without the more line")
	}
	if m := ChoiceMessage("nobody", nil, false); m.Text != NoMatchMessage("nobody").Text {
		t.Errorf("no customers: %q", m.Text)
	}
}

func TestNoteSavedMessage(t *testing.T) {
	t.Parallel()
	m := NoteSavedMessage("Jane <Doe>", plusone.Note{Text: "Calls\nafter 5pm & <never> before", Link: "javascript:alert(1)"})
	js := string(payload(t, m))
	if m.Text != "Note saved on Jane &lt;Doe&gt;" || !strings.Contains(js, `*Jane &lt;Doe&gt;*:\n>Calls after 5pm &amp; &lt;never&gt; before`) {
		t.Errorf("confirmation:\n%s", js)
	}
	if strings.Contains(js, "javascript") {
		t.Error("a non-web link was shown")
	}
}

func TestModalIDs(t *testing.T) {
	t.Parallel()
	meta := NoteMeta{CustomerID: 42, Channel: "C0CARDS", ThreadTS: "1795180000.000100"}
	v := NoteModal("Jane Doe", meta)
	if v.CallbackID != ViewNote || v.Title.Text != "Note or preference" || v.Submit.Text != "Save" {
		t.Errorf("note modal: callback %q, title %q, submit %q", v.CallbackID, v.Title.Text, v.Submit.Text)
	}
	if got, err := ParseNoteMetadata(v.PrivateMetadata); err != nil || got != meta {
		t.Errorf("note modal metadata %q -> %+v, %v", v.PrivateMetadata, got, err)
	}
	inputs := map[string]string{}
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			el := in.Element.(*slack.PlainTextInputBlockElement)
			inputs[in.BlockID] = el.ActionID
			if !in.Optional {
				t.Errorf("input %s is required; the handler checks what is given", in.BlockID)
			}
		}
	}
	want := map[string]string{BlockNoteText: ActionNoteText, BlockPrefKey: ActionPrefKey, BlockPrefValue: ActionPrefValue}
	if len(inputs) != len(want) {
		t.Errorf("inputs %v, want %v", inputs, want)
	}
	for b, a := range want {
		if inputs[b] != a {
			t.Errorf("input block %s has action %q, want %q", b, inputs[b], a)
		}
	}

	smeta := SaveNoteMeta{Text: "Fridays only", Link: "https://acme.slack.com/archives/C0/p1", Channel: "C0"}
	s := SaveNoteModal(smeta)
	if s.CallbackID != ViewSaveNote || s.Submit.Text != "Save note" {
		t.Errorf("save-note modal: callback %q, submit %q", s.CallbackID, s.Submit.Text)
	}
	if got, err := ParseSaveNoteMetadata(s.PrivateMetadata); err != nil || got != smeta {
		t.Errorf("save-note modal metadata %q -> %+v, %v", s.PrivateMetadata, got, err)
	}
	last := s.Blocks.BlockSet[len(s.Blocks.BlockSet)-1].(*slack.InputBlock)
	if last.BlockID != BlockCustomerEmail || last.Element.(*slack.EmailTextInputBlockElement).ActionID != ActionCustomerEmail || last.Optional {
		t.Errorf("email input: block %q, optional %v", last.BlockID, last.Optional)
	}
}

func TestHomeView(t *testing.T) {
	t.Parallel()
	js := string(viewPayload(t, HomeView(viewtest.RichHome(), plusone.HomeGestures{})))
	for _, want := range []string{
		"Hi <@U0AGENT01>!",
		"• *Jane Doe* · Loyal — looked her up · <!date^",
		":shopping_trolley: *Abandoned cart* — a checkout left open for 1 hour or more, not followed by an order",
		":repeat: *Repeat contact* — 3 tickets within 7 days",
		":hourglass_flowing_sand: *Long wait* — waiting 24 hours or more for a reply",
		":gem: *Big spender* — $1,000 or more in lifetime value",
		"CSAT 2/5 or NPS 6/10 or lower",
		":package: *Delayed order* — not fulfilled 5 days after the order",
		":wave: *First contact* — her first ticket, and no orders yet",
		"*Tiers:* New (no order yet) → Satisfied (has ordered) → Loyal → Advocate.",
		`*Your latest notes*\n• Sent a handwritten note for her birthday _— <!date^`,
	} {
		if !strings.Contains(js, want) {
			t.Errorf("home lacks %q", want)
		}
	}

	// Extra blocks come right after the header and its context line.
	budget := slack.NewSectionBlock(mrkdwn("*Your budget:* $75 of $100 left today"), nil, nil)
	v := HomeView(viewtest.RichHome(), plusone.HomeGestures{}, budget)
	if v.Blocks.BlockSet[2] != budget {
		t.Errorf("extra block at %T, want it third", v.Blocks.BlockSet[2])
	}

	// Too many extras are cut, and the view stays valid.
	var many []slack.Block
	for range 300 {
		many = append(many, slack.NewDividerBlock())
	}
	v = HomeView(viewtest.RichHome(), plusone.HomeGestures{}, many...)
	if err := ValidateView(v); err != nil {
		t.Error(err)
	}
	if !strings.Contains(string(viewPayload(t, v)), "…and 220 more not shown") {
		t.Error("cut extras are not counted")
	}
	if len(many) != 300 {
		t.Error("HomeView changed the caller's slice")
	}

	// Zero rules mean the defaults, not "off".
	if js := string(viewPayload(t, HomeView(plusone.AgentHome{}, plusone.HomeGestures{}))); !strings.Contains(js, "3 tickets within 7 days") ||
		!strings.Contains(js, "Nobody yet") || !strings.Contains(js, "No notes yet") {
		t.Errorf("empty home:\n%s", js)
	}
}

func TestUnfurlBlocks(t *testing.T) {
	t.Parallel()
	js := string(blocksPayload(t, UnfurlBlocks(viewtest.RichCard())))
	for _, want := range []string{`*Jane Doe* · Loyal\n$1,234.50 lifetime · 3 orders · 2 open tickets\n:shopping_trolley: *Abandoned cart*`,
		"_(+1 more)_", "plusone · zendesk:5158"} {
		if !strings.Contains(js, want) {
			t.Errorf("unfurl lacks %q", want)
		}
	}
	c := viewtest.HiddenPhoneCard()
	c.Hidden = []string{"name", "email"}
	if js := string(blocksPayload(t, UnfurlBlocks(c))); strings.Contains(js, "Jane") || strings.Contains(js, "jane@") {
		t.Errorf("unfurl shows what the policy hides:\n%s", js)
	}
}

func TestHelpMessageCoversEverything(t *testing.T) {
	t.Parallel()
	m := HelpMessage()
	js := string(payload(t, m))
	for _, want := range []string{"`/plusone jane@example.com`", "`/plusone Jane`", "`/plusone note jane@example.com",
		"`/plusone budget`", "`/plusone help`", "*Save as note*", "thread of a card", "*Add note / preference*", "App Home",
		"*Tiers*", "*Signals*", "Abandoned cart"} {
		if !strings.Contains(js, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if strings.ContainsAny(m.Plain, "*`") {
		t.Errorf("plain help keeps mrkdwn marks:\n%s", m.Plain)
	}
}
