package console

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/plusone-hq/plusone"
)

// approvalsLimit is how many pending requests the page lists.
const approvalsLimit = 200

// approvalsPage lists the requests awaiting a supervisor.
type approvalsPage struct {
	Pending  []plusone.LedgerEntry
	Names    map[int64]string
	Currency string
	// CanDecide is false in an open console: a decision needs a
	// supervisor's name, which only signing in gives.
	CanDecide bool
	Done      string // what the last decision did, for the notice
	CSRF      string // the forms' token
}

// handleApprovals lists pending requests, oldest first, with approve and
// decline for supervisors; agents get 403.
func (c *Console) handleApprovals() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		if !v.Supervisor {
			c.fail(w, r, http.StatusForbidden, "Only the supervisors listed in the policy (approvals.supervisors) see and decide approvals.")
			return
		}
		pending, names, err := c.Gestures.PendingApprovals(r.Context(), approvalsLimit)
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		c.render(w, r, "approvals", "Pending approvals", "approvals", approvalsPage{Pending: pending, Names: names,
			Currency: c.Policy().Currency, CanDecide: !v.Open, Done: r.URL.Query().Get("done"), CSRF: v.csrf})
	})
}

// handleDecide approves or declines a request through gestures.Resolve,
// the code Slack's buttons run: the supervisor check, the budgets locked,
// the ledger entry, the notices and the card refresh, once.
func (c *Console) handleDecide() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := viewerOf(r)
		if !v.Supervisor || v.Open {
			c.fail(w, r, http.StatusForbidden, "Only a supervisor signed in with Slack decides approvals.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if !checkForm(r, v) {
			c.fail(w, r, http.StatusForbidden, "This form is stale; reload the page and try again.")
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			c.fail(w, r, http.StatusNotFound, "There is no such request.")
			return
		}
		var approve bool
		switch r.PostFormValue("decision") {
		case "approve":
			approve = true
		case "decline":
		default:
			c.fail(w, r, http.StatusBadRequest, "decision must be approve or decline.")
			return
		}
		res, err := c.Gestures.Resolve(r.Context(), v.ID, id, approve)
		if err != nil {
			c.failErr(w, r, err)
			return
		}
		done := "Request " + strconv.FormatInt(id, 10) + " " + string(res.Entry.Status) + "."
		if res.Duplicate {
			done = "Request " + strconv.FormatInt(id, 10) + " was already decided: " + string(res.Entry.Status) + "."
		}
		http.Redirect(w, r, "/console/approvals?done="+url.QueryEscape(done), http.StatusSeeOther)
	})
}
