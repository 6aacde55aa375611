// Package console is the web console: server-rendered pages for people who
// would rather look than read. Customer search and a customer's timeline
// with her card as Slack shows it; the ledger and budgets with spend over
// time; outcomes with their intervals; pending approvals, decided through
// the same code as Slack's buttons; the policy in force and its history.
//
// People sign in with Slack (OpenID Connect, Auth). Supervisors (the
// policy's approvals.supervisors) see everything; an agent sees the
// customers she helped and her own gestures, and gets 403 for the rest.
// Without Sign in with Slack the console is open, which the caller allows
// only on a loopback address (Open).
//
// Every page is html/template with its assets embedded; charts are SVG
// drawn on the server by package chart. Every form carries a CSRF token and
// every request that changes something must come from the console's own
// origin (net/http.CrossOriginProtection).
package console

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/plusone-hq/plusone"
	"github.com/plusone-hq/plusone/gestures"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Console serves the pages under /console/.
type Console struct {
	Store  plusone.Store
	Policy func() *plusone.Policy
	// Gestures decides approvals (the same Resolve as Slack's buttons) and
	// reads budgets and pending requests.
	Gestures Gestures
	// Outcomes reads the outcomes report; nil says it is coming.
	Outcomes Outcomes
	// Auth signs people in with Slack; nil leaves the console open to
	// whoever reaches it (Open must then be true, else every page is 403).
	Auth *Auth
	// Open allows the console without signing in: local mode on a loopback
	// address. It is ignored when Auth is set.
	Open  bool
	Clock func() time.Time
	Log   *slog.Logger

	pages  map[string]*template.Template
	local  []byte // CSRF key of an open console (no sessions)
	assets http.Handler
}

// Gestures is what the console needs of gestures.Service.
type Gestures interface {
	Resolve(ctx context.Context, actor string, requestID int64, approve bool) (plusone.GestureResult, error)
	PendingApprovals(ctx context.Context, limit int) ([]plusone.LedgerEntry, map[int64]string, error)
	StaffBudgets(ctx context.Context) ([]plusone.BudgetLine, error)
	Budgets(ctx context.Context, agent string, customerID int64) ([]plusone.BudgetLine, error)
	Changes(ctx context.Context, limit int) ([]plusone.Override, error)
}

// Outcomes is what the console needs of outcomes.Service.
type Outcomes interface {
	Window(name string) (time.Duration, error)
	Report(ctx context.Context, window time.Duration, now time.Time) (plusone.OutcomesReport, error)
}

// Handler returns the console's routes, all under /console/. It fails
// only if an embedded template does not parse.
func (c *Console) Handler() (http.Handler, error) {
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c.pages = pages
	c.local = make([]byte, 32)
	if _, err := rand.Read(c.local); err != nil {
		return nil, fmt.Errorf("console: csrf key: %w", err)
	}
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		return nil, fmt.Errorf("console: assets: %w", err)
	}
	c.assets = http.StripPrefix("/console/assets/", http.FileServerFS(sub))

	mux := http.NewServeMux()
	mux.Handle("GET /console/assets/", c.cached(c.assets))
	mux.Handle("GET /console/login", c.handleLogin())
	mux.Handle("GET /console/auth/callback", c.handleCallback())
	mux.Handle("POST /console/logout", c.handleLogout())
	mux.Handle("GET /console/{$}", http.RedirectHandler("/console/customers", http.StatusSeeOther))
	mux.Handle("GET /console/customers", c.page(c.handleSearch()))
	mux.Handle("GET /console/customers/{id}", c.page(c.handleCustomer()))
	mux.Handle("GET /console/ledger", c.page(c.handleLedger()))
	mux.Handle("GET /console/outcomes", c.page(c.handleOutcomes()))
	mux.Handle("GET /console/approvals", c.page(c.handleApprovals()))
	mux.Handle("POST /console/approvals/{id}", c.page(c.handleDecide()))
	mux.Handle("GET /console/policy", c.page(c.handlePolicy()))
	mux.Handle("/console/", c.page(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, http.StatusNotFound, "There is no such page.")
	})))
	// Requests that change something must come from the console's own
	// origin (Sec-Fetch-Site, else Origin against Host); the forms' CSRF
	// tokens are checked as well, in the handlers.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, http.StatusForbidden, "This form was sent from another site; reload the page and try again.")
	}))
	return secureHeaders(cop.Handler(mux)), nil
}

// secureHeaders sets what every console answer carries: no framing (no
// click-jacking of the approval buttons), no sniffing, no referrer
// outside, and a policy that allows only the console's own assets and no
// script at all (the charts' SVG styles its shapes with style attributes,
// which are allowed).
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: https:; style-src 'self'; style-src-attr 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// cached lets browsers keep the embedded assets for a day.
func (c *Console) cached(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}

// viewer is who looks at a page.
type viewer struct {
	// ID is her Slack user ID; empty in an open console.
	ID   string
	Name string
	// Supervisor sees everything and decides approvals.
	Supervisor bool
	// Open is an open console's viewer (local mode): she sees everything
	// but cannot decide approvals, which need a supervisor's name.
	Open bool
	// csrf is the token the forms of her pages carry.
	csrf string
}

type viewerKey struct{}

// page requires a viewer: a valid session, or an open console. Without
// one a page redirects to Sign in with Slack, coming back here after.
func (c *Console) page(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		var v viewer
		switch {
		case c.Auth != nil:
			s, ok := c.Auth.session(r, c.now())
			if !ok {
				if r.Method != http.MethodGet {
					c.fail(w, r, http.StatusUnauthorized, "Your session has ended; sign in again.")
					return
				}
				http.Redirect(w, r, "/console/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			v = viewer{ID: s.User, Name: s.Name, Supervisor: gestures.IsSupervisor(c.Policy(), s.User), csrf: c.Auth.csrfToken(s)}
		case c.Open:
			v = viewer{Open: true, Supervisor: true, Name: "local mode", csrf: csrfMAC(c.local, "open")}
		default:
			c.fail(w, r, http.StatusForbidden, "The console is closed: set PLUSONE_SLACK_CLIENT_ID and PLUSONE_SLACK_CLIENT_SECRET "+
				"(Sign in with Slack), or listen on a loopback address in local mode.")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), viewerKey{}, v)))
	})
}

// viewerOf is the viewer page stored.
func viewerOf(r *http.Request) viewer {
	v, _ := r.Context().Value(viewerKey{}).(viewer)
	return v
}

// checkForm verifies a POST's CSRF token against the viewer's.
func checkForm(r *http.Request, v viewer) bool {
	return v.csrf != "" && equalToken(r.PostFormValue("csrf"), v.csrf)
}

func (c *Console) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

// errNotYours is the 403 of an agent who asks for what is not hers.
var errNotYours = errors.New("this belongs to another agent: supervisors see everything, agents their own customers and gestures")
