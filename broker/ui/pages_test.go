package ui_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seededServer(t *testing.T) *httptest.Server {
	t.Helper()
	s := newStore(t)
	seed(t, s)
	return newServer(t, s)
}

func TestIndex(t *testing.T) {
	srv := seededServer(t)
	doc := page(t, srv, "/", http.StatusOK)

	rows := doc.Find("table.integrations tbody tr.integration")
	require.Equal(t, 5, rows.Length())
	got := map[string]string{}
	rows.Each(func(_ int, r *goquery.Selection) {
		pair := strings.TrimSpace(r.Find("td.consumer").Text()) + "->" + strings.TrimSpace(r.Find("td.provider").Text())
		got[pair] = strings.TrimSpace(r.Find("td.state .status").Text())
	})
	assert.Equal(t, map[string]string{
		"billing->users": "unverified", "gateway->orders": "verified", "gateway->users": "failed",
		"notifier->orders": "unverified", "orders->users": "pending",
	}, got)

	gw := rows.FilterFunction(func(_ int, r *goquery.Selection) bool {
		return strings.TrimSpace(r.Find("td.consumer").Text()) == "gateway" && strings.TrimSpace(r.Find("td.provider").Text()) == "orders"
	})
	assert.Equal(t, "1.0.0", strings.TrimSpace(gw.Find("td.cversion a").Text()))
	assert.Equal(t, "/pacts/provider/orders/consumer/gateway/version/1.0.0", gw.Find("td.cversion a").AttrOr("href", ""))
	assert.Equal(t, []string{"main"}, texts(gw.Find("td.cversion .branch")))
	assert.Contains(t, gw.Find("td.verified").Text(), "2.0.0", "last verified by which provider version")
	assert.Contains(t, gw.Find("td.published").Text(), "ago")
	assert.Equal(t, "not run", strings.TrimSpace(gw.Find("td.webhook").Text()))
	assert.Equal(t, []string{"none", "not run", "none", "none", "none"}, texts(rows.Find("td.webhook")))
	assert.Equal(t, "/pacticipants/gateway", gw.Find("td.consumer a").AttrOr("href", ""))
	assert.Equal(t, []string{"prod", "prod"}, texts(doc.Find("tr.integration td.cversion .tag")), "notifier 3.0.0 and orders 2.0.0")
	assert.Equal(t, "stylesheet", doc.Find(`link[href="/ui/assets/style.css"]`).AttrOr("rel", ""))

	t.Run("search", func(t *testing.T) {
		doc := page(t, srv, "/?search=BILL", http.StatusOK)
		assert.Equal(t, []string{"billing"}, texts(doc.Find("tr.integration td.consumer")))
		assert.Equal(t, "BILL", doc.Find("input#search").AttrOr("value", ""))
		doc = page(t, srv, "/?search=nothing-like-this", http.StatusOK)
		assert.Equal(t, 0, doc.Find("tr.integration").Length())
		assert.Contains(t, doc.Find(".notice").Text(), "No integration matches")
	})
	t.Run("status filter", func(t *testing.T) {
		doc := page(t, srv, "/?status=unverified", http.StatusOK)
		assert.ElementsMatch(t, []string{"billing", "notifier"}, texts(doc.Find("tr.integration td.consumer")))
	})
	t.Run("pagination", func(t *testing.T) {
		doc := page(t, srv, "/?pageSize=2", http.StatusOK)
		assert.Equal(t, []string{"billing", "gateway"}, texts(doc.Find("tr.integration td.consumer")))
		next := doc.Find(`.pager a[rel="next"]`).AttrOr("href", "")
		require.NotEmpty(t, next)
		assert.Contains(t, doc.Find(".pager").Text(), "1–2 of 5")
		doc = page(t, srv, "/"+next, http.StatusOK)
		assert.Equal(t, []string{"gateway", "notifier"}, texts(doc.Find("tr.integration td.consumer")))
		assert.NotEmpty(t, doc.Find(`.pager a[rel="prev"]`).AttrOr("href", ""))
		doc = page(t, srv, "/?pageSize=2&page=3", http.StatusOK)
		assert.Equal(t, []string{"orders"}, texts(doc.Find("tr.integration td.consumer")))
		assert.Empty(t, doc.Find(`.pager a[rel="next"]`).Nodes)
	})
	t.Run("empty broker", func(t *testing.T) {
		doc := page(t, newServer(t, newStore(t)), "/", http.StatusOK)
		assert.Contains(t, doc.Find(".notice").Text(), "No pacts have been published yet")
	})
}

func TestPactPageV4(t *testing.T) {
	srv := seededServer(t)
	for _, path := range []string{
		"/pacts/provider/orders/consumer/gateway/version/1.0.0",
		"/pacts/provider/orders/consumer/gateway/latest",
		"/pacts/provider/orders/consumer/gateway/branch/main/latest",
	} {
		doc := page(t, srv, path, http.StatusOK)
		assert.Equal(t, []string{"Integrations", "gateway", "orders", "Pact for gateway 1.0.0"}, texts(doc.Find(".crumbs li")), path)
		assert.Equal(t, "4.0 · mixed · 3 interactions", strings.TrimSpace(doc.Find("dd.spec").Text()))
		assert.Equal(t, "verified", strings.TrimSpace(doc.Find("dd.verification .status").Text()))
		assert.Equal(t, "/pacts/provider/orders/consumer/gateway/version/1.0.0.json", doc.Find(`a.button:contains("Raw JSON")`).AttrOr("href", ""))
		assert.Equal(t, "/matrix/provider/orders/consumer/gateway", doc.Find(`a.button:contains("Matrix")`).AttrOr("href", ""))
		assert.Equal(t, "/pacts/provider/orders/consumer/gateway/latest/badge", doc.Find("img.badge").AttrOr("src", ""))

		sections := doc.Find("section.interaction")
		require.Equal(t, 3, sections.Length())
		assert.Equal(t, []string{"HTTP", "Asynchronous message", "Synchronous message"}, texts(sections.Find("h2 .kind")))

		http1 := sections.Eq(0)
		assert.Contains(t, http1.Find("h2").Text(), "a request for the orders of customer 1")
		assert.Equal(t, "customer 1 has orders customerId 1", strings.Join(strings.Fields(http1.Find(".states li").Text()), " "))
		assert.Equal(t, "GET", http1.Find(".request .method").Text())
		assert.Equal(t, "/orders?customerId=1", http1.Find(".request .path").Text())
		assert.Equal(t, "200", http1.Find(".response .code").Text())
		assert.Contains(t, http1.Find(".response pre.json").Text(), `"totalCents": 2500`)
		assert.Equal(t, []string{
			"body $.orders: the same type as the example, with at least 1 item",
			"body $.orders[*].status: text matching the regular expression /^(placed|paid)$/",
			"body $.orders[*].totalCents: an integer",
			"status code: a status code of the class success",
		}, texts(http1.Find(".response .rules li")))
		assert.Equal(t, []string{"Used by the customer overview", "Test: TestConsumerOrders"}, texts(http1.Find(".comment")))

		async := sections.Eq(1)
		assert.Contains(t, async.Find(".message pre.json").Text(), `"carrier": "DHL"`)
		assert.Contains(t, texts(async.Find(".message table.kv tr")), "topic shipments")
		assert.Equal(t, []string{"body $.carrier: the same type as the example"}, texts(async.Find(".rules li")))

		sync := sections.Eq(2)
		assert.Contains(t, sync.Find(".request pre.json").Text(), `"sku": "BOOK-1"`)
		assert.Contains(t, sync.Find(".response pre.json").Text(), `"priceCents": 1299`)
		assert.Equal(t, []string{"body $.priceCents: a number"}, texts(sync.Find(".response .rules li")))
		assert.Equal(t, 3, doc.Find("nav.toc li").Length())
	}
}

func TestPactPageV2V3AndMessages(t *testing.T) {
	srv := seededServer(t)

	doc := page(t, srv, "/pacts/provider/users/consumer/gateway/latest", http.StatusOK)
	assert.Equal(t, "2.0.0 · HTTP · 2 interactions", strings.TrimSpace(doc.Find("dd.spec").Text()))
	assert.Equal(t, "failed", strings.TrimSpace(doc.Find("dd.verification .status").Text()))
	first := doc.Find("section.interaction").First()
	assert.Equal(t, "user 42 exists", strings.TrimSpace(first.Find(".states li").Text()))
	assert.Equal(t, []string{"failed in the latest verification", "passed in the latest verification"}, texts(doc.Find("section.interaction h2 .result")))
	assert.Equal(t, []string{"status: expected 200 but was 500"}, texts(first.Find(".mismatches li")))
	assert.Equal(t, []string{"failed"}, texts(doc.Find("nav.toc .result")))
	assert.Equal(t, "GET", first.Find(".method").Text())
	assert.Equal(t, "/users/42?fields=name&fields=email", first.Find(".path").Text())
	assert.Equal(t, []string{
		"body $.email: text matching the regular expression /^[^@]+@[^@]+$/",
		"body $.id: the same type as the example",
		"header Content-Type: text matching the regular expression /application/json.*/",
	}, texts(first.Find(".rules li")))

	doc = page(t, srv, "/pacts/provider/users/consumer/orders/latest", http.StatusOK)
	assert.Equal(t, "pending", strings.TrimSpace(doc.Find("dd.verification .status").Text()))
	in := doc.Find("section.interaction")
	assert.Equal(t, "users exist count 3 role admin", strings.Join(strings.Fields(in.Find(".states li").Text()), " "))
	assert.Contains(t, texts(in.Find(".response .rules li")), `body $.users[*].joined: a date in the format "yyyy-MM-dd"`)
	assert.Contains(t, texts(in.Find(".response .rules li")), `body $.users[*].name: text matching the regular expression /^[A-Z]/ or text including "a"`)
	assert.Equal(t, []string{"body $.users[*].id: taken from the provider state: ${id}"}, texts(in.Find(".generators li")))

	doc = page(t, srv, "/pacts/provider/orders/consumer/notifier/latest/prod", http.StatusOK)
	assert.Equal(t, "3.0.0 · message · 1 interaction", strings.TrimSpace(doc.Find("dd.spec").Text()))
	assert.Equal(t, "unverified", strings.TrimSpace(doc.Find("dd.verification .status").Text()))
	msg := doc.Find("section.interaction .message")
	assert.Contains(t, msg.Find("pre.json").Text(), `"type": "OrderPlaced"`)
	assert.Contains(t, texts(msg.Find("table.kv tr")), "topic orders")
	assert.Equal(t, []string{"body $.totalCents: an integer"}, texts(msg.Find(".rules li")))

	sha := doc.Find("code.sha").Text()
	require.Len(t, sha, 40)
	doc = page(t, srv, "/pacts/provider/orders/consumer/notifier/pact-version/"+sha, http.StatusOK)
	assert.Contains(t, doc.Find("h1").Text(), "notifier")

	t.Run("raw JSON link serves the pact to the browser", func(t *testing.T) {
		res, body := getURL(t, srv, "/pacts/provider/orders/consumer/notifier/version/3.0.0.json", browserAccept)
		require.Equal(t, http.StatusOK, res.StatusCode, body)
		var pact map[string]any
		require.NoError(t, json.Unmarshal([]byte(body), &pact))
		assert.Contains(t, pact, "messages")
	})
	t.Run("unknown pact is an HTML 404", func(t *testing.T) {
		doc := page(t, srv, "/pacts/provider/orders/consumer/nobody/latest", http.StatusNotFound)
		assert.Contains(t, doc.Find(".notice.error").Text(), "nobody")
	})
	t.Run("content that is not a pact is shown raw", func(t *testing.T) {
		s := newStore(t)
		mustPublish(t, s, "odd", "1", "main", nil, "thing", []byte(`{"consumer":{"name":"odd"},"provider":{"name":"thing"},"interactions":{"not":"a list"}}`))
		doc := page(t, newServer(t, s), "/pacts/provider/thing/consumer/odd/latest", http.StatusOK)
		assert.Contains(t, doc.Find(".notice.warning").Text(), "cannot be shown")
		assert.Contains(t, doc.Find("pre.raw").Text(), `"not": "a list"`)
	})
}

func TestPacticipantPage(t *testing.T) {
	srv := seededServer(t)
	doc := page(t, srv, "/pacticipants/orders", http.StatusOK)
	assert.Equal(t, "orders", strings.TrimSpace(doc.Find("h1").Text()))
	assert.Equal(t, "main", strings.TrimSpace(doc.Find("dd.main-branch").Text()))

	svg := doc.Find(".diagram svg.network")
	require.Equal(t, 1, svg.Length())
	assert.ElementsMatch(t, []string{"gateway", "notifier", "orders", "users"}, texts(svg.Find("a.node text")))
	assert.Equal(t, "orders", svg.Find("a.node.center text").Text())
	assert.Equal(t, "/pacticipants/users", svg.Find(`a.node:contains("users")`).AttrOr("href", ""))
	assert.ElementsMatch(t, []string{"gateway → orders: verified", "notifier → orders: unverified", "orders → users: pending"}, texts(svg.Find("path.edge title")))

	roles := map[string]string{}
	doc.Find("#integrations tr.integration").Each(func(_ int, r *goquery.Selection) {
		roles[strings.TrimSpace(r.Find("td.other").Text())] = strings.TrimSpace(r.Find("td").First().Text()) + " " + strings.TrimSpace(r.Find(".status").Text())
	})
	assert.Equal(t, map[string]string{"users": "consumer of pending", "gateway": "provider for verified", "notifier": "provider for unverified"}, roles)

	assert.Equal(t, []string{"2.0.0"}, texts(doc.Find("#versions tr.version td.number")), "2.0.0 both published a pact and verified one")
	assert.ElementsMatch(t, []string{"production", "staging"}, texts(doc.Find("#versions tr.version .label.env")))
	assert.ElementsMatch(t, []string{"production: 2.0.0 deployed", "staging: 2.0.0 deployed"}, texts(doc.Find("#deployments li.deployment")))
	assert.Equal(t, []string{"main main"}, texts(doc.Find("#branches td.branch-name")))

	t.Run("versions are paginated", func(t *testing.T) {
		s := newStore(t)
		for _, v := range []string{"1", "2", "3"} {
			mustPublish(t, s, "app", v, "main", nil, "api", pactFile(t, "v2.json", "app", "api"))
		}
		srv := newServer(t, s)
		doc := page(t, srv, "/pacticipants/app?pageSize=2", http.StatusOK)
		assert.Equal(t, []string{"3", "2"}, texts(doc.Find("tr.version td.number")))
		doc = page(t, srv, "/pacticipants/app?pageSize=2&page=2", http.StatusOK)
		assert.Equal(t, []string{"1"}, texts(doc.Find("tr.version td.number")))
	})
	t.Run("unknown pacticipant is an HTML 404", func(t *testing.T) {
		doc := page(t, srv, "/pacticipants/nobody", http.StatusNotFound)
		assert.Equal(t, "Not found", doc.Find("h1").Text())
	})
	t.Run("names with slashes and spaces round-trip", func(t *testing.T) {
		s := newStore(t)
		mustPublish(t, s, "Web App", "1", "feat/x", nil, "Billing/API", pactFile(t, "v2.json", "Web App", "Billing/API"))
		srv := newServer(t, s)
		doc := page(t, srv, "/", http.StatusOK)
		href := doc.Find("td.provider a").AttrOr("href", "")
		assert.Equal(t, "/pacticipants/Billing%2FAPI", href)
		doc = page(t, srv, href, http.StatusOK)
		assert.Equal(t, "Billing/API", doc.Find("dd.name").Text())
		doc = page(t, srv, "/pacts/provider/Billing%2FAPI/consumer/Web%20App/branch/feat%2Fx/latest", http.StatusOK)
		assert.Contains(t, doc.Find("h1").Text(), "Web App")
	})
}

func TestMatrixPage(t *testing.T) {
	srv := seededServer(t)

	doc := page(t, srv, "/matrix", http.StatusOK)
	assert.Equal(t, 2, doc.Find("fieldset .selector").Length())
	assert.Equal(t, 0, doc.Find("table.matrix").Length())
	assert.ElementsMatch(t, []string{"billing", "gateway", "notifier", "orders", "users"}, attrs(doc.Find("#pacticipant-names option"), "value"))
	assert.ElementsMatch(t, []string{"", "production", "staging"}, attrs(doc.Find(`select[name="environment"] option`), "value"))

	doc = page(t, srv, "/matrix/provider/orders/consumer/gateway", http.StatusOK)
	rows := doc.Find("table.matrix tbody tr.row")
	require.Equal(t, 1, rows.Length())
	assert.Equal(t, []string{"gateway", "1.0.0", "", "orders", "2.0.0", "", "verified", "Delete result"}, cells(rows.First()),
		"with no credentials configured everyone may write, so the row offers to delete its result")
	assert.Equal(t, "yes", doc.Find(".answer .verdict").Text())

	doc = page(t, srv, "/matrix?q[][pacticipant]=gateway&q[][version]=1.0.0&q[][pacticipant]=users&latestby=cvpv", http.StatusOK)
	assert.Equal(t, []string{"failed"}, texts(doc.Find("table.matrix tr.row .status")))
	assert.Equal(t, "no", doc.Find(".answer .verdict").Text())
	assert.NotEmpty(t, texts(doc.Find(".reasons li.r-error")))
	assert.Equal(t, []string{"gateway", "users", ""}, attrs(doc.Find(`input[name="q[][pacticipant]"]`), "value"), "the form keeps the question, with a row for one more")

	doc = page(t, srv, "/matrix?q[][pacticipant]=gateway&q[][version]=1.0.0&environment=production&latestby=cvpv", http.StatusOK)
	assert.Equal(t, "Can I deploy to production? no", strings.Join(strings.Fields(doc.Find(".answer h2").Text()), " "))
	reasons := strings.Join(texts(doc.Find(".reasons li.r-error")), "\n")
	assert.Contains(t, reasons, "users", "users 7.0.0 in production failed gateway's pact")
	assert.NotContains(t, reasons, "orders", "orders 2.0.0 in production verified it")
	assert.ElementsMatch(t, []string{"orders 2.0.0 verified", "users 7.0.0 failed"}, rowsOf(doc))
	assert.Equal(t, "production", doc.Find(`select[name="environment"] option[selected]`).AttrOr("value", ""))

	doc = page(t, srv, "/pacticipants/gateway/branches/main/latest-version/can-i-deploy/to-environment/production", http.StatusOK)
	assert.Equal(t, "no", doc.Find(".answer .verdict").Text())

	doc = page(t, srv, "/matrix?q[][pacticipant]=nobody", http.StatusBadRequest)
	assert.Contains(t, doc.Find(".notice.error").Text(), "nobody")
	assert.Equal(t, 0, doc.Find(".answer").Length())

	doc = page(t, srv, "/matrix?q[][pacticipant]=gateway&limit=0", http.StatusBadRequest)
	assert.Contains(t, doc.Find(".notice.error").Text(), "limit")
}

func TestEnvironmentsPage(t *testing.T) {
	srv := seededServer(t)
	doc := page(t, srv, "/environments", http.StatusOK)
	envs := doc.Find("section.environment")
	require.Equal(t, 2, envs.Length())
	prod := doc.Find("section#env-production")
	assert.Contains(t, prod.Find("h2").Text(), "Production")
	assert.Equal(t, "production", prod.Find(".label.prod").Text())
	var got []string
	prod.Find("tr.deployment").Each(func(_ int, r *goquery.Selection) { got = append(got, strings.Join(cells(r)[:3], " ")) })
	assert.ElementsMatch(t, []string{"gateway 1.0.0 deployed", "orders 2.0.0 deployed", "users 7.0.0 deployed", "notifier 3.0.0 released"}, got)
	assert.Equal(t, 1, doc.Find("section#env-staging tr.deployment").Length())
	assert.Equal(t, 0, doc.Find("main > .notice").Length(), "the store records every deployment")
	href := prod.Find(`a:contains("can-i-deploy")`).First().AttrOr("href", "")
	doc = page(t, srv, href, http.StatusOK)
	assert.Equal(t, 1, doc.Find(".answer").Length(), "the can-i-deploy link answers")

	doc = page(t, newServer(t, newStore(t)), "/environments", http.StatusOK)
	assert.Contains(t, doc.Find(".notice").Text(), "No environments yet")
}

func TestBadges(t *testing.T) {
	srv := seededServer(t)
	for _, c := range []struct {
		name, path, accept, title, status string
	}{
		{"verified", "/pacts/provider/orders/consumer/gateway/latest/badge", "image/svg+xml", "gateway/orders pact", "verified"},
		{"failed", "/pacts/provider/users/consumer/gateway/latest/badge", "image/svg+xml", "gateway/users pact", "failed"},
		{"failed while pending", "/pacts/provider/users/consumer/orders/latest/badge", "image/svg+xml", "orders/users pact", "failed"},
		{"unverified", "/pacts/provider/orders/consumer/notifier/latest/badge", "image/svg+xml", "notifier/orders pact", "unknown"},
		{"tag", "/pacts/provider/orders/consumer/notifier/latest/prod/badge", "image/svg+xml", "notifier (prod)/orders pact", "unknown"},
		{"label consumer", "/pacts/provider/orders/consumer/gateway/latest/badge?label=consumer", "image/svg+xml", "gateway pact", "verified"},
		{"initials", "/pacts/provider/users/consumer/orders/latest/badge?initials=true&label=provider", "image/svg+xml", "users pact", "failed"},
		{"no pact", "/pacts/provider/orders/consumer/nobody/latest/badge", "image/svg+xml", "pact not found", "unknown"},
		{".svg suffix, browser tab", "/pacts/provider/orders/consumer/gateway/latest/badge.svg", browserAccept, "gateway/orders pact", "verified"},
		{"img tag", "/pacts/provider/orders/consumer/gateway/latest/badge", "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8", "gateway/orders pact", "verified"},
		{"untagged", "/pacts/provider/orders/consumer/gateway/latest-untagged/badge", "image/svg+xml", "gateway/orders pact", "verified"},
		{"matrix badge", "/matrix/provider/orders/latest/prod/consumer/notifier/latest/prod/badge", "image/svg+xml", "notifier (prod)/orders (prod) pact", "unknown"},
		{"matrix badge without such tags", "/matrix/provider/orders/latest/main/consumer/gateway/latest/main/badge", "image/svg+xml", "pact not found", "unknown"},
		{"can-i-deploy to environment", "/pacticipants/gateway/branches/main/latest-version/can-i-deploy/to-environment/production/badge", "image/svg+xml", "can-i-deploy", "main to production"},
		{"can-i-merge", "/pacticipants/gateway/main-branch/can-i-merge/badge", "image/svg+xml", "can-i-merge", "failure"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, body := getURL(t, srv, c.path, c.accept)
			require.Equal(t, http.StatusOK, res.StatusCode, body)
			assert.Equal(t, "image/svg+xml;charset=utf-8", res.Header.Get("Content-Type"))
			var svg struct {
				Title string `xml:"title"`
				Width string `xml:"width,attr"`
			}
			require.NoError(t, xml.Unmarshal([]byte(body), &svg), body)
			assert.Equal(t, c.title+": "+c.status, svg.Title)
			assert.NotEmpty(t, svg.Width)
		})
	}
}

func TestSplitSendsAPIClientsToTheAPI(t *testing.T) {
	srv := seededServer(t)
	for _, accept := range []string{"application/hal+json", "application/json", "", "*/*"} {
		res, body := getURL(t, srv, "/pacticipants/orders", accept)
		require.Equal(t, http.StatusOK, res.StatusCode, body)
		assert.Contains(t, res.Header.Get("Content-Type"), "json", "Accept %q", accept)
		assert.Contains(t, body, `"name":"orders"`)
	}
	res, body := getURL(t, srv, "/pacticipants/orders/versions", browserAccept)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.Contains(t, res.Header.Get("Content-Type"), "json", "a browser opening an API-only resource gets the API's answer")
	res, _ = getURL(t, srv, "/ui/assets/style.css", "text/css,*/*;q=0.1")
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, res.Header.Get("Content-Type"), "text/css")
	res, _ = getURL(t, srv, "/ui/assets/app.js", "*/*")
	assert.Equal(t, http.StatusOK, res.StatusCode, "scripts are fetched with Accept */*")
}

// rowsOf lists the matrix rows as "provider version result".
func rowsOf(doc *goquery.Document) []string {
	var out []string
	doc.Find("table.matrix tr.row").Each(func(_ int, r *goquery.Selection) {
		c := cells(r)
		out = append(out, c[3]+" "+c[4]+" "+c[6])
	})
	return out
}

func attrs(sel *goquery.Selection, name string) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr(name, "")) })
	return out
}

// cells returns a row's cell texts, blanking cells that only hold a time
// ("3 hours ago"), which depends on the clock.
func cells(r *goquery.Selection) []string {
	var out []string
	r.Find("td").Each(func(_ int, c *goquery.Selection) {
		if c.Find("time").Length() > 0 && c.Find("a").Length() == 0 {
			out = append(out, "")
			return
		}
		out = append(out, strings.Join(strings.Fields(c.Text()), " "))
	})
	return out
}
