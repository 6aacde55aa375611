package view

import (
	"cmp"
	"strings"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
)

// maxCustomerSummary is the longest customer summary an approval request shows.
const maxCustomerSummary = 200

// ApprovalRequestMessage asks the approvals channel to decide on e (a
// pending_approval entry): the customer in one line (customerSummary,
// pre-formatted: "Jane Doe · Loyal · $1,234.50 lifetime"), the gesture and
// its value, who asks and why it needs approval (each of blocking, else
// e.Reason), the budgets it would touch (each of budgets), and Approve
// (primary) and Decline (danger) buttons: ActionApproveGesture and
// ActionDeclineGesture, valued the request ID. A customer budget line
// whose Key is e's customer is named customerName.
func ApprovalRequestMessage(e plusone.LedgerEntry, customerName, customerSummary string, blocking []string,
	budgets []plusone.BudgetLine) Message {
	it := newGestureItem(e, "")
	name := customerLabel(customerName, e.CustomerID)
	ask := func(r renderer) string {
		who := "An agent"
		if !it.agent.empty() {
			who = r.who(it.agent)
		}
		s := who + " asks to offer " + r.bold(r.esc(it.title))
		if it.value != "" {
			s += " (" + r.bold(r.esc(it.value)) + ")"
		}
		return s + " to " + r.bold(r.esc(name)) + "."
	}
	about := truncate(clean(customerSummary), maxCustomerSummary)
	date, plainDate := when(e.CreatedAt)

	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(":raised_hand: "+ask(mrkdwnRenderer)), nil, nil)}
	var b strings.Builder
	b.WriteString("Approval needed\n" + ask(textRenderer) + "\n")
	if ctx := details("", escape(about), escape(it.ticket), date); ctx != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(ctx)))
		b.WriteString(details("", about, it.ticket, plainDate) + "\n")
	}

	why := cleanLines(blocking, maxReason)
	if len(why) == 0 && it.reason != "" {
		why = []string{it.reason}
	}
	if len(why) > 0 {
		block, text := reasonsBlock("Why it needs your approval", "Why it needs your approval", why)
		blocks = append(blocks, block)
		b.WriteString(text)
	}

	if len(budgets) > 0 {
		budgets = sortBudgets(budgets)
		label := func(r renderer, l plusone.BudgetLine) string {
			cust := ""
			if l.Scope == plusone.ScopeCustomer && clean(l.Key) == plusone.CustomerBudgetKey(e.CustomerID) {
				cust = name
			}
			return r.bold(budgetLabel(r, l, false, cust)) + ": " + r.esc(budgetAmount(l, e.Currency, false))
		}
		var mk, pl []string
		for i, l := range budgets {
			if i < maxBudgetLines {
				mk = append(mk, "• "+label(mrkdwnRenderer, l))
			}
			pl = append(pl, label(textRenderer, l))
		}
		blocks = append(blocks, section("*Budgets it would touch*", mk, len(budgets)-len(mk), budgetsBudget))
		b.WriteString("Budgets it would touch\n" + bullets(pl, maxBudgetLines, false) + "\n")
	}

	if id := it.requestValue(); id != "" {
		blocks = append(blocks, decisionButtons(id))
		b.WriteString("Approve or decline it in Slack (request " + id + ").\n")
	}
	return Message{Text: escape("Approval needed: " + textRenderer.subject(it) + " for " + name), Blocks: blocks, Plain: b.String()}
}

// decisionButtons are the Approve (primary) and Decline (danger) buttons
// of the approval request id: ActionApproveGesture and ActionDeclineGesture.
func decisionButtons(id string) *slack.ActionBlock {
	return slack.NewActionBlock("",
		slack.NewButtonBlockElement(ActionApproveGesture, id, plain("Approve")).WithStyle(slack.StylePrimary),
		slack.NewButtonBlockElement(ActionDeclineGesture, id, plain("Decline")).WithStyle(slack.StyleDanger),
	)
}

// ApprovalDecidedMessage replaces an approval request (request, the
// pending entry) once it is decided, without buttons: "Approved by
// <@U0SUP>", "Declined by <@U0SUP>" (with the reason, if any) or
// "Expired", when (outcome.CreatedAt), and what was asked for whom.
func ApprovalDecidedMessage(request plusone.LedgerEntry, outcome plusone.LedgerEntry, customerName string) Message {
	req := newGestureItem(request, "")
	out := newGestureItem(outcome, "")
	name := customerLabel(customerName, cmp.Or(request.CustomerID, outcome.CustomerID))
	verdict := func(r renderer) string {
		switch outcome.Status {
		case plusone.StatusApproved:
			return r.bold("Approved") + r.by("", out.by)
		case plusone.StatusDeclined:
			return r.bold("Declined") + r.by("", out.by)
		case plusone.StatusExpired:
			return r.bold("Expired") + ": nobody decided in time"
		}
		return r.bold(r.esc(cmp.Or(statusWords(outcome.Status), "Decided"))) + r.by("", out.by)
	}
	asked := func(r renderer) string {
		who := "An agent"
		if !req.agent.empty() {
			who = r.who(req.agent)
		}
		return who + " asked to offer " + r.bold(r.subject(req)) + " to " + r.bold(r.esc(name)) + "."
	}
	date, plainDate := when(outcome.CreatedAt)
	head := mrkdwnRenderer.emoji(outcome.Status) + " " + verdict(mrkdwnRenderer)
	plainHead := verdict(textRenderer)
	if date != "" {
		head += " · " + date
		plainHead += " · " + plainDate
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(head+"\n"+asked(mrkdwnRenderer)), nil, nil)}
	plainText := plainHead + "\n" + asked(textRenderer) + "\n"
	if out.reason != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn("“"+escape(out.reason)+"”")))
		plainText += "“" + out.reason + "”\n"
	}
	fallback := verdict(textRenderer) + " — " + textRenderer.subject(req) + " for " + name
	return Message{Text: escape(fallback), Blocks: blocks, Plain: plainText}
}

// FulfilmentTodoMessage is the to-do of a physical gesture (kinds note
// and gift) that someone has to send: "To do: Handwritten thank-you note
// for Jane Doe", who offered it, when and from which ticket, and a "Mark
// sent" button (ActionMarkSent, valued the request ID).
func FulfilmentTodoMessage(e plusone.LedgerEntry, customerName string) Message {
	it := newGestureItem(e, "")
	name := customerLabel(customerName, e.CustomerID)
	var accessory *slack.Accessory
	if id := it.requestValue(); id != "" {
		accessory = slack.NewAccessory(slack.NewButtonBlockElement(ActionMarkSent, id, plain("Mark sent")).WithStyle(slack.StylePrimary))
	}
	date, plainDate := when(e.CreatedAt)
	ctx := func(r renderer, date string) string {
		offered := ""
		if !it.agent.empty() {
			offered = "offered by " + r.who(it.agent)
		}
		return details("", r.esc(it.value), offered, date, r.esc(it.ticket))
	}
	blocks := []slack.Block{slack.NewSectionBlock(mrkdwn(
		":package: *To do:* "+escape(it.title)+" for *"+escape(name)+"*"), nil, accessory)}
	plainText := "To do: " + it.title + " for " + name + "\n"
	if c := ctx(mrkdwnRenderer, date); c != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(c)))
		plainText += ctx(textRenderer, plainDate) + "\n"
	}
	return Message{Text: escape("To do: " + it.title + " for " + name), Blocks: blocks, Plain: plainText}
}

// FulfilledMessage replaces a to-do once it was marked sent, without a
// button: what was sent, who marked it (by, else e.By) and when
// (e.CreatedAt: e is the fulfilled entry), who offered it and from which
// ticket. It has no customer name: it says "customer #42".
func FulfilledMessage(e plusone.LedgerEntry, by string) Message {
	it := newGestureItem(e, "")
	if p := newPerson(by); !p.empty() {
		it.by = p
	}
	title := it.title + " for " + customerLabel("", e.CustomerID)
	date, plainDate := when(e.CreatedAt)
	ctx := func(r renderer, date string) string {
		offered := ""
		if !it.agent.empty() {
			offered = "offered by " + r.who(it.agent)
		}
		return details("", r.by("marked sent", it.by), date, offered, r.esc(it.ticket))
	}
	return Message{
		Text: escape("Sent: " + title),
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn(":white_check_mark: *Sent:* "+escape(title)), nil, nil),
			slack.NewContextBlock("", mrkdwn(ctx(mrkdwnRenderer, date))),
		},
		Plain: "Sent: " + title + "\n" + ctx(textRenderer, plainDate) + "\n",
	}
}
