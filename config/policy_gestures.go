package config

import (
	"regexp"
	"slices"

	"github.com/plusone-hq/plusone"
	"go.yaml.in/yaml/v3"
)

// gestureID is what a gesture's id may look like; ids end up in Slack
// action values and ledger entries.
var gestureID = regexp.MustCompile(`^[a-z0-9_]+$`)

// gestures reads the list of gestures; ids must be unique.
func (w *walker) gestures(n *yaml.Node, path string) []plusone.Gesture {
	var out []plusone.Gesture
	seen := map[string]int{} // id -> line
	for i, it := range w.items(n, path) {
		p := index(path, i)
		g, ok := w.gesture(it, p)
		if !ok {
			continue
		}
		if first, dup := seen[g.ID]; dup {
			w.fail(it, join(p, "id"), "duplicate id %q (first on line %d); ids must be unique", g.ID, first)
			continue
		}
		seen[g.ID] = it.Line
		out = append(out, g)
	}
	return out
}

// gesture reads one gesture. It reports false when the gesture has no
// usable id; its other problems are recorded but do not drop it, so that
// duplicates are still found.
func (w *walker) gesture(n *yaml.Node, path string) (plusone.Gesture, bool) {
	var g plusone.Gesture
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "want a mapping with id, title, kind and value, got %s", kindOf(n))
		return g, false
	}
	f := w.fields(n, path, "id", "title", "kind", "value", "eligible", "cooldown", "paused", "holdout")
	idOK := false
	if v := f["id"]; v != nil {
		g.ID, idOK = w.str(v, join(path, "id"), gestureID, "a valid id (lower-case letters, digits and _, e.g. free_shipping)")
	} else {
		w.fail(n, join(path, "id"), "required: a unique name such as free_express_shipping")
	}
	if v := f["title"]; v != nil {
		g.Title, _ = w.scalar(v, join(path, "title"))
	} else {
		w.fail(n, join(path, "title"), "required: what agents see on the button")
	}
	if v := f["kind"]; v != nil {
		if k, ok := w.scalar(v, join(path, "kind")); ok {
			if slices.Contains(plusone.GestureKinds(), k) {
				g.Kind = k
			} else {
				w.fail(v, join(path, "kind"), "unknown kind %q (want %s)", k, oneOf(plusone.GestureKinds()))
			}
		}
	} else {
		w.fail(n, join(path, "kind"), "required: one of %s", oneOf(plusone.GestureKinds()))
	}
	if v := f["value"]; v != nil {
		if m, ok := w.money(v, join(path, "value")); ok {
			if m == 0 {
				w.fail(v, join(path, "value"), "must be more than 0: what a grant costs the budgets")
			}
			g.Value = m
		}
	} else {
		w.fail(n, join(path, "value"), "required: what a grant costs the budgets, e.g. 15.00")
	}
	if v := f["eligible"]; v != nil {
		g.Eligible = w.eligibility(v, join(path, "eligible"))
	}
	if v := f["cooldown"]; v != nil {
		g.Cooldown, _ = w.duration(v, join(path, "cooldown"))
	}
	if v := f["paused"]; v != nil {
		g.Paused, _ = w.boolean(v, join(path, "paused"))
	}
	if v := f["holdout"]; v != nil {
		var ok bool
		if g.Holdout, ok = w.share(v, join(path, "holdout")); ok && idOK {
			w.ownHoldout[g.ID] = true
		}
	}
	return g, idOK
}

// eligibility reads the tiers and signals a gesture is offered for.
func (w *walker) eligibility(n *yaml.Node, path string) plusone.Eligibility {
	var e plusone.Eligibility
	f := w.fields(n, path, "tiers", "signals")
	if v := f["tiers"]; v != nil {
		e.Tiers = w.tierList(v, join(path, "tiers"))
	}
	if v := f["signals"]; v != nil {
		p := join(path, "signals")
		for i, it := range w.items(v, p) {
			s, ok := w.scalar(it, index(p, i))
			if !ok {
				continue
			}
			if k := plusone.SignalKind(s); k.Valid() {
				e.Signals = append(e.Signals, k)
			} else {
				w.fail(it, index(p, i), "unknown signal %q (want %s)", s, oneOf(plusone.SignalKinds()))
			}
		}
	}
	return e
}

// tierList reads a list of tier names.
func (w *walker) tierList(n *yaml.Node, path string) []plusone.Tier {
	var out []plusone.Tier
	for i, it := range w.items(n, path) {
		if t, ok := w.tier(it, index(path, i)); ok {
			out = append(out, t)
		}
	}
	return out
}

// tier reads one tier name.
func (w *walker) tier(n *yaml.Node, path string) (plusone.Tier, bool) {
	s, ok := w.scalar(n, path)
	if !ok {
		return "", false
	}
	if t := plusone.Tier(s); t.Valid() {
		return t, true
	}
	w.fail(n, path, "unknown tier %q (want %s)", s, oneOf(plusone.Tiers()))
	return "", false
}
