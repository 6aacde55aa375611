package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/plusone-hq/plusone"
)

// chromium finds Debian's chromium (or another Chrome); "" when none is
// installed.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts headless Chromium for the test, or skips the test when
// none is installed (.ci/run installs it, so CI runs these tests). Its
// flags keep it from reaching the network, which is closed here.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromium()
	if path == "" {
		t.Skip("browser test skipped: Chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
	}
	dir, err := os.MkdirTemp("", "plusone-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		// Chromium's children may still write for a moment after it stops.
		for range 50 {
			if os.RemoveAll(dir) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// newTab opens a tab with its own cookies (a person of her own), with a
// deadline for everything it does.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// screenshotDir is where the browser tests leave a screenshot of each page
// for people to look at: $PLUSONE_SCREENSHOTS, or screenshots/ here
// (ignored by git).
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("PLUSONE_SCREENSHOTS")
	if dir == "" {
		dir = "screenshots"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// shot saves a full-page screenshot of the tab as name.png.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	must(t, os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644))
}

// visit navigates and returns the document's HTTP status.
func visit(t *testing.T, ctx context.Context, u string) int {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(u))
	if err != nil {
		t.Fatalf("navigate to %s: %v", u, err)
	}
	return int(resp.Status)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// The demo's customer in the console, as a newcomer meets her: `plusone
// demo` prints the console's URL; on the demo's loopback address the
// console is open, and her page shows her name, her tier and her card as
// Slack shows it, and her timeline.
func TestBrowserDemoCustomer(t *testing.T) {
	t.Parallel()
	browser := newBrowser(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	env := map[string]string{"TMPDIR": t.TempDir()}
	go func() {
		done <- run(ctx, []string{"plusone", "demo"}, func(k string) string { return env[k] }, out, &syncBuffer{})
	}()
	eventually(t, 30*time.Second, "the demo's journey", func() bool { return strings.Contains(out.String(), "Send your own events") })
	m := regexp.MustCompile(`Web console: (http://127\.0\.0\.1:\d+/console/\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the demo does not print the console's URL:\n%s", out.String())
	}
	tab := newTab(t, browser)
	var name, tier, card string
	eventually(t, 30*time.Second, "her card on her page", func() bool {
		if visit(t, tab, m[1]) != 200 {
			return false
		}
		name, tier, card = text(t, tab, "h1"), text(t, tab, "#tier"), text(t, tab, "#card")
		return strings.Contains(card, "Where is my order?")
	})
	if name != "Maya Chen" || !strings.Contains(tier, "Loyal") {
		t.Errorf("her page shows %q, %q", name, tier)
	}
	for _, want := range []string{"Maya Chen · Loyal", "Abandoned cart", "Free express shipping on the next order", "Offer · $15"} {
		if !strings.Contains(card, want) {
			t.Errorf("her card lacks %q:\n%s", want, card)
		}
	}
	if n, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#timeline li").length`)); err != nil || n < 5 {
		t.Errorf("her timeline has %d entries (%v)", n, err)
	}
	shot(t, tab, "demo-customer")
	base := strings.Split(m[1], "/console/")[0]
	for _, page := range []string{"ledger", "outcomes", "approvals", "policy"} {
		if status := visit(t, tab, base+"/console/"+page); status != 200 {
			t.Errorf("/console/%s = %d", page, status)
		}
		shot(t, tab, "demo-"+page)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo: %v", err)
	}
}

// The console behind Sign in with Slack, in a browser: without a session
// a page goes to Slack's sign-in and comes back to it; a supervisor
// approves a pending request on the approvals page and the ledger shows it
// approved; the ledger's chart has one point per day of the fixture; an
// agent's session gets 403 for another agent's gestures and for approvals.
func TestBrowserConsole(t *testing.T) {
	t.Parallel()
	browser := newBrowser(t)
	env := consoleApp(t, 2)
	fixture := spendFixture(t, env.store, 5)

	// The supervisor: sent to Slack, back on the page asked for.
	env.oidc.signInAs("U0SUP", "Sam Supervisor", ourTeam)
	sup := newTab(t, browser)
	visit(t, sup, env.public+"/console/approvals")
	if at := location(t, sup); !strings.HasPrefix(at, env.oidc.srv.URL+"/openid/connect/authorize?") {
		t.Fatalf("without a session the approvals page went to %s, not Sign in with Slack", at)
	}
	shot(t, sup, "sign-in")
	must(t, chromedp.Do(sup, chromedp.Click(chromedp.ID("allow")), chromedp.WaitVisible(chromedp.ID("approvals"))))
	if at := location(t, sup); at != env.public+"/console/approvals" {
		t.Errorf("after signing in: %s", at)
	}
	row := fmt.Sprintf(`tr[data-request="%d"]`, env.request)
	if got := text(t, sup, row); !strings.Contains(got, "Guest 0") || !strings.Contains(got, "Free express shipping") || !strings.Contains(got, "U0ANA") {
		t.Errorf("the pending request's row: %q", got)
	}
	shot(t, sup, "approvals")
	must(t, chromedp.Do(sup, chromedp.Click(chromedp.CSS(row+" button.approve")), chromedp.WaitVisible(chromedp.ID("done"))))
	if got := text(t, sup, "#done"); !strings.Contains(got, "approved") {
		t.Errorf("after approving: %q", got)
	}
	shot(t, sup, "approvals-decided")

	// The ledger shows it approved, and one point a day of spend.
	if status := visit(t, sup, env.public+"/console/ledger"); status != 200 {
		t.Fatalf("ledger: %d", status)
	}
	approved := fmt.Sprintf(`#ledger tr[data-request="%d"][data-status="approved"]`, env.request)
	if got := text(t, sup, approved); !strings.Contains(got, "U0SUP") || !strings.Contains(got, "$15") {
		t.Errorf("the approval in the ledger: %q", got)
	}
	desc, err := chromedp.Run(sup, chromedp.Evaluate[string](`document.querySelector("#spend-chart svg desc").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	points := regexp.MustCompile(`Agent U0FIX:(.*?)\.(?: Agent| Team|$)`).FindStringSubmatch(desc)
	if points == nil || len(strings.Split(points[1], ";")) != len(fixture) {
		t.Fatalf("the chart's points of U0FIX: want %d days %v, got\n%s", len(fixture), fixture, desc)
	}
	for _, day := range fixture {
		if !strings.Contains(points[1], day.Format("Jan 2")+": 12.00") {
			t.Errorf("the chart has no point of 12.00 on %s: %s", day.Format("Jan 2"), points[1])
		}
	}
	rows, err := chromedp.Run(sup, chromedp.Evaluate[int](`document.querySelectorAll("#spend-table tbody tr").length`))
	if err != nil || rows != len(fixture) {
		t.Errorf("the chart's table has %d days, want %d (%v)", rows, len(fixture), err)
	}
	shot(t, sup, "ledger")
	for _, page := range []string{fmt.Sprintf("customers/%d", env.ids[0]), "outcomes", "policy", "customers?q=Guest"} {
		if status := visit(t, sup, env.public+"/console/"+page); status != 200 {
			t.Errorf("/console/%s = %d", page, status)
		}
		shot(t, sup, "supervisor-"+strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(page))
	}

	// An agent: her own ledger; 403 for another agent's gestures, for a
	// customer she did not help, and for approvals.
	env.oidc.signInAs("U0BEN", "Ben Agent", ourTeam)
	agent := newTab(t, browser)
	visit(t, agent, env.public+"/console/ledger")
	must(t, chromedp.Do(agent, chromedp.Click(chromedp.ID("allow")), chromedp.WaitVisible(chromedp.ID("spend-chart"))))
	shot(t, agent, "agent-ledger")
	for _, page := range []string{"/console/ledger?agent=U0ANA", "/console/approvals", fmt.Sprintf("/console/customers/%d", env.ids[1])} {
		if status := visit(t, agent, env.public+page); status != 403 {
			t.Errorf("agent U0BEN: %s = %d, want 403", page, status)
		}
	}
	shot(t, agent, "agent-forbidden")
	if strings.Contains(text(t, agent, "header"), "Approvals") {
		t.Error("an agent's menu offers approvals")
	}
}

// spendFixture charges agent U0FIX of team frontline 12.00 on each of the
// last n days (today included), in the running program's store, and
// returns the days, oldest first.
func spendFixture(t *testing.T, store plusone.Store, n int) []time.Time {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	var days []time.Time
	must(t, store.Update(ctx, func(tx plusone.Tx) error {
		c := &plusone.Customer{Name: "Fixture Customer", Email: "fixture@example.com", CreatedAt: now}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		for i := n - 1; i >= 0; i-- {
			at := time.Date(now.Year(), now.Month(), now.Day(), 0, 30, 0, 0, time.UTC).AddDate(0, 0, -i)
			if at.After(now) {
				at = now
			}
			days = append(days, at)
			e := &plusone.LedgerEntry{Key: fmt.Sprint("fixture-", i), Gesture: "free_express_shipping", Title: "Free express shipping on the next order",
				Kind: "shipping", Value: 12_00, Charge: 12_00, Currency: "USD", CustomerID: c.ID, Agent: "U0FIX", Team: "frontline",
				Status: plusone.StatusGranted, Reason: "within your limits", By: "U0FIX", CreatedAt: at}
			if _, _, err := tx.AppendLedger(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}))
	return days
}
