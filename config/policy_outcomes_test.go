package config

import (
	"reflect"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

const day = 24 * time.Hour

// The contract's outcomes section, with a per-gesture override.
func TestOutcomesPolicy(t *testing.T) {
	t.Parallel()
	p, err := ParsePolicy("o.yaml", []byte(`
gestures:
  - {id: free_express_shipping, title: Free express shipping, kind: shipping, value: 15, holdout: 0.2}
  - {id: handwritten_note, title: Note, kind: note, value: 4}
  - {id: gift, title: Gift, kind: gift, value: 9, holdout: 0}
outcomes:
  holdout: 0.10
  windows: [90d, 30d, 10s]
  agent_feedback: true
  digest: {channel: C0SUPERVISORS, every: week, at: "Mon 09:00"}
  seed: simulation-1
`))
	if err != nil {
		t.Fatalf("ParsePolicy: %v", err)
	}
	want := plusone.OutcomesPolicy{Holdout: 0.1, Windows: []time.Duration{10 * time.Second, 30 * day, 90 * day},
		AgentFeedback: true, Seed: "simulation-1",
		Digest: &plusone.DigestSchedule{Channel: "C0SUPERVISORS", Every: plusone.PerWeek, Weekday: time.Monday, Day: 1, Hour: 9}}
	if !reflect.DeepEqual(p.Outcomes, want) {
		t.Errorf("Outcomes = %+v, want %+v", p.Outcomes, want)
	}
	for i, share := range []float64{0.2, 0.1, 0} {
		if g := p.Gestures[i]; g.Holdout != share {
			t.Errorf("%s: Holdout = %v, want %v", g.ID, g.Holdout, share)
		}
	}
}

func TestOutcomesDefaults(t *testing.T) {
	t.Parallel()
	p, err := ParsePolicy("o.yaml", []byte("gestures: [{id: a, title: A, kind: note, value: 1}]\noutcomes: {holdout: 0.5}\n"))
	if err != nil {
		t.Fatalf("ParsePolicy: %v", err)
	}
	if !reflect.DeepEqual(p.Outcomes.Windows, plusone.DefaultOutcomeWindows()) || p.Outcomes.Digest != nil || p.Outcomes.AgentFeedback {
		t.Errorf("Outcomes = %+v, want the default windows, no digest, no feedback", p.Outcomes)
	}
	if p.Gestures[0].Holdout != 0.5 {
		t.Errorf("Holdout = %v, want outcomes.holdout 0.5", p.Gestures[0].Holdout)
	}
	digests := map[string]plusone.DigestSchedule{
		`{every: day, at: "17:30"}`:        {Every: plusone.PerDay, Weekday: time.Monday, Day: 1, Hour: 17, Minute: 30},
		`{every: week, at: "friday 8:05"}`: {Every: plusone.PerWeek, Weekday: time.Friday, Day: 1, Hour: 8, Minute: 5},
		`{every: month, at: "15 07:00"}`:   {Every: plusone.PerMonth, Weekday: time.Monday, Day: 15, Hour: 7},
		`{}`:                               {Every: plusone.PerWeek, Weekday: time.Monday, Day: 1, Hour: 9},
	}
	for in, want := range digests {
		p, err := ParsePolicy("o.yaml", []byte("outcomes: {digest: "+in+"}\n"))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if *p.Outcomes.Digest != want {
			t.Errorf("digest %s = %+v, want %+v", in, *p.Outcomes.Digest, want)
		}
	}
}

func TestOutcomesProblems(t *testing.T) {
	t.Parallel()
	_, err := ParsePolicy("o.yaml", []byte(`gestures:
  - {id: a, title: A, kind: note, value: 1, holdout: 1.5}
outcomes:
  holdout: ten
  windows: [30d, 0s, 30d, soon]
  agent_feedback: yes please
  digest:
    channel: supervisors
    every: fortnight
    at: "Someday 25:00"
  extra: 1
`))
	checkProblems(t, err, []string{
		`o.yaml:2: gestures[0].holdout: must be at least 0 and below 1 (0.1 holds out ten per cent), got 1.5`,
		`o.yaml:4: outcomes.holdout: "ten" is not a share (write e.g. 0.1 for ten per cent)`,
		`o.yaml:5: outcomes.windows[1]: must be longer than 0, e.g. 30d`,
		`o.yaml:5: outcomes.windows[2]: repeated (first on line 5); keep one`,
		`o.yaml:5: outcomes.windows[3]: "soon" is not a duration (write e.g. 30d, 720h or 90m)`,
		`o.yaml:6: outcomes.agent_feedback: want true or false, got "yes please"`,
		`o.yaml:8: outcomes.digest.channel: "supervisors" is not a Slack channel ID such as C0123ABCD (channel details, at the bottom)`,
		`o.yaml:9: outcomes.digest.every: unknown period "fortnight" (want day, week or month)`,
		`o.yaml:10: outcomes.digest.at: "Someday 25:00" is not a time of day (00:00 to 23:59)`,
		`o.yaml:11: outcomes.extra: unknown field (want holdout, windows, agent_feedback, digest or seed)`,
	})
	for in, want := range map[string]string{
		`{every: week, at: "Someday 09:00"}`: `o.yaml:1: outcomes.digest.at: unknown day "Someday" (want Sun, Mon, Tue, Wed, Thu, Fri or Sat)`,
		`{every: month, at: "31 09:00"}`:     `o.yaml:1: outcomes.digest.at: "31" is not a day of the month from 1 to 28 (every month has it)`,
		`{every: day, at: "Mon 09:00"}`:      `o.yaml:1: outcomes.digest.at: a daily digest takes only a time, e.g. "09:00"`,
		`{at: "nine"}`:                       `o.yaml:1: outcomes.digest.at: "nine" is not a time of the digest (every week: write e.g. "Mon 09:00")`,
	} {
		_, err := ParsePolicy("o.yaml", []byte("outcomes: {digest: "+in+"}\n"))
		checkProblems(t, err, []string{want})
	}
	_, err = ParsePolicy("o.yaml", []byte("outcomes: {windows: []}\n"))
	checkProblems(t, err, []string{`o.yaml:1: outcomes.windows: list at least one window, e.g. [30d, 90d]`})
}
