package ui_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/ui"
)

const chromiumPath = "/usr/bin/chromium"

func sortedStrings(s ...string) []string {
	slices.Sort(s)
	return s
}

// artifactsDir is artifacts/ui at the repository root (git-ignored).
func artifactsDir(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "artifacts", "ui")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// browserProblems collects what a page must not have: console errors,
// uncaught exceptions, browser log errors, failed or refused requests.
type browserProblems struct {
	mu       sync.Mutex
	problems []string
	requests []string
}

func (b *browserProblems) add(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

func (b *browserProblems) take() (problems, requests []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	problems, requests = b.problems, b.requests
	b.problems, b.requests = nil, nil
	return problems, requests
}

// newBrowser starts Debian's Chromium headless with a fresh profile. Every
// request the page makes is paused; only requests to origin go on, anything
// else is refused and reported, so the browser never leaves loopback.
func newBrowser(t *testing.T, origin string) (context.Context, *browserProblems) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is missing at %s: run `make setup` (it installs Debian's chromium) or `apt-get install -y chromium`: %v", chromiumPath, err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	bp := &browserProblems{}
	require.NoError(t, chromedp.Do(ctx)) // starts the browser and attaches the tab
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *fetch.EventRequestPaused:
			u := ev.Request.URL
			bp.mu.Lock()
			bp.requests = append(bp.requests, u)
			bp.mu.Unlock()
			go func() {
				if strings.HasPrefix(u, origin+"/") || strings.HasPrefix(u, "data:") {
					_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
					return
				}
				bp.add("refused a request off loopback: " + u)
				_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonBlockedByClient})
			}()
		case *cdpruntime.EventConsoleAPICalled:
			if ev.Type == cdpruntime.ConsoleAPICalledTypeError || ev.Type == cdpruntime.ConsoleAPICalledTypeAssert || ev.Type == cdpruntime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value))
				}
				bp.add("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
			}
		case *cdpruntime.EventExceptionThrown:
			bp.add("uncaught exception: " + ev.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
				bp.add("browser log " + string(ev.Entry.Level) + ": " + ev.Entry.Text + " " + ev.Entry.URL)
			}
		case *network.EventLoadingFailed:
			bp.add("failed to load: " + ev.ErrorText)
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				bp.add("HTTP " + ev.Response.StatusText + " for " + ev.Response.URL)
			}
		}
	}))
	_, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	_, err = chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	return ctx, bp
}

// TestBrowser loads every page in a real Chromium against a broker seeded
// through the official pact CLI, checks names and statuses, console and
// network, and saves screenshots to artifacts/ui (desktop and phone width).
func TestBrowser(t *testing.T) {
	store := newStore(t)
	store.Now = time.Now // real times, so the screenshots read "3 seconds ago"
	pages := brokertest.Pages(store, ui.Config{})
	srv := httptest.NewServer(ui.Split(pages, brokertest.API(store, httpapi.Config{})))
	t.Cleanup(srv.Close)
	seedThroughCLI(t, srv.URL, store)
	seedFieldUsage(t, srv.URL, store)

	ordersUsers := ordersUsersStatus(t, store)
	ctx, bp := newBrowser(t, srv.URL)
	shots := artifactsDir(t)

	type check struct {
		js   string // evaluates to a []string
		want []string
	}
	for _, pg := range []struct {
		name, path string
		checks     []check
	}{
		{"index", "/", []check{
			{`[...document.querySelectorAll("tr.integration")].map(r => r.querySelector(".consumer").innerText + "->" + r.querySelector(".provider").innerText + " " + r.querySelector(".state").innerText)`,
				[]string{"billing->users failed", "gateway->orders unverified", "gateway->users verified", "notifier->orders unverified", "orders->users " + ordersUsers}},
		}},
		{"pact-v4", "/pacts/provider/orders/consumer/gateway/latest", []check{
			{`[...document.querySelectorAll("section.interaction h2 .kind")].map(e => e.innerText).sort()`, []string{"ASYNCHRONOUS MESSAGE", "HTTP", "SYNCHRONOUS MESSAGE"}},
			{`[document.querySelector("dd.verification .status").innerText]`, []string{"unverified"}},
			{`[...document.querySelectorAll("img.badge")].map(i => i.complete && i.naturalWidth > 50 ? "badge drawn" : "badge missing")`, []string{"badge drawn"}},
		}},
		{"pact-v2", "/pacts/provider/users/consumer/gateway/latest", []check{
			{`[document.querySelector("dd.verification").innerText.split(" ").slice(0, 4).join(" ")]`, []string{"verified by users 7.0.0"}},
			{`[...document.querySelectorAll("section.interaction .states li")].map(e => e.innerText)`, []string{"user 42 exists", "no users"}},
			{`[...document.querySelectorAll("a.consumer-fields")].map(a => a.getAttribute("href"))`, []string{"/field-usage/provider/users/consumer/gateway?version=1.0.0"}},
		}},
		{"pact-failed", "/pacts/provider/users/consumer/billing/latest", []check{
			{`[...document.querySelectorAll("section.interaction h2 .result")].map(e => e.innerText)`, []string{"failed in the latest verification", "failed in the latest verification"}},
			{`[...document.querySelectorAll(".mismatches li")].some(e => e.innerText.includes("expected 200 but was 500")) ? ["mismatch shown"] : ["no mismatch"]`, []string{"mismatch shown"}},
		}},
		{"pact-v3-message", "/pacts/provider/orders/consumer/notifier/latest", []check{
			{`[...document.querySelectorAll("section.interaction .rules li")].map(e => e.innerText)`, []string{"body $.totalCents: an integer"}},
		}},
		{"pacticipant", "/pacticipants/users", []check{
			{`[...document.querySelectorAll("svg.network a.node text")].map(e => e.textContent).sort()`, []string{"billing", "gateway", "orders", "users"}},
			{`[...document.querySelectorAll("svg.network path.edge")].map(e => e.getAttribute("class")).sort()`, sortedStrings("edge failed", "edge "+ordersUsers, "edge verified")},
			{`[...document.querySelectorAll(".field-usage-link a")].map(a => a.getAttribute("href"))`, []string{"/field-usage/provider/users"}},
			// Each provider version shows the route coverage it published, uncovered routes marked.
			{`[...document.querySelectorAll("tr.version")].filter(r => r.querySelector("td.route-coverage a")).map(r => r.cells[0].innerText + " " + r.querySelector("td.route-coverage a").innerText + ": " + [...r.querySelectorAll("code.uncovered-route")].map(c => c.innerText).join(", "))`,
				[]string{"7.0.1 2/5 covered: GET /healthz, POST /users, DELETE /users/{id}", "7.0.0 1/4 covered: GET /users, POST /users, DELETE /users/{id}"}},
		}},
		{"pacticipant-orders", "/pacticipants/orders", []check{
			{`[...document.querySelectorAll("svg.network path.edge title")].map(e => e.textContent).sort()`,
				[]string{"gateway → orders: unverified", "notifier → orders: unverified", "orders → users: " + ordersUsers}},
			{`[...document.querySelectorAll("#deployments li.deployment")].map(e => e.innerText)`, []string{"production: 2.0.0 deployed"}},
		}},
		{"field-usage", "/field-usage/provider/users", []check{
			{`[...document.querySelectorAll("section.endpoint")].map(s => [s.dataset.endpoint, s.querySelector(".uncovered") && "not covered", s.querySelector(".unused-operation") && "unused"].filter(Boolean).join(" "))`,
				[]string{"GET /healthz not covered", "GET /users", "POST /users not covered", "DELETE /users/{id} not covered unused", "GET /users/{id}"}},
			{`[...document.querySelectorAll("tr.field.unused")].map(r => r.closest("section").dataset.endpoint + " " + r.dataset.location)`, []string{"GET /users/{id} response.body.$.phone"}},
			{`[...document.querySelectorAll('section[data-endpoint="GET /users/{id}"] tr[data-location="response.body.$.name"] a.user')].map(a => a.innerText)`, []string{"billing", "gateway"}},
			{`[document.querySelector(".coverage-summary strong").innerText, ...[...document.querySelectorAll("tr.coverage-version")].map(r => r.cells[0].innerText + " " + r.cells[1].innerText)]`, []string{"2/5", "7.0.1 2/5", "7.0.0 1/4"}},
		}},
		{"field-usage-production", "/field-usage/provider/users?environment=production", []check{
			{`[...document.querySelectorAll('section[data-endpoint="GET /users/{id}"] tr[data-location="response.body.$.name"] a.user')].map(a => a.innerText)`, []string{"gateway"}},
			{`[document.querySelector("#environment").value]`, []string{"production"}},
		}},
		{"consumer-fields", "/field-usage/provider/users/consumer/gateway?version=1.0.0&environment=production", []check{
			{`[document.querySelector(".only-summary strong").innerText]`, []string{"6 of 6"}},
			{`[...document.querySelectorAll("section.endpoint")].map(s => s.dataset.endpoint)`, []string{"GET /users/{id}"}},
			// Each row says whether anyone else uses the field: in production nobody else does.
			{`[String(document.querySelectorAll("tr.field.only").length), String(document.querySelectorAll("tr.field:not(.only)").length)]`, []string{"6", "0"}},
		}},
		{"consumer-fields-shared", "/field-usage/provider/users/consumer/gateway?version=1.0.0", []check{
			{`[document.querySelector(".only-summary strong").innerText, ...[...document.querySelectorAll('tr[data-location="response.body.$.name"] a')].map(a => a.innerText)]`, []string{"0 of 6", "billing"}},
			{`[String(document.querySelectorAll("tr.field.only").length), String(document.querySelectorAll("tr.field:not(.only)").length)]`, []string{"0", "6"}},
		}},
		{"matrix", "/matrix?q[][pacticipant]=gateway&q[][version]=1.0.0&environment=production&latestby=cvpv", []check{
			{`[document.querySelector(".answer .verdict").innerText.toLowerCase()]`, []string{"unknown"}},
		}},
		{"matrix-integration", "/matrix/provider/users/consumer/gateway", []check{
			{`[...document.querySelectorAll("table.matrix tr.row")].map(r => r.cells[1].innerText + " " + r.cells[4].innerText + " " + r.cells[6].innerText)`, []string{"1.0.0 7.0.0 verified"}},
		}},
		{"environments", "/environments", []check{
			{`[...document.querySelectorAll("#env-production tr.deployment")].map(r => r.cells[0].innerText + " " + r.cells[1].innerText + " " + r.cells[2].innerText).sort()`,
				[]string{"gateway 1.0.0 deployed", "notifier 3.0.0 released", "orders 2.0.0 deployed"}},
		}},
	} {
		t.Run(pg.name, func(t *testing.T) {
			for _, vp := range []struct {
				suffix string
				w, h   int64
				mobile bool
			}{{"", 1280, 900, false}, {"-phone", 390, 844, true}} {
				opts := []chromedp.EmulateViewportOption{}
				if vp.mobile {
					opts = append(opts, chromedp.EmulateMobile)
				}
				require.NoError(t, chromedp.Do(ctx,
					chromedp.EmulateViewport(vp.w, vp.h, opts...),
					chromedp.Navigate(srv.URL+pg.path),
					chromedp.WaitVisible(chromedp.CSS("main h1")),
				))
				for _, c := range pg.checks {
					got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](c.js))
					require.NoError(t, err, c.js)
					assert.Equal(t, c.want, got, c.js)
				}
				if vp.mobile {
					overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
					require.NoError(t, err)
					assert.False(t, overflow, "the page must fit a phone's width (wide tables scroll inside their box)")
				}
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(filepath.Join(shots, pg.name+vp.suffix+".png"), png, 0o644))

				problems, requests := bp.take()
				assert.Empty(t, problems, "console errors, failed or refused loads on %s", pg.path)
				require.NotEmpty(t, requests, "the request log must see the page load")
				for _, u := range requests {
					parsed, err := url.Parse(u)
					require.NoError(t, err)
					assert.Equal(t, "127.0.0.1", parsed.Hostname(), "every request stays on loopback: %s", u)
				}
			}
		})
	}

	t.Run("matrix form adds a row with JavaScript", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/matrix"),
			chromedp.WaitVisible(chromedp.CSS("#add-selector")),
			chromedp.Click(chromedp.CSS("#add-selector")),
		))
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("fieldset .selector").length`))
		require.NoError(t, err)
		assert.Equal(t, 3, n)
		problems, _ := bp.take()
		assert.Empty(t, problems)
	})

	t.Run("without JavaScript", func(t *testing.T) {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		require.NoError(t, err)
		t.Cleanup(func() {
			_, _ = chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		})
		require.NoError(t, chromedp.Do(ctx,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(srv.URL+"/?search=users"),
			chromedp.WaitVisible(chromedp.CSS("main h1")),
		))
		rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("tr.integration").length`))
		require.NoError(t, err)
		assert.Equal(t, 3, rows, "the search form works as a plain GET form")
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/matrix"),
			chromedp.WaitVisible(chromedp.CSS("main h1")),
		))
		hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.getElementById("add-selector")).display === "none"`))
		require.NoError(t, err)
		assert.True(t, hidden, "the button that needs JavaScript stays hidden without it")
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(shots, "matrix-no-js.png"), png, 0o644))
		problems, _ := bp.take()
		assert.Empty(t, problems)
	})

	t.Run("keyboard", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS("main h1")),
			chromedp.KeyEvent("\t"),
		))
		focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.innerText`))
		require.NoError(t, err)
		assert.Equal(t, "Skip to content", focused, "the first Tab reaches the skip link")
		require.NoError(t, chromedp.Do(ctx, chromedp.KeyEvent("\r")))
		focused, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
		require.NoError(t, err)
		assert.Equal(t, "main", focused, "Enter on the skip link moves focus to the content")
		problems, _ := bp.take()
		assert.Empty(t, problems)
	})
}
