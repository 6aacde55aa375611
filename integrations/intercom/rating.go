package intercom

import (
	"strconv"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/integrations/internal/htmltext"
	"github.com/plusone-hq/plusone/integrations/internal/webhook"
)

// rating is a conversation's conversation_rating: the customer's 1-5
// rating and her remark.
type rating struct {
	Rating    text     `json:"rating"`
	Remark    string   `json:"remark"`
	CreatedAt unixTime `json:"created_at"`
	UpdatedAt unixTime `json:"updated_at"`
	Contact   struct {
		ID text `json:"id"`
	} `json:"contact"`
}

// feedback is the feedback.received event of conversation.rating.added, on
// the CSAT scale. Its ID names the conversation and the rating, so that the
// same rating notified twice is one feedback and a changed rating another.
func (c *conversation) feedback(n notification, ref plusone.CustomerRef, t *plusone.Ticket) (plusone.Event, error) {
	if c.Rating == nil {
		return plusone.Event{}, webhook.Invalid(`field "data.item.conversation_rating": required for topic conversation.rating.added`)
	}
	score, err := strconv.Atoi(string(c.Rating.Rating))
	if err != nil || score < 1 || score > 5 {
		return plusone.Event{}, webhook.Invalid(`field "data.item.conversation_rating.rating": %q is not a rating from 1 to 5`, webhook.Clip(string(c.Rating.Rating)))
	}
	e := newEvent(n, plusone.EventFeedbackReceived, firstTime(c.Rating.UpdatedAt.Time(), c.Rating.CreatedAt.Time(), c.UpdatedAt.Time()))
	e.ID = "conversation:" + string(c.ID) + ":rating:" + strconv.Itoa(score)
	e.Customer, e.Ticket = ref, t
	e.Feedback = &plusone.Feedback{Score: score, Scale: plusone.ScaleCSAT, Comment: htmltext.Text(c.Rating.Remark)}
	return e, nil
}
