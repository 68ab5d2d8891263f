package ui_test

import (
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
}
