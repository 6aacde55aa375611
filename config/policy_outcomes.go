package config

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plusone-hq/plusone"
	"go.yaml.in/yaml/v3"
)

// outcomes reads the outcomes section: holdout, windows, agent_feedback,
// digest and seed.
func (w *walker) outcomes(n *yaml.Node, path string) plusone.OutcomesPolicy {
	o := plusone.OutcomesPolicy{Windows: plusone.DefaultOutcomeWindows()}
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "want a mapping with holdout, windows, agent_feedback and digest, got %s", kindOf(n))
		return o
	}
	f := w.fields(n, path, "holdout", "windows", "agent_feedback", "digest", "seed")
	if v := f["holdout"]; v != nil {
		o.Holdout, _ = w.share(v, join(path, "holdout"))
	}
	if v := f["windows"]; v != nil {
		if ws := w.windows(v, join(path, "windows")); len(ws) > 0 {
			o.Windows = ws
		}
	}
	if v := f["agent_feedback"]; v != nil {
		o.AgentFeedback, _ = w.boolean(v, join(path, "agent_feedback"))
	}
	if v := f["digest"]; v != nil {
		o.Digest = w.digest(v, join(path, "digest"))
	}
	if v := f["seed"]; v != nil {
		o.Seed, _ = w.scalar(v, join(path, "seed"))
	}
	return o
}

// windows reads a non-empty list of distinct positive durations and
// returns them shortest first.
func (w *walker) windows(n *yaml.Node, path string) []time.Duration {
	items := w.items(n, path)
	if resolve(n).Kind == yaml.SequenceNode && len(items) == 0 {
		w.fail(n, path, "list at least one window, e.g. [30d, 90d]")
		return nil
	}
	var out []time.Duration
	seen := map[time.Duration]int{}
	for i, it := range items {
		p := index(path, i)
		d, ok := w.duration(it, p)
		if !ok {
			continue
		}
		if d == 0 {
			w.fail(it, p, "must be longer than 0, e.g. 30d")
			continue
		}
		if first, dup := seen[d]; dup {
			w.fail(it, p, "repeated (first on line %d); keep one", first)
			continue
		}
		seen[d] = it.Line
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// digestAt reads the time of a digest: "09:00", "Mon 09:00" or "1 09:00".
var digestAt = regexp.MustCompile(`^(?:(\S+)\s+)?(\d{1,2}):(\d{2})$`)

// digest reads {channel, every, at}.
func (w *walker) digest(n *yaml.Node, path string) *plusone.DigestSchedule {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, `want {channel: C…, every: day|week|month, at: "Mon 09:00"}, got %s`, kindOf(n))
		return nil
	}
	d := &plusone.DigestSchedule{Every: plusone.PerWeek, Weekday: time.Monday, Day: 1, Hour: 9}
	f := w.fields(n, path, "channel", "every", "at")
	if v := f["channel"]; v != nil {
		d.Channel, _ = w.str(v, join(path, "channel"), channelID, wantChannel)
	}
	periods := []plusone.Period{plusone.PerDay, plusone.PerWeek, plusone.PerMonth}
	if v := f["every"]; v != nil {
		if s, ok := w.scalar(v, join(path, "every")); ok {
			if slices.Contains(periods, plusone.Period(s)) {
				d.Every = plusone.Period(s)
			} else {
				w.fail(v, join(path, "every"), "unknown period %q (want %s)", s, oneOf(periods))
			}
		}
	}
	if v := f["at"]; v != nil {
		w.digestTime(v, join(path, "at"), d)
	}
	return d
}

// weekdays are the day names a weekly digest's at may start with.
var weekdays = []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}

// digestTime reads at into d: "HH:MM" for every day, "Mon HH:MM" for every
// week, "D HH:MM" (day of the month, 1 to 28) for every month.
func (w *walker) digestTime(n *yaml.Node, path string, d *plusone.DigestSchedule) {
	s, ok := w.scalar(n, path)
	if !ok {
		return
	}
	want := map[plusone.Period]string{plusone.PerDay: `"09:00"`, plusone.PerWeek: `"Mon 09:00"`, plusone.PerMonth: `"1 09:00" (the day of the month, 1 to 28)`}[d.Every]
	m := digestAt.FindStringSubmatch(s)
	if m == nil {
		w.fail(n, path, "%q is not a time of the digest (every %s: write e.g. %s)", s, d.Every, want)
		return
	}
	hour, _ := strconv.Atoi(m[2])
	minute, _ := strconv.Atoi(m[3])
	if hour > 23 || minute > 59 {
		w.fail(n, path, "%q is not a time of day (00:00 to 23:59)", s)
		return
	}
	d.Hour, d.Minute = hour, minute
	switch {
	case d.Every == plusone.PerWeek && m[1] != "":
		i := slices.IndexFunc(weekdays, func(wd string) bool { return strings.EqualFold(wd, m[1]) || strings.EqualFold(wd, clipDay(m[1])) })
		if i < 0 {
			w.fail(n, path, "unknown day %q (want %s)", m[1], oneOf(weekdays))
			return
		}
		d.Weekday = time.Weekday(i)
	case d.Every == plusone.PerMonth && m[1] != "":
		day, err := strconv.Atoi(m[1])
		if err != nil || day < 1 || day > 28 {
			w.fail(n, path, "%q is not a day of the month from 1 to 28 (every month has it)", m[1])
			return
		}
		d.Day = day
	case d.Every == plusone.PerDay && m[1] != "":
		w.fail(n, path, "a daily digest takes only a time, e.g. %s", want)
	}
}

// clipDay shortens a full day name ("Monday") to its first three letters.
func clipDay(s string) string {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}
