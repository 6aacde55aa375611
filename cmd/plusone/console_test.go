package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plusone-hq/plusone"
)

// consoleApp starts the program with Sign in with Slack against fake,
// behind a public proxy, with the gesture policy (supervisor U0SUP, agent
// budget 10 a day) and n customers with a card each; U0ANA's offer to the
// first customer waits for approval. It returns the app, its store, the
// customers, the public URL and the pending request's ID.
func consoleApp(t *testing.T, n int) *consoleEnv {
	t.Helper()
	slack := newFakeSlack(t)
	fake := newFakeOIDC(t)
	proxy := newPublicProxy(t)
	app, store, ids := gestureApp(t, slack, "10", n, map[string]string{
		"PLUSONE_SLACK_CLIENT_ID": oidcClientID, "PLUSONE_SLACK_CLIENT_SECRET": oidcClientSecret,
		"PLUSONE_PUBLIC_URL": proxy.srv.URL, "PLUSONE_SLACK_OIDC_URL": fake.srv.URL,
	})
	proxy.forwardTo(t, app.base)
	click(t, app, slack, "U0ANA", ids[0], 0, "free_express_shipping", "ask")
	var request int64
	eventually(t, 30*time.Second, "the request for approval", func() bool {
		for _, e := range ledger(t, app, "?agent=U0ANA") {
			if e["status"] == "pending_approval" {
				request = int64(e["request_id"].(float64))
			}
		}
		return request != 0
	})
	return &consoleEnv{app: app, store: store, ids: ids, public: proxy.srv.URL, request: request, oidc: fake, slack: slack}
}

// consoleEnv is a running program with the console behind Sign in with
// Slack, and its fakes.
type consoleEnv struct {
	app     *testApp
	store   plusone.Store
	ids     []int64
	public  string // the public URL (PLUSONE_PUBLIC_URL)
	request int64  // U0ANA's request waiting for approval
	oidc    *fakeOIDC
	slack   *fakeSlack
}

// browserless is a person's browser without JavaScript: cookies kept,
// redirects followed by hand so that each answer can be looked at.
type browserless struct {
	t      *testing.T
	client *http.Client
}

func newBrowserless(t *testing.T) *browserless {
	jar, _ := cookiejar.New(nil)
	return &browserless{t: t, client: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches u and returns the answer with its body read.
func (b *browserless) get(u string) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.client.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// follow fetches u and follows redirects; it returns every answer.
func (b *browserless) follow(u string) []*http.Response {
	b.t.Helper()
	var chain []*http.Response
	for range 10 {
		resp, _ := b.get(u)
		chain = append(chain, resp)
		loc := resp.Header.Get("Location")
		if loc == "" {
			return chain
		}
		next, err := resp.Request.URL.Parse(loc)
		if err != nil {
			b.t.Fatal(err)
		}
		u = next.String()
	}
	b.t.Fatalf("too many redirects from %s", u)
	return nil
}

var allowLink = regexp.MustCompile(`id="allow" href="([^"]+)"`)

// signIn opens page without a session, is sent to Slack's authorize page,
// continues there and comes back; it returns the callback's answer and
// the last one.
func (b *browserless) signIn(page string) (callback, last *http.Response, body string) {
	b.t.Helper()
	chain := b.follow(page)
	authorize := chain[len(chain)-1]
	if authorize.StatusCode != 200 || !strings.Contains(authorize.Request.URL.Path, "/openid/connect/authorize") {
		b.t.Fatalf("no session: %s ended at %s %d", page, authorize.Request.URL, authorize.StatusCode)
	}
	_, html := b.get(authorize.Request.URL.String())
	m := allowLink.FindStringSubmatch(html)
	if m == nil {
		b.t.Fatalf("no Continue link on the authorize page:\n%s", html)
	}
	back := strings.ReplaceAll(m[1], "&amp;", "&")
	chain = b.follow(back)
	last = chain[len(chain)-1]
	resp, body := b.get(last.Request.URL.String())
	return chain[0], resp, body
}

// csrfOf finds the CSRF token of a page's forms.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", body)
	}
	return m[1]
}

// post sends a form as the browser would from origin.
func (b *browserless) post(u, origin string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// Sign in with Slack, sessions and forms as a user meets them over HTTP:
// a page without a session goes to Slack's authorize page with the scopes
// openid, email and profile; the session cookie is HttpOnly and
// SameSite=Lax; a tampered cookie is no session; a decision needs the
// form's CSRF token and the console's own origin; id tokens that are
// forged, for another nonce or of another workspace sign nobody in.
func TestConsoleSignInAndForms(t *testing.T) {
	t.Parallel()
	env := consoleApp(t, 1)
	app, public, request, fake := env.app, env.public, env.request, env.oidc

	// An agent: her own ledger, 403 for another's and for approvals.
	fake.signInAs("U0BEN", "Ben Agent", ourTeam)
	ben := newBrowserless(t)
	callback, last, body := ben.signIn(public + "/console/ledger")
	if last.StatusCode != 200 || last.Request.URL.Path != "/console/ledger" || !strings.Contains(body, "Ben Agent (agent)") {
		t.Fatalf("after sign-in: %s %d\n%s", last.Request.URL, last.StatusCode, body)
	}
	q := fake.authorizeRequests()[0]
	if q.Get("scope") != "openid email profile" || q.Get("redirect_uri") != public+"/console/auth/callback" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Errorf("authorize request = %v", q)
	}
	var session string
	for _, c := range callback.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "plusone_console=") {
			session = c
		}
	}
	if !strings.Contains(session, "HttpOnly") || !strings.Contains(session, "SameSite=Lax") || strings.Contains(session, "Secure") ||
		!strings.Contains(session, "Path=/console/") {
		t.Errorf("session cookie = %q (want HttpOnly, SameSite=Lax, not Secure on http)", session)
	}
	for _, page := range []string{"/console/ledger?agent=U0ANA", "/console/approvals", "/console/customers/1"} {
		if resp, _ := ben.get(public + page); resp.StatusCode != http.StatusForbidden {
			t.Errorf("agent U0BEN: %s = %d, want 403", page, resp.StatusCode)
		}
	}
	resp, _ := ben.post(public+fmt.Sprintf("/console/approvals/%d", request), public, url.Values{"csrf": {csrfOf(t, body)}, "decision": {"approve"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an agent's approval = %d, want 403", resp.StatusCode)
	}

	// A tampered session is none: back to sign in.
	u, _ := url.Parse(public + "/console/")
	cookies := ben.client.Jar.Cookies(u)
	forged := newBrowserless(t)
	for _, c := range cookies {
		if c.Name == "plusone_console" {
			payload, sig, _ := strings.Cut(c.Value, ".")
			forged.client.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: strings.Replace(payload, "A", "B", 1) + "." + sig, Path: "/console/"}})
		}
	}
	if resp, _ := forged.get(public + "/console/ledger"); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/console/login") {
		t.Errorf("a tampered session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The supervisor decides through the form: not without its token, not
	// from another site, once with both.
	fake.signInAs("U0SUP", "Sam Supervisor", ourTeam)
	sam := newBrowserless(t)
	_, last, body = sam.signIn(public + "/console/approvals")
	if last.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf(`data-request="%d"`, request)) {
		t.Fatalf("approvals page: %d\n%s", last.StatusCode, body)
	}
	decide := public + fmt.Sprintf("/console/approvals/%d", request)
	token := csrfOf(t, body)
	if resp, _ := sam.post(decide, public, url.Values{"decision": {"approve"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("without the CSRF token: %d, want 403", resp.StatusCode)
	}
	if resp, _ := sam.post(decide, "https://evil.example", url.Values{"csrf": {token}, "decision": {"approve"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("from another origin: %d, want 403", resp.StatusCode)
	}
	if resp, _ := sam.post(decide, public, url.Values{"csrf": {token}, "decision": {"maybe"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a decision that is neither: %d, want 400", resp.StatusCode)
	}
	if e := ledger(t, app, "?agent=U0ANA")[0]; e["status"] != "pending_approval" {
		t.Fatalf("a refused form decided: %v", e)
	}
	resp, _ = sam.post(decide, public, url.Values{"csrf": {token}, "decision": {"approve"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "approved") {
		t.Fatalf("approve: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = sam.post(decide, public, url.Values{"csrf": {token}, "decision": {"decline"}})
	if loc, _ := url.QueryUnescape(resp.Header.Get("Location")); !strings.Contains(loc, "already decided: approved") {
		t.Errorf("the second decision: %s", loc)
	}
	entries := ledger(t, app, "?agent=U0ANA")
	if len(entries) != 2 || entries[0]["status"] != "approved" || entries[0]["by"] != "U0SUP" {
		t.Errorf("ledger after the console's approval: %v", entries)
	}

	// Refused sign-ins: another workspace, a token signed by another key,
	// a token for another sign-in (nonce).
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, tc := range map[string]struct {
		team   string
		forge  func(map[string]any) *rsa.PrivateKey
		status int
	}{
		"another workspace": {team: "T0OTHER", status: http.StatusForbidden},
		"another key":       {team: ourTeam, forge: func(map[string]any) *rsa.PrivateKey { return other }, status: http.StatusUnauthorized},
		"another nonce":     {team: ourTeam, forge: func(c map[string]any) *rsa.PrivateKey { c["nonce"] = "n"; return nil }, status: http.StatusUnauthorized},
		"another audience":  {team: ourTeam, forge: func(c map[string]any) *rsa.PrivateKey { c["aud"] = "9.9"; return nil }, status: http.StatusUnauthorized},
		"expired":           {team: ourTeam, forge: func(c map[string]any) *rsa.PrivateKey { c["exp"] = time.Now().Add(-time.Hour).Unix(); return nil }, status: http.StatusUnauthorized},
	} {
		fake.signInAs("U0SUP", "Sam Supervisor", tc.team)
		fake.setForge(tc.forge)
		b := newBrowserless(t)
		callback, _, _ := b.signIn(public + "/console/policy")
		if callback.StatusCode != tc.status || b.client.Jar.Cookies(u) != nil && hasSession(b.client.Jar.Cookies(u)) {
			t.Errorf("%s: callback %d, want %d and no session", name, callback.StatusCode, tc.status)
		}
	}
	fake.setForge(nil)
	// A callback that was not started here is refused.
	if resp, _ := newBrowserless(t).get(public + "/console/auth/callback?code=code-1&state=x"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a foreign callback: %d, want 400", resp.StatusCode)
	}
	// Where to go after signing in stays on the console.
	if resp, _ := newBrowserless(t).get(public + "/console/login?next=//evil.example/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login: %d", resp.StatusCode)
	}
}

func hasSession(cs []*http.Cookie) bool {
	for _, c := range cs {
		if c.Name == "plusone_console" && c.Value != "" {
			return true
		}
	}
	return false
}

// The policy's history: the start's load is stored with the file's hash,
// and a change of the file is stored when the running program takes it,
// with its new hash; the policy page lists both, the change marked.
func TestConsolePolicyHistory(t *testing.T) {
	t.Parallel()
	env := consoleApp(t, 1)
	store, public := env.store, env.public
	var loads []plusone.PolicyLoad
	must(t, store.View(context.Background(), func(tx plusone.Tx) error {
		var err error
		loads, err = tx.PolicyLoads(context.Background(), 10)
		return err
	}))
	if len(loads) != 1 || loads[0].Reason != plusone.PolicyLoadStart || len(loads[0].Hash) != 64 || loads[0].Gestures != 3 {
		t.Fatalf("policy loads = %+v", loads)
	}
	policy, err := os.ReadFile(loads[0].Path)
	must(t, err)
	must(t, os.WriteFile(loads[0].Path, []byte(strings.Replace(string(policy), "value: 4\n", "value: 5\n", 1)), 0o600))
	eventually(t, 30*time.Second, "the changed file's load", func() bool {
		must(t, store.View(context.Background(), func(tx plusone.Tx) error {
			var err error
			loads, err = tx.PolicyLoads(context.Background(), 10)
			return err
		}))
		return len(loads) == 2
	})
	if loads[0].Reason != plusone.PolicyLoadChanged || loads[0].Hash == loads[1].Hash || len(loads[0].Hash) != 64 {
		t.Errorf("after the change: %+v", loads)
	}
	env.oidc.signInAs("U0ANA", "Ana Agent", ourTeam)
	_, last, body := newBrowserless(t).signIn(public + "/console/policy")
	if last.StatusCode != 200 || !strings.Contains(body, loads[0].Hash[:12]) || !strings.Contains(body, loads[1].Hash[:12]) ||
		!strings.Contains(body, "changed</strong>") || !strings.Contains(body, "Handwritten thank-you note") || !strings.Contains(body, "$5") {
		t.Errorf("policy page: %d\n%s", last.StatusCode, body)
	}
}
