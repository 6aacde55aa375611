package console

import (
	"maps"
	"net/http"
	"slices"

	"github.com/plusone-hq/plusone"
)

// historyLimit is how many loads and overrides the policy page lists.
const historyLimit = 100

// policyPage is the policy in force and its history.
type policyPage struct {
	Policy    *plusone.Policy
	Roles     []roleRow
	Loads     []loadRow
	Overrides []plusone.Override
}

type roleRow struct {
	Name string
	Role plusone.Role
}

// loadRow is one load; Changed marks a hash unlike the load before it.
type loadRow struct {
	plusone.PolicyLoad
	Changed bool
}

// handlePolicy shows the policy in force (gestures, roles, teams,
// budgets, supervisors, outcomes) and its history: every load of the file
// by every instance, a change of its hash marked, and the supervisors'
// changes made in Slack.
func (c *Console) handlePolicy() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := c.Policy()
		page := policyPage{Policy: p}
		for _, name := range slices.Sorted(maps.Keys(p.Roles)) {
			page.Roles = append(page.Roles, roleRow{Name: name, Role: p.Roles[name]})
		}
		ctx := r.Context()
		var loads []plusone.PolicyLoad
		err := c.Store.View(ctx, func(tx plusone.Tx) error {
			var err error
			loads, err = tx.PolicyLoads(ctx, historyLimit+1)
			return err
		})
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		for i, l := range loads[:min(len(loads), historyLimit)] {
			// Newest first: the load before this one is the next in the list.
			changed := i+1 < len(loads) && loads[i+1].Hash != l.Hash
			page.Loads = append(page.Loads, loadRow{PolicyLoad: l, Changed: changed})
		}
		if page.Overrides, err = c.Gestures.Changes(ctx, historyLimit); err != nil {
			c.failErr(w, r, err)
			return
		}
		c.render(w, r, "policy", "Policy", "policy", page)
	})
}
