package ui_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/ui"
)

// plainStore hides everything but broker.Store: a store without
// deployments, webhooks or matrix facts of its own.
type plainStore struct{ broker.Store }

// TestPagesOverAPlainStore checks what FromStore does when the store only
// has the broker.Store methods: deployments are found through the
// deployed/released selectors (and the pages say the list is partial),
// webhooks are "not recorded", and the matrix is decided over facts read
// out of the store.
func TestPagesOverAPlainStore(t *testing.T) {
	s := newStore(t)
	seed(t, s)
	pages := ui.New(ui.FromStore(plainStore{s}), ui.Config{Now: func() time.Time { return start.Add(24 * time.Hour) }})
	srv := httptest.NewServer(pages)
	t.Cleanup(srv.Close)

	doc := page(t, srv, "/", http.StatusOK)
	assert.Equal(t, []string{"not recorded", "not recorded", "not recorded", "not recorded", "not recorded"}, texts(doc.Find("td.webhook")))

	doc = page(t, srv, "/environments", http.StatusOK)
	assert.Contains(t, doc.Find("main > .notice").Text(), "Only versions that published a pact")
	var got []string
	doc.Find("section#env-production tr.deployment").Each(func(_ int, r *goquery.Selection) { got = append(got, strings.Join(cells(r)[:3], " ")) })
	assert.ElementsMatch(t, []string{"gateway 1.0.0 deployed", "orders 2.0.0 deployed", "notifier 3.0.0 released"}, got,
		"users 7.0.0 published no pact, so the selectors cannot find its deployment")

	doc = page(t, srv, "/matrix/provider/orders/consumer/gateway", http.StatusOK)
	assert.Equal(t, []string{"orders 2.0.0 verified"}, rowsOf(doc))
	doc = page(t, srv, "/matrix?q[][pacticipant]=gateway&q[][version]=1.0.0&q[][pacticipant]=users&latestby=cvpv", http.StatusOK)
	assert.Equal(t, []string{"users 7.0.0 failed"}, rowsOf(doc), "the latest failed result of the content is among the facts")
	assert.Equal(t, "no", doc.Find(".answer .verdict").Text())
	doc = page(t, srv, "/matrix?q[][pacticipant]=gateway&q[][version]=1.0.0&environment=production&latestby=cvpv", http.StatusOK)
	assert.Contains(t, doc.Find(".answer .notice").Text(), "Only versions that published a pact")
	assert.Equal(t, "unknown", doc.Find(".answer .verdict").Text(), "users' deployment is invisible, so its verification is missing")
}
