package view

import (
	"fmt"
	"time"

	"github.com/plusone-hq/plusone"
)

// NoticeMessage renders a composed notice (see plusone.NoticeKind): an
// approval request, its outcome in its place, the outcome in the card's
// thread, a to-do (with a drafted note for a handwritten note) and its
// fulfilment in its place, a write-back's result, a data request, the
// supervisors' digest or an agent's feedback. A digest's chart is a file
// (DigestChartFile); it and an unknown kind are EINVALID errors.
func NoticeMessage(n plusone.ComposedNotice) (Message, error) {
	name := n.Customer.DisplayName()
	switch n.Kind {
	case plusone.NoticeApprovalRequest:
		p := n.Customer.Profile
		summary := fmt.Sprintf("%s · %s · %s lifetime · %d orders", name, p.Tier.Title(), p.LifetimeValue.Format(p.Currency), p.Orders)
		return ApprovalRequestMessage(n.First, name, summary, n.First.Blocking, n.Budgets), nil
	case plusone.NoticeApprovalDecided:
		return ApprovalDecidedMessage(n.First, n.Entry, name), nil
	case plusone.NoticeThreadOutcome:
		return ThreadOutcomeMessage(n.Entry, n.First.Title), nil
	case plusone.NoticeTodo:
		m := FulfilmentTodoMessage(n.First, name)
		if n.Draft != "" {
			m = WithDraft(m, n.Draft, n.DraftByModel)
		}
		return m, nil
	case plusone.NoticeFulfilled:
		return FulfilledMessage(n.Entry, n.Entry.By), nil
	case plusone.NoticeWriteback:
		return WritebackResultMessage(n.Entry, n.Target, n.Text, n.OK), nil
	case plusone.NoticeDataRequest:
		r := n.DataRequest
		return DataRequestMessage(string(r.Source), r.Shop, r.RequestID, r.Email, r.ExternalID), nil
	case plusone.NoticeTicketWork:
		return TicketWorkMessage(n.Text, n.OK), nil
	case plusone.NoticeErased:
		return ErasedNoticeMessage(), nil
	case plusone.NoticeDigest:
		return DigestMessage(n.Digest, n.Location), nil
	case plusone.NoticeEscalation:
		return EscalationMessage(n, n.ThreadTS != ""), nil
	case plusone.NoticeAgentFeedback:
		return AgentFeedbackMessage(n.Customer.DisplayName(), n.Customer.ID, n.Text, n.Entry.Title, n.Entry.CreatedAt, n.At), nil
	}
	return Message{}, plusone.Errorf(plusone.EINVALID, "unknown notice %q", n.Kind)
}

// File is a file shared in Slack, with the message that comes with it.
type File struct {
	Name, Title, Comment string
	Data                 []byte
}

// DigestChartFile is a digest's chart (plusone.NoticeDigestChart) as the
// PNG file shared after the digest.
func DigestChartFile(n plusone.ComposedNotice) File {
	loc := n.Location
	if loc == nil {
		loc = time.UTC
	}
	return File{
		Name:    "plusone-effects.png",
		Title:   "Effect of each gesture on repeat purchase, " + n.Digest.To.In(loc).Format("Jan 2"),
		Comment: "The difference in repeat purchase between customers offered each gesture and those held out, with its 95% interval.",
		Data:    n.Chart,
	}
}
