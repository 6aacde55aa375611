package view

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/bot/view/viewtest"
)

// viewPayload is a modal or Home tab as views.open / views.publish receive
// it, readable like payload's messages.
func viewPayload(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// As in payload. The private_metadata inside stays valid JSON: it
	// holds no \u003c of its own (see encodeMeta).
	s := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
	return []byte(s + "\n")
}

// blocksPayload is a list of blocks (an unfurl) as Slack receives it.
func blocksPayload(t *testing.T, blocks []slack.Block) []byte {
	t.Helper()
	return viewPayload(t, slack.Blocks{BlockSet: blocks})
}

// extremeCustomers are more matches than a list shows, with names and
// emails that need cleaning and escaping.
func extremeCustomers() []plusone.Customer {
	var cs []plusone.Customer
	for i := range 15 {
		cs = append(cs, plusone.Customer{ID: int64(1000 + i),
			Name:    fmt.Sprintf("Jane %d <!channel> & *bold*\n\x1b[31m%s", i, strings.Repeat("Bartholomäa 👩‍🚀 ", 20)),
			Email:   strings.Repeat("j", 200) + "@example.com",
			Profile: plusone.Profile{Tier: plusone.TierSatisfied, Orders: 1 + i*1000}})
	}
	cs = append(cs, plusone.Customer{}) // nothing known, not even an ID
	return cs
}

// extremeHome has more of everything than the Home shows, escaping-heavy
// text, thresholds switched off, and more extra blocks than fit.
func extremeHome() (plusone.AgentHome, []slack.Block) {
	h := plusone.AgentHome{Agent: "<!channel>", Now: now,
		Signals: plusone.SignalRules{RepeatContactCount: 1, LowCSATMax: 3, LowNPSMax: 7, BigSpenderMin: 2500_50}}
	for i, c := range extremeCustomers() {
		h.Recent = append(h.Recent, plusone.RecentCustomer{Customer: c,
			What: strings.Repeat("<b>did</b> & ", 30), At: ago(time.Duration(i) * day)})
	}
	h.Notes = viewtest.ExtremeCard().View.Notes
	var extra []slack.Block
	for i := range 90 {
		extra = append(extra, slack.NewSectionBlock(mrkdwn(fmt.Sprintf("Budget section %d", i)), nil, nil))
	}
	return h, extra
}

// actionIDs collects every action_id in rendered Slack JSON.
func actionIDs(t *testing.T, v any, into map[string]bool) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if id, ok := x["action_id"].(string); ok {
				if g, isOffer := IsOfferAction(id); isOffer && g != "" {
					id = ActionOfferGesture // one handler for every gesture's button
				}
				into[id] = true
			}
			for _, v := range x {
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	walk(doc)
}
