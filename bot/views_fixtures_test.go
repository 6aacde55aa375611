package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/slack-go/slack"
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

// sampleCustomers are the matches of a name lookup.
func sampleCustomers() []plusone.Customer {
	return []plusone.Customer{
		{ID: 42, Name: "Jane Doe", Email: "jane@example.com",
			Profile: plusone.Profile{Tier: plusone.TierLoyal, Orders: 3}},
		{ID: 43, Name: "Janet O'Neil & Sons <Ltd>", Email: "janet@oneil.example",
			Profile: plusone.Profile{Tier: plusone.TierAdvocate, Orders: 12}},
		{ID: 44, Email: "jan.k@example.org", Profile: plusone.Profile{Tier: plusone.TierNew}},
	}
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

// richHome is an agent who helped a few customers and wrote notes.
func richHome() plusone.AgentHome {
	c := richCard()
	return plusone.AgentHome{
		Agent: "U0AGENT01",
		Recent: []plusone.RecentCustomer{
			{Customer: c.View.Customer, What: "looked her up", At: ago(20 * time.Minute)},
			{Customer: sampleCustomers()[1], What: "noted", At: ago(26 * time.Hour)},
			{Customer: sampleCustomers()[2], What: "saved a message as a note", At: ago(40 * day)},
		},
		Notes:   c.View.Notes[1:3],
		Signals: plusone.DefaultSignalRules(),
		Now:     now,
	}
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
	h.Notes = extremeCard().View.Notes
	var extra []slack.Block
	for i := range 90 {
		extra = append(extra, slack.NewSectionBlock(mrkdwn(fmt.Sprintf("Budget section %d", i)), nil, nil))
	}
	return h, extra
}
