package config

import (
	"maps"
	"regexp"
	"slices"

	"github.com/plusone-hq/plusone"
	"go.yaml.in/yaml/v3"
)

var (
	// userID matches a Slack user ID (U…, or W… in Enterprise Grid).
	userID   = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)
	wantUser = "a Slack user ID such as U0123ABCD (profile → ⋮ → Copy member ID)"
	// roleName is what a role may be called.
	roleName = regexp.MustCompile(`^[a-z0-9_]+$`)
	// teamID is what a team may be called.
	teamID      = regexp.MustCompile(`^[a-z0-9_-]+$`)
	wantChannel = "a Slack channel ID such as C0123ABCD (channel details, at the bottom)"
)

// roles reads the empowerment limits by role name. A role with a problem in
// its limits is still defined, so members naming it are not reported twice.
func (w *walker) roles(n *yaml.Node, path string) map[string]plusone.Role {
	out := map[string]plusone.Role{}
	es := w.entries(n, path)
	for _, e := range es {
		if !roleName.MatchString(e.key) {
			w.fail(e.keyNode, e.path, "%q is not a valid role name (lower-case letters, digits and _)", e.key)
			continue
		}
		var r plusone.Role
		f := w.fields(e.val, e.path, "max_per_gesture", "budget")
		if v := f["max_per_gesture"]; v != nil {
			r.MaxPerGesture, _ = w.money(v, join(e.path, "max_per_gesture"))
		} else {
			w.fail(e.val, join(e.path, "max_per_gesture"), "required: the most one gesture may cost without approval (0 sends every offer for approval)")
		}
		if v := f["budget"]; v != nil {
			r.Budget = w.budget(v, join(e.path, "budget"))
		}
		out[e.key] = r
	}
	return out
}

// budget reads {amount, per}.
func (w *walker) budget(n *yaml.Node, path string) *plusone.Budget {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "want {amount: …, per: day|week|month}, got %s", kindOf(n))
		return nil
	}
	b := &plusone.Budget{}
	f := w.fields(n, path, "amount", "per")
	if v := f["amount"]; v != nil {
		b.Amount, _ = w.money(v, join(path, "amount"))
	} else {
		w.fail(n, join(path, "amount"), "required: how much may be spent per period, e.g. 100")
	}
	periods := []plusone.Period{plusone.PerDay, plusone.PerWeek, plusone.PerMonth}
	if v := f["per"]; v != nil {
		if s, ok := w.scalar(v, join(path, "per")); ok {
			if slices.Contains(periods, plusone.Period(s)) {
				b.Per = plusone.Period(s)
			} else {
				w.fail(v, join(path, "per"), "unknown period %q (want %s)", s, oneOf(periods))
			}
		}
	} else {
		w.fail(n, join(path, "per"), "required: %s", oneOf(periods))
	}
	return b
}

// members reads Slack user ID -> role; every role must be defined.
func (w *walker) members(n *yaml.Node, path string, roles map[string]plusone.Role) map[string]string {
	out := map[string]string{}
	es := w.entries(n, path)
	for _, e := range es {
		if !userID.MatchString(e.key) {
			w.fail(e.keyNode, e.path, "%q is not %s", e.key, wantUser)
			continue
		}
		role, ok := w.scalar(e.val, e.path)
		if !ok {
			continue
		}
		if _, ok := roles[role]; !ok {
			w.fail(e.val, e.path, "unknown role %q (roles defines %s)", role, oneOf(slices.Sorted(maps.Keys(roles))))
			continue
		}
		out[e.key] = role
	}
	return out
}

// teams reads the teams; ids are unique and an agent is in one team at most.
func (w *walker) teams(n *yaml.Node, path string) []plusone.Team {
	var out []plusone.Team
	ids := map[string]int{} // team id -> line
	type place struct {
		team, line int
		id         string
	}
	placed := map[string]place{} // user -> where first listed
	for i, it := range w.items(n, path) {
		p := index(path, i)
		if it.Kind != yaml.MappingNode {
			w.fail(it, p, "want a mapping with id, members and budget, got %s", kindOf(it))
			continue
		}
		var t plusone.Team
		f := w.fields(it, p, "id", "members", "budget")
		if v := f["id"]; v != nil {
			if id, ok := w.str(v, join(p, "id"), teamID, "a valid team id (lower-case letters, digits, _ and -)"); ok {
				if first, dup := ids[id]; dup {
					w.fail(v, join(p, "id"), "duplicate team id %q (first on line %d)", id, first)
				} else {
					ids[id] = v.Line
				}
				t.ID = id
			}
		} else {
			w.fail(it, join(p, "id"), "required: a name such as frontline")
		}
		if v := f["members"]; v != nil {
			mp := join(p, "members")
			for j, m := range w.items(v, mp) {
				u, ok := w.str(m, index(mp, j), userID, wantUser)
				if !ok {
					continue
				}
				if first, dup := placed[u]; dup {
					if first.team == i {
						w.fail(m, index(mp, j), "%s is listed twice (first on line %d)", u, first.line)
					} else {
						w.fail(m, index(mp, j), "%s is already in team %q (line %d); an agent belongs to one team at most", u, first.id, first.line)
					}
					continue
				}
				placed[u] = place{team: i, line: m.Line, id: t.ID}
				t.Members = append(t.Members, u)
			}
		}
		if v := f["budget"]; v != nil {
			t.Budget = w.budget(v, join(p, "budget"))
		}
		out = append(out, t)
	}
	return out
}

// approvals reads where approval requests go and who decides them.
func (w *walker) approvals(n *yaml.Node, path string, a plusone.Approvals) plusone.Approvals {
	f := w.fields(n, path, "channel", "supervisors", "expire")
	if v := f["channel"]; v != nil {
		a.Channel, _ = w.str(v, join(path, "channel"), channelID, wantChannel)
	}
	if v := f["supervisors"]; v != nil {
		a.Supervisors = w.strs(v, join(path, "supervisors"), userID, wantUser)
	}
	if v := f["expire"]; v != nil {
		if d, ok := w.duration(v, join(path, "expire")); ok {
			if d == 0 {
				w.fail(v, join(path, "expire"), "must be more than 0, e.g. 24h")
			} else {
				a.Expire = d
			}
		}
	}
	return a
}
