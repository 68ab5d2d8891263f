package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/ui"
)

// seedChanges adds later versions of seeded pacts: gateway 1.0.1
// republishes 1.0.0's V4 pact unchanged, 1.1.0 widens its order status
// regex and 1.1.1 republishes that; gateway 1.1.0 changes its V2 pact with
// users and notifier 3.1.0 the V3 message pact.
func seedChanges(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	v4 := string(pactFile(t, "v4.json", "gateway", "orders"))
	mustPublish(t, s, "gateway", "1.0.1", "main", nil, "orders", []byte(v4))
	changed := strings.Replace(v4, `^(placed|paid)$`, `^(placed|paid|shipped)$`, 1)
	require.NotEqual(t, v4, changed)
	mustPublish(t, s, "gateway", "1.1.0", "main", nil, "orders", []byte(changed))
	mustPublish(t, s, "gateway", "1.1.1", "main", nil, "orders", []byte(changed))
	msg := string(pactFile(t, "v3-message.json", "notifier", "orders"))
	mustPublish(t, s, "notifier", "3.1.0", "main", nil, "orders", []byte(strings.Replace(msg, `"topic": "orders"`, `"topic": "orders-v2"`, 1)))
	v2 := string(pactFile(t, "v2.json", "gateway", "users"))
	mustPublish(t, s, "gateway", "1.1.0", "main", nil, "users", []byte(strings.Replace(v2, `"name": "Ada"`, `"name": "Grace"`, 1)))
}

func diffLines(doc *goquery.Document, kind string) []string {
	return texts(doc.Find("pre.diff .d-" + kind))
}

// The diff view, at the API's diff URLs: what changed since the previous
// version with different content (a republication of the same content is
// skipped), from a named version, or between two contents by SHA; V2, V3
// message and V4 pacts alike.
func TestPactDiffPage(t *testing.T) {
	s := newStore(t)
	seed(t, s)
	seedChanges(t, s)
	srv := newServer(t, s)
	pair := "/pacts/provider/orders/consumer/gateway"

	doc := page(t, srv, pair+"/version/1.1.1/diff/previous-distinct", http.StatusOK)
	assert.Equal(t, "Changes to the pact between gateway and orders", strings.TrimSpace(doc.Find("h1").Text()))
	assert.Contains(t, doc.Find("dd.from").Text(), "1.0.1", "1.1.0 has 1.1.1's content, so the previous distinct is 1.0.1")
	assert.Contains(t, doc.Find("dd.to").Text(), "1.1.1")
	assert.Equal(t, []string{`- "regex": "^(placed|paid)$"`}, trimmed(diffLines(doc, "del")))
	assert.Equal(t, []string{`+ "regex": "^(placed|paid|shipped)$"`}, trimmed(diffLines(doc, "add")))
	assert.Equal(t, []string{"--- 1.0.1", "+++ 1.1.1"}, diffLines(doc, "head"))
	assert.NotEmpty(t, diffLines(doc, "hunk"))
	assert.Equal(t, "1 line added, 1 line removed (keys sorted, interactions in a fixed order, so only real changes show)", strings.Join(strings.Fields(doc.Find(".diff-summary").Text()), " "))
	href, _ := doc.Find("dd.from a").Attr("href")
	assert.Equal(t, pair+"/version/1.0.1", href)

	doc = page(t, srv, pair+"/version/1.1.0/diff/version/1.0.0", http.StatusOK)
	assert.Contains(t, doc.Find("dd.from").Text(), "1.0.0")
	assert.Len(t, diffLines(doc, "add"), 1)

	doc = page(t, srv, pair+"/version/1.0.1/diff/version/1.0.0", http.StatusOK)
	assert.Equal(t, 1, doc.Find(".notice.same").Length(), "the same content shows as no change")
	assert.Empty(t, diffLines(doc, "add"))

	doc = page(t, srv, pair+"/version/1.0.0/diff/previous-distinct", http.StatusOK)
	assert.Equal(t, 1, doc.Find(".notice.no-previous").Length(), "the first version has nothing to compare with")

	// By content SHA, the other way round: the removal shows as such.
	res, body := getURL(t, srv, pair+"/version/1.0.0", "application/hal+json")
	require.Equal(t, 200, res.StatusCode)
	oldSHA := shaOf(t, body)
	_, body = getURL(t, srv, pair+"/version/1.1.0", "application/hal+json")
	newSHA := shaOf(t, body)
	doc = page(t, srv, pair+"/pact-version/"+oldSHA+"/diff/pact-version/"+newSHA, http.StatusOK)
	assert.Equal(t, []string{`+ "regex": "^(placed|paid)$"`}, trimmed(diffLines(doc, "add")))

	// V3 messages and V2.
	doc = page(t, srv, "/pacts/provider/orders/consumer/notifier/version/3.1.0/diff/previous-distinct", http.StatusOK)
	assert.Equal(t, []string{`- "topic": "orders"`}, trimmed(diffLines(doc, "del")))
	assert.Equal(t, []string{`+ "topic": "orders-v2"`}, trimmed(diffLines(doc, "add")))
	doc = page(t, srv, "/pacts/provider/users/consumer/gateway/version/1.1.0/diff/previous-distinct", http.StatusOK)
	assert.Equal(t, []string{`+ "name": "Grace"`}, trimmed(diffLines(doc, "add")))

	page(t, srv, pair+"/version/9.9.9/diff/previous-distinct", http.StatusNotFound)
	page(t, srv, pair+"/version/1.1.0/diff/version/9.9.9", http.StatusNotFound)

	// The pact page links to the view.
	doc = page(t, srv, pair+"/version/1.1.0", http.StatusOK)
	href, _ = doc.Find("a.diff-link").Attr("href")
	assert.Equal(t, pair+"/version/1.1.0/diff/previous-distinct", href)
}

func trimmed(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l[:1] + " " + strings.TrimSpace(l[1:])
	}
	return out
}

func shaOf(t *testing.T, halPact string) string {
	t.Helper()
	i := strings.Index(halPact, "/pact-version/")
	require.GreaterOrEqual(t, i, 0, halPact)
	sha := halPact[i+len("/pact-version/"):]
	return sha[:strings.IndexAny(sha, `/"`)]
}

// Labels show on a pacticipant's page; delete and label actions only for
// clients that may write.
func TestLabelsAndDeleteActions(t *testing.T) {
	s := newStore(t)
	seed(t, s)
	for _, l := range []string{"team-payments", "tier 1"} {
		_, _, err := s.AddLabel(context.Background(), "orders", l)
		require.NoError(t, err)
	}
	auth := httpedge.Auth{Username: "rw", Password: "secret", ReadOnlyUsername: "ro", ReadOnlyPassword: "ro-secret"}
	srv := httptest.NewServer(ui.Split(brokertest.Pages(s, ui.Config{Auth: auth}), brokertest.API(s, httpapi.Config{Auth: auth})))
	t.Cleanup(srv.Close)
	as := func(user, pw, path string) *goquery.Document {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", browserAccept)
		req.SetBasicAuth(user, pw)
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, 200, res.StatusCode)
		doc, err := goquery.NewDocumentFromReader(res.Body)
		require.NoError(t, err)
		return doc
	}

	writer := as("rw", "secret", "/pacticipants/orders")
	assert.Equal(t, []string{"team-payments", "tier 1"}, texts(writer.Find("#labels .label")))
	remove, _ := writer.Find(`#labels button[aria-label="Remove label tier 1"]`).Attr("data-delete")
	assert.Equal(t, "/pacticipants/orders/labels/tier%201", remove)
	addURL, _ := writer.Find("form.add-label").Attr("data-url")
	assert.Equal(t, "/pacticipants/orders/labels/", addURL)
	del, _ := writer.Find(`.actions button.danger`).Attr("data-delete")
	assert.Equal(t, "/pacticipants/orders", del)
	then, _ := writer.Find(`.actions button.danger`).Attr("data-then")
	assert.Equal(t, "/", then)
	assert.Equal(t, writer.Find("tr.version").Length(), writer.Find("tr.version button.danger").Length(), "each version can be deleted")
	var versionURLs []string
	writer.Find("tr.version button.danger").Each(func(_ int, s *goquery.Selection) { versionURLs = append(versionURLs, s.AttrOr("data-delete", "")) })
	assert.Contains(t, versionURLs, "/pacticipants/orders/versions/2.0.0")
	assert.Equal(t, 0, writer.Find("table.branches tr:has(.label) button.danger").Length(), "the main branch cannot be deleted from here")
	assert.Equal(t, 1, writer.Find(".ops-status").Length())
	var integrationURLs []string
	writer.Find("tr.integration button.danger").Each(func(_ int, s *goquery.Selection) {
		integrationURLs = append(integrationURLs, s.AttrOr("data-delete", ""))
	})
	assert.ElementsMatch(t, []string{"/integrations/provider/orders/consumer/gateway", "/integrations/provider/orders/consumer/notifier", "/integrations/provider/users/consumer/orders"}, integrationURLs)

	pact := as("rw", "secret", "/pacts/provider/orders/consumer/gateway/version/1.0.0")
	del, _ = pact.Find(`.actions button.danger`).Attr("data-delete")
	assert.Equal(t, "/pacts/provider/orders/consumer/gateway/version/1.0.0", del)

	reader := as("ro", "ro-secret", "/pacticipants/orders")
	assert.Equal(t, []string{"team-payments", "tier 1"}, texts(reader.Find("#labels .label")), "everyone sees the labels")
	assert.Zero(t, reader.Find("button.danger, .remove-label, form.add-label, [data-delete]").Length(), "a read-only user is offered no change")
	assert.Zero(t, as("ro", "ro-secret", "/pacts/provider/orders/consumer/gateway/version/1.0.0").Find("[data-delete]").Length())

	none := as("rw", "secret", "/pacticipants/gateway")
	assert.Contains(t, none.Find("#labels").Text(), "gateway has no labels.")
}

// The delete actions for verification results, versions, their tags and
// branch memberships, and branches: each names the API URL it deletes and
// says what it did, and none is drawn for a read-only user, a read-only
// token or an anonymous reader of a public broker.
func TestDeleteActionsOnlyForWriteUsers(t *testing.T) {
	s := newStore(t)
	seed(t, s)
	auth := httpedge.Auth{Username: "rw", Password: "secret", ReadOnlyUsername: "ro", ReadOnlyPassword: "ro-secret",
		ReadOnlyToken: "ro-token", AllowPublicRead: true}
	srv := httptest.NewServer(ui.Split(brokertest.Pages(s, ui.Config{Auth: auth}), brokertest.API(s, httpapi.Config{Auth: auth})))
	t.Cleanup(srv.Close)
	get := func(who, path string) *goquery.Document {
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", browserAccept)
		switch who {
		case "rw":
			req.SetBasicAuth("rw", "secret")
		case "ro":
			req.SetBasicAuth("ro", "ro-secret")
		case "ro-token":
			req.Header.Set("Authorization", "Bearer ro-token")
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		require.Equal(t, 200, res.StatusCode, path)
		doc, err := goquery.NewDocumentFromReader(res.Body)
		require.NoError(t, err)
		return doc
	}
	deletes := func(sel *goquery.Selection) map[string]string { // URL -> what it says when done
		out := map[string]string{}
		sel.Find("[data-delete]").Each(func(_ int, b *goquery.Selection) {
			out[b.AttrOr("data-delete", "")] = b.AttrOr("data-done", "")
		})
		return out
	}
	matrixPath := "/matrix?q[][pacticipant]=orders&latestby=cvpv"
	pactPath := "/pacts/provider/orders/consumer/gateway/version/1.0.0"

	// A version's tag and its branch membership, on the versions table.
	orders := get("rw", "/pacticipants/orders")
	row := orders.Find("tr.version").FilterFunction(func(_ int, r *goquery.Selection) bool {
		return strings.TrimSpace(r.Find("td.number").Text()) == "2.0.0"
	})
	require.Equal(t, 1, row.Length())
	assert.Equal(t, map[string]string{
		"/pacticipants/orders/versions/2.0.0/tags/prod":     "Removed the tag prod from version 2.0.0 of orders.",
		"/pacticipants/orders/branches/main/versions/2.0.0": "Took version 2.0.0 of orders off the branch main.",
		"/pacticipants/orders/versions/2.0.0":               "Deleted version 2.0.0 of orders.",
	}, deletes(row))
	tagButton := row.Find(`button.remove[aria-label="Remove tag prod from 2.0.0"]`)
	assert.Equal(t, "Remove the tag prod from version 2.0.0 of orders? The version stays.", tagButton.AttrOr("data-confirm", ""))

	// A branch, where branches are listed; the main branch is kept.
	billing := get("rw", "/pacticipants/billing")
	assert.Equal(t, map[string]string{"/pacticipants/billing/branches/feat%2Finvoices": "Deleted branch feat/invoices of billing."}, deletes(billing.Find("table.branches")))
	assert.Empty(t, deletes(orders.Find("table.branches")), "the main branch cannot be deleted from here")

	// A verification result: on the matrix row that shows it and on the pact page.
	m := get("rw", matrixPath)
	verified := m.Find("tr.row").FilterFunction(func(_ int, r *goquery.Selection) bool { return r.AttrOr("data-status", "") != "unverified" })
	require.Positive(t, verified.Length())
	verified.Each(func(_ int, r *goquery.Selection) {
		urls := deletes(r)
		require.Len(t, urls, 1, "one delete per verified row")
		for u := range urls {
			assert.Regexp(t, `^/pacts/provider/[a-z]+/consumer/[a-z]+/pact-version/[0-9a-f]+/verification-results/[0-9]+$`, u)
		}
	})
	assert.Zero(t, m.Find(`tr.row[data-status="unverified"] [data-delete]`).Length(), "an unverified row has no result to delete")
	assert.Equal(t, 1, m.Find(".ops-status").Length())
	gwOrders := m.Find("tr.row").FilterFunction(func(_ int, r *goquery.Selection) bool {
		return strings.TrimSpace(r.Find("td.consumer").Text()) == "gateway" && r.AttrOr("data-status", "") != "unverified"
	})
	require.Equal(t, 1, gwOrders.Length())
	var matrixURL string
	for u := range deletes(gwOrders) {
		matrixURL = u
	}
	pact := get("rw", pactPath)
	assert.Equal(t, map[string]string{matrixURL: "Deleted verification result 1 of the pact between gateway and orders."}, deletes(pact.Find("dd.verification")),
		"the pact page deletes the result the matrix row shows")
	res, body := getAs(t, srv, matrixURL, "rw", "secret")
	assert.Equal(t, http.StatusOK, res.StatusCode, "the button's URL is the API's verification result: %s", body)

	for _, who := range []string{"ro", "ro-token", "anonymous"} {
		for _, path := range []string{"/pacticipants/orders", "/pacticipants/billing", matrixPath, pactPath} {
			doc := get(who, path)
			assert.Zero(t, doc.Find("[data-delete], button.danger, button.remove, .ops-status").Length(), "%s is offered no delete on %s", who, path)
		}
	}
	assert.Positive(t, get("anonymous", "/pacticipants/orders").Find("tr.version .label.tag").Length(), "readers still see the tags")
}

func getAs(t *testing.T, srv *httptest.Server, path, user, pw string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/hal+json")
	req.SetBasicAuth(user, pw)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(b)
}
