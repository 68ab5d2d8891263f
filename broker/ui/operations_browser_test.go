package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/ui"
)

// TestBrowserOperations drives the operator views in a real Chromium: the
// diff view (desktop and phone width), labels, and a delete that goes
// through the API after the confirmation, with no console error.
func TestBrowserOperations(t *testing.T) {
	s := newStore(t)
	s.Now = time.Now
	seed(t, s)
	seedChanges(t, s)
	_, _, err := s.AddLabel(t.Context(), "orders", "team-payments")
	require.NoError(t, err)
	srv := httptest.NewServer(ui.Split(brokertest.Pages(s, ui.Config{}), brokertest.API(s, httpapi.Config{})))
	t.Cleanup(srv.Close)
	ctx, bp := newBrowser(t, srv.URL)
	shots := artifactsDir(t)

	diff := "/pacts/provider/orders/consumer/gateway/version/1.1.1/diff/previous-distinct"
	for _, vp := range []struct {
		suffix string
		w, h   int64
		mobile bool
	}{{"", 1280, 900, false}, {"-phone", 390, 844, true}} {
		opts := []chromedp.EmulateViewportOption{}
		if vp.mobile {
			opts = append(opts, chromedp.EmulateMobile)
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h, opts...), chromedp.Navigate(srv.URL+diff), chromedp.WaitVisible(chromedp.CSS("pre.diff"))))
		lines, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("pre.diff .d-add, pre.diff .d-del")].map(e => e.className + " " + e.textContent.trim().replace(/\s+/g, " "))`))
		require.NoError(t, err)
		assert.Equal(t, []string{`d-del - "regex": "^(placed|paid)$"`, `d-add + "regex": "^(placed|paid|shipped)$"`}, lines)
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
		require.NoError(t, err)
		assert.False(t, overflow, "the page fits the width; the diff scrolls in its box")
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(shots, "pact-diff"+vp.suffix+".png"), png, 0o644))
		problems, _ := bp.take()
		assert.Empty(t, problems)
	}

	// Labels are shown; the delete buttons appear (they need the script)
	// and delete through the API once confirmed.
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/pacticipants/gateway"), chromedp.WaitVisible(chromedp.CSS("#versions"))))
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("tr.version button.danger")].filter(b => b.offsetParent !== null).length`))
	require.NoError(t, err)
	assert.Equal(t, 4, shown, "a visible delete button per version")
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-delete="/pacticipants/gateway/versions/1.1.1"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`button[data-delete="/pacticipants/gateway/versions/1.1.1"]`)),
	))
	res, _ := getURL(t, srv, "/pacticipants/gateway/versions/1.1.1", "application/hal+json")
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "the version is gone")
	problems, _ := bp.take()
	assert.Empty(t, problems)

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/pacticipants/orders"), chromedp.WaitVisible(chromedp.CSS("#labels"))))
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#labels .label")].map(e => e.innerText)`))
	require.NoError(t, err)
	assert.Equal(t, []string{"team-payments"}, labels)
	formShown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("form.add-label").offsetParent !== null`))
	require.NoError(t, err)
	assert.True(t, formShown, "the add-label form appears with the script")
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(shots, "pacticipant-labels.png"), png, 0o644))
	problems, _ = bp.take()
	assert.Empty(t, problems)

	// Add a label through the form, remove the other through its button,
	// then delete an integration: each through the API.
	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#new-label"), "tier 1"),
		chromedp.Click(chromedp.CSS(`form.add-label button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[aria-label="Remove label tier 1"]`)),
	))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[aria-label="Remove label team-payments"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`button[aria-label="Remove label team-payments"]`)),
	))
	labels, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#labels .label")].map(e => e.innerText)`))
	require.NoError(t, err)
	assert.Equal(t, []string{"tier 1"}, labels)
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`))
	require.NoError(t, err)
	gone := `button[data-delete="/integrations/provider/orders/consumer/notifier"]`
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(gone)), chromedp.WaitNotPresent(chromedp.CSS(gone))))
	res, _ = getURL(t, srv, "/pacts/provider/orders/consumer/notifier/latest", "application/hal+json")
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "the integration's pacts are gone")
	problems, _ = bp.take()
	assert.Empty(t, problems)

	// Remove a version's tag with its ×, on the versions table.
	tag := `button.remove[data-delete="/pacticipants/orders/versions/2.0.0/tags/prod"]`
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/pacticipants/orders"), chromedp.WaitVisible(chromedp.CSS(tag))))
	confirmYes(t, ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(tag)), chromedp.WaitNotPresent(chromedp.CSS(tag)), chromedp.WaitVisible(chromedp.CSS(".ops-status.ok"))))
	assert.Equal(t, "Removed the tag prod from version 2.0.0 of orders.", opsStatus(t, ctx))
	res, _ = getURL(t, srv, "/pacticipants/orders/versions/2.0.0/tags/prod", "application/hal+json")
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "the tag is gone")
	problems, _ = bp.take()
	assert.Empty(t, problems)

	// Delete a branch where the branches are listed; the page says so.
	branch := `table.branches button.danger[data-delete="/pacticipants/billing/branches/feat%2Finvoices"]`
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/pacticipants/billing"), chromedp.WaitVisible(chromedp.CSS(branch))))
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(shots, "pacticipant-delete-actions.png"), png, 0o644))
	confirmYes(t, ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(branch)), chromedp.WaitNotPresent(chromedp.CSS(branch)), chromedp.WaitVisible(chromedp.CSS(".ops-status.ok"))))
	assert.Equal(t, "Deleted branch feat/invoices of billing.", opsStatus(t, ctx))
	res, _ = getURL(t, srv, "/pacticipants/billing/branches/feat%2Finvoices", "application/hal+json")
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "the branch is gone")
	res, _ = getURL(t, srv, "/pacticipants/billing/versions/0.1.0", "application/hal+json")
	assert.Equal(t, http.StatusOK, res.StatusCode, "its version stays")
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(shots, "pacticipant-branch-deleted.png"), png, 0o644))
	problems, _ = bp.take()
	assert.Empty(t, problems)

	// Delete a verification result from the matrix row that shows it:
	// the row turns unverified and the API no longer has the result.
	result := `tr.row button.danger[data-delete*="/verification-results/"]`
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/matrix/provider/users/consumer/gateway"), chromedp.WaitVisible(chromedp.CSS(result))))
	resultURL, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("tr.row button.danger")].filter(b => b.offsetParent !== null).map(b => b.getAttribute("data-delete"))`))
	require.NoError(t, err)
	require.Len(t, resultURL, 1, "one verified row, one visible delete")
	res, _ = getURL(t, srv, resultURL[0], "application/hal+json")
	require.Equal(t, http.StatusOK, res.StatusCode, "the button names the API's verification result")
	png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(shots, "matrix-delete-result.png"), png, 0o644))
	confirmYes(t, ctx)
	require.NoError(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(result)), chromedp.WaitNotPresent(chromedp.CSS(result)), chromedp.WaitVisible(chromedp.CSS(".ops-status.ok"))))
	assert.Contains(t, opsStatus(t, ctx), "Deleted verification result ")
	res, _ = getURL(t, srv, resultURL[0], "application/hal+json")
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "the verification result is gone")
	statuses, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("tr.row")].map(r => r.dataset.status)`))
	require.NoError(t, err)
	assert.Equal(t, []string{"unverified", "unverified"}, statuses)
	res, _ = getURL(t, srv, "/pacts/provider/users/consumer/gateway/version/1.0.0", "application/hal+json")
	assert.Equal(t, http.StatusOK, res.StatusCode, "the pact stays")
	problems, _ = bp.take()
	assert.Empty(t, problems)
}

// confirmYes answers the next confirm() dialogs with OK.
func confirmYes(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`))
	require.NoError(t, err)
}

// opsStatus is what the page says the last action did.
func opsStatus(t *testing.T, ctx context.Context) string {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".ops-status").innerText`))
	require.NoError(t, err)
	return text
}
