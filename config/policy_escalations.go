package config

import (
	"slices"
	"strings"

	"github.com/plusone-hq/plusone"
	"go.yaml.in/yaml/v3"
)

// maxCardFields bounds card.fields: a card is read at a glance, and Slack
// caps a section's fields at ten.
const maxCardFields = 10

// maxCardFieldName bounds the name of one card field (a vendor's custom
// field names are short).
const maxCardFieldName = 100

// card reads the card section: the helpdesk facts it shows, in order.
func (w *walker) card(n *yaml.Node, path string) []string {
	f := w.fields(n, path, "fields")
	v := f["fields"]
	if v == nil {
		return nil
	}
	p := join(path, "fields")
	var out []string
	items := w.items(v, p)
	if len(items) > maxCardFields {
		w.fail(v, p, "at most %d fields, got %d (a card is read at a glance)", maxCardFields, len(items))
		items = items[:maxCardFields]
	}
	for i, it := range items {
		s, ok := w.scalar(it, index(p, i))
		if !ok {
			continue
		}
		switch {
		case len(s) > maxCardFieldName:
			w.fail(it, index(p, i), "field name longer than %d characters", maxCardFieldName)
		case slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, s) }):
			w.fail(it, index(p, i), "%q is listed twice", s)
		default:
			out = append(out, s)
		}
	}
	return out
}

// escalations reads the escalation rules, first match wins; supervisors
// are approvals.supervisors, whom notify: supervisors needs.
func (w *walker) escalations(n *yaml.Node, path string, supervisors []string) []plusone.Escalation {
	var out []plusone.Escalation
	for i, it := range w.items(n, path) {
		p := index(path, i)
		if it.Kind != yaml.MappingNode {
			w.fail(it, p, "want {when: {…}, unanswered: 30m, notify: C… or supervisors}, got %s", kindOf(it))
			continue
		}
		var e plusone.Escalation
		f := w.fields(it, p, "when", "unanswered", "notify")
		if v := f["when"]; v != nil && !isNull(resolve(v)) {
			e.When = w.escalationMatch(v, join(p, "when"))
		}
		if v := f["unanswered"]; v != nil {
			if d, ok := w.duration(v, join(p, "unanswered")); ok {
				if d == 0 {
					w.fail(v, join(p, "unanswered"), "must be more than 0, e.g. 30m or 2h")
				}
				e.Unanswered = d
			}
		} else {
			w.fail(it, join(p, "unanswered"), "required: how long a ticket may wait for an agent's reply, e.g. 30m")
		}
		if v := f["notify"]; v != nil {
			e.Notify = w.notify(v, join(p, "notify"), supervisors)
		} else {
			w.fail(it, join(p, "notify"), "required: %s, or supervisors", wantChannel)
		}
		out = append(out, e)
	}
	return out
}

// escalationMatch reads a rule's conditions: routing's and a signal.
func (w *walker) escalationMatch(n *yaml.Node, path string) plusone.EscalationMatch {
	f := w.fields(n, path, "source", "tier", "tag", "brand", "signal")
	m := plusone.EscalationMatch{RouteMatch: w.routeFields(f, path)}
	if v := f["signal"]; v != nil {
		if s, ok := w.scalar(v, join(path, "signal")); ok {
			if k := plusone.SignalKind(s); k.Valid() {
				m.Signal = k
			} else {
				w.fail(v, join(path, "signal"), "unknown signal %q (want %s)", s, oneOf(plusone.SignalKinds()))
			}
		}
	}
	return m
}

// notify reads where an escalation goes: a channel ID or supervisors.
func (w *walker) notify(n *yaml.Node, path string, supervisors []string) string {
	s, ok := w.scalar(n, path)
	if !ok {
		return ""
	}
	switch {
	case s == plusone.NotifySupervisors:
		if len(supervisors) == 0 {
			w.fail(n, path, "supervisors, but approvals.supervisors lists nobody")
		}
		return s
	case channelID.MatchString(s):
		return s
	}
	w.fail(n, path, "%q is neither %s nor supervisors", s, wantChannel)
	return ""
}
