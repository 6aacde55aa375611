package config

import (
	"time"

	"github.com/plusone-hq/plusone"
	"go.yaml.in/yaml/v3"
)

// tiers reads the thresholds of the upper tiers. A tier left out keeps its
// default; a tier listed is replaced entirely, so `advocate: {}` turns the
// advocate tier off.
func (w *walker) tiers(n *yaml.Node, path string, rules plusone.TierRules) plusone.TierRules {
	es := w.entries(n, path)
	for _, e := range es {
		switch plusone.Tier(e.key) {
		case plusone.TierLoyal:
			rules.Loyal = w.tierRule(e.val, e.path)
		case plusone.TierAdvocate:
			rules.Advocate = w.tierRule(e.val, e.path)
		case plusone.TierNew, plusone.TierSatisfied:
			w.fail(e.keyNode, e.path, "tier %q is defined by orders (new: none yet, satisfied: at least one) and takes no thresholds; set loyal and advocate", e.key)
		default:
			w.fail(e.keyNode, e.path, "unknown tier %q (want loyal or advocate)", e.key)
		}
	}
	return rules
}

func (w *walker) tierRule(n *yaml.Node, path string) plusone.TierRule {
	var r plusone.TierRule
	f := w.fields(n, path, "min_orders", "min_spend", "min_nps", "min_csat")
	if v := f["min_orders"]; v != nil {
		r.MinOrders, _ = w.integer(v, join(path, "min_orders"), 0, 1_000_000)
	}
	if v := f["min_spend"]; v != nil {
		r.MinSpend, _ = w.money(v, join(path, "min_spend"))
	}
	if v := f["min_nps"]; v != nil {
		if i, ok := w.integer(v, join(path, "min_nps"), 0, 10); ok {
			r.MinNPS = &i
		}
	}
	if v := f["min_csat"]; v != nil {
		if i, ok := w.integer(v, join(path, "min_csat"), 1, 5); ok {
			r.MinCSAT = &i
		}
	}
	return r
}

// signals reads signal thresholds; each one left out keeps its default.
// A zero threshold turns delayed_order, long_wait and big_spender off.
func (w *walker) signals(n *yaml.Node, path string, r plusone.SignalRules) plusone.SignalRules {
	es := w.entries(n, path)
	for _, e := range es {
		switch plusone.SignalKind(e.key) {
		case plusone.SignalAbandonedCart:
			f := w.fields(e.val, e.path, "after")
			w.setDuration(f["after"], join(e.path, "after"), &r.AbandonedCartAfter)
		case plusone.SignalRepeatContact:
			f := w.fields(e.val, e.path, "count", "window")
			if v := f["count"]; v != nil {
				if i, ok := w.integer(v, join(e.path, "count"), 0, 1000); ok {
					r.RepeatContactCount = i
				}
			}
			w.setDuration(f["window"], join(e.path, "window"), &r.RepeatContactWindow)
		case plusone.SignalLowCSAT:
			f := w.fields(e.val, e.path, "csat_max", "nps_max")
			if v := f["csat_max"]; v != nil {
				if i, ok := w.integer(v, join(e.path, "csat_max"), 0, 5); ok {
					r.LowCSATMax = i
				}
			}
			if v := f["nps_max"]; v != nil {
				if i, ok := w.integer(v, join(e.path, "nps_max"), 0, 10); ok {
					r.LowNPSMax = i
				}
			}
		case plusone.SignalDelayedOrder:
			f := w.fields(e.val, e.path, "after")
			w.setDuration(f["after"], join(e.path, "after"), &r.DelayedOrderAfter)
		case plusone.SignalLongWait:
			f := w.fields(e.val, e.path, "after")
			w.setDuration(f["after"], join(e.path, "after"), &r.LongWaitAfter)
		case plusone.SignalBigSpender:
			f := w.fields(e.val, e.path, "min_spend")
			if v := f["min_spend"]; v != nil {
				if m, ok := w.money(v, join(e.path, "min_spend")); ok {
					r.BigSpenderMin = m
				}
			}
		case plusone.SignalFirstContact:
			w.fail(e.keyNode, e.path, "takes no thresholds (it holds on a customer's first open ticket); remove it")
		default:
			w.fail(e.keyNode, e.path, "unknown signal %q (want abandoned_cart, repeat_contact, low_csat, delayed_order, long_wait or big_spender)", e.key)
		}
	}
	return r
}

// setDuration sets *d from n when n is present and valid.
func (w *walker) setDuration(n *yaml.Node, path string, d *time.Duration) {
	if n == nil {
		return
	}
	if v, ok := w.duration(n, path); ok {
		*d = v
	}
}
