package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/contractcheck"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/ui"
)

const ordersContract = `openapi: 3.0.3
info: {title: Orders API, version: "1.4"}
paths:
  /orders/{id}:
    get:
      summary: Get one order
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200":
          description: the order
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}, total: {type: number}, status: {type: string, enum: [open, paid]}}}
        "404": {description: no such order}
  /orders:
    post:
      summary: Place an order
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [items], properties: {items: {type: array, items: {type: string}}}}
      responses:
        "201": {description: placed, content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}}}}
`

func ordersPact(consumer, body string) []byte {
	return []byte(fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":"orders"},"interactions":[{"description":"get order 1","request":{"method":"GET","path":"/orders/1"},
"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":%s}},{"description":"list customers","request":{"method":"GET","path":"/customers"},"response":{"status":200}}],
"metadata":{"pactSpecification":{"version":"3.0.0"}}}`, consumer, body))
}

// seedContract publishes two consumer pacts (web compatible, mobile not)
// and a contract for orders 1.4.0, and makes the checks.
func seedContract(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	ctx := context.Background()
	web := []byte(`{"consumer":{"name":"web"},"provider":{"name":"orders"},"interactions":[{"description":"get order 1","request":{"method":"GET","path":"/orders/1"},
"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":1,"total":9.5}}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	for consumer, content := range map[string][]byte{"web": web, "mobile": ordersPact("mobile", `{"id":1,"currency":"EUR"}`)} {
		_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: consumer, Version: "2.0.0", Branch: "main",
			Contracts: []broker.Contract{{ConsumerName: consumer, ProviderName: "orders", Content: content}}})
		require.NoError(t, err)
	}
	_, err := s.PublishProviderContract(ctx, broker.ProviderContractRequest{Provider: "orders", Version: "1.4.0", Branch: "main", Specification: "oas",
		ContentType: "application/yaml", Content: []byte(ordersContract),
		SelfVerification: &broker.SelfVerification{Success: true, Verifier: "schemathesis", VerifierVersion: "3.39", Content: "GET /orders/{id} ... 120 checks passed\nPOST /orders ... 64 checks passed\n"}})
	require.NoError(t, err)
	chk := contractcheck.New(s, nil)
	for {
		n, err := chk.RunOnce(ctx)
		require.NoError(t, err)
		if n == 0 {
			break
		}
	}
}

func TestProviderContractPages(t *testing.T) {
	s := newStore(t)
	seedContract(t, s)
	srv := newServer(t, s)

	doc := page(t, srv, "/provider-contracts/provider/orders/latest", http.StatusOK)
	assert.Contains(t, doc.Find("h1").Text(), "Provider contract of orders")
	assert.Equal(t, []string{"POST /orders"}, texts(doc.Find(`.operation[data-operation="POST /orders"] h3 code`)))
	assert.Len(t, doc.Find(".operation").Nodes, 2)
	assert.Contains(t, doc.Find(`.operation[data-operation="GET /orders/{id}"] .responses`).Text(), "object {id: integer, status?: string one of open, paid, total?: number}")
	assert.Contains(t, doc.Find(`.operation[data-operation="POST /orders"] .request-body`).Text(), "object {items: array of string}")
	assert.Contains(t, doc.Find(".self-verification").Text(), "passed by schemathesis 3.39")
	assert.Contains(t, doc.Find(".self-output").Text(), "120 checks passed")
	assert.Equal(t, "1 of 2 compatible", strings.TrimSpace(doc.Find(".compat-count").Text()))

	mobile := doc.Find(`.compat[data-consumer="mobile"]`)
	assert.Contains(t, mobile.Find("h3").Text(), "incompatible")
	problems := texts(mobile.Find(".problems li"))
	require.Len(t, problems, 2, "one incompatibility per interaction")
	assert.Contains(t, problems[0], "response.body.$.currency")
	assert.Contains(t, problems[1], "request.path")
	assert.Contains(t, doc.Find(`.compat[data-consumer="web"] h3`).Text(), "compatible")

	only := page(t, srv, "/provider-contracts/provider/orders/version/1.4.0/cross-contract-verification-results", http.StatusOK)
	assert.Len(t, only.Find(".compat").Nodes, 2)
	assert.Empty(t, only.Find(".operation").Nodes, "the results page shows the pacts alone")

	page(t, srv, "/provider-contracts/provider/orders/version/9.9.9", http.StatusNotFound)

	// The provider's versions link the contract each published; a version
	// without one says so, and a pacticipant with none has no such column.
	_, err := s.PublishContracts(context.Background(), broker.PublishRequest{Pacticipant: "orders", Version: "1.5.0", Branch: "main"})
	require.NoError(t, err)
	orders := page(t, srv, "/pacticipants/orders", http.StatusOK)
	assert.Equal(t, []string{"Provider contract"}, texts(orders.Find(`table.versions th:contains("Provider contract")`)))
	links := orders.Find(`table.versions td.provider-contract a`)
	require.Len(t, links.Nodes, 1, "only 1.4.0 published a contract")
	href, _ := links.Attr("href")
	assert.Equal(t, "/provider-contracts/provider/orders/version/1.4.0", href)
	assert.Equal(t, "OpenAPI document", strings.TrimSpace(links.Text()))
	assert.Contains(t, orders.Find(`table.versions td.provider-contract`).Text(), "none published", "1.5.0 has none")
	page(t, srv, strings.TrimPrefix(href, srv.URL), http.StatusOK)
	web := page(t, srv, "/pacticipants/web", http.StatusOK)
	assert.Empty(t, web.Find(`td.provider-contract`).Nodes)

	// The API's version resource links it too, only when there is one.
	for version, want := range map[string]bool{"1.4.0": true, "1.5.0": false} {
		res, body := getURL(t, srv, "/pacticipants/orders/versions/"+version, "application/hal+json")
		require.Equal(t, http.StatusOK, res.StatusCode, body)
		assert.Equal(t, want, strings.Contains(body, `"pf:provider-contract"`), "version %s: %s", version, body)
	}
	res, body := getURL(t, srv, "/pacticipants/orders/latest-version", "application/hal+json")
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	assert.NotContains(t, body, `"pf:provider-contract"`, "the latest version, 1.5.0, has none")
}

// TestProviderContractPagesInTheBrowser loads both pages in Chromium (no
// console errors, nothing off loopback, fits a phone) and saves
// screenshots to artifacts/ui.
func TestProviderContractPagesInTheBrowser(t *testing.T) {
	s := newStore(t)
	s.Now = time.Now
	seedContract(t, s)
	srv := httptest.NewServer(ui.Split(brokertest.Pages(s, ui.Config{}), brokertest.API(s, httpapi.Config{})))
	t.Cleanup(srv.Close)
	ctx, bp := newBrowser(t, srv.URL)
	shots := artifactsDir(t)
	for name, path := range map[string]string{
		"provider-contract":               "/provider-contracts/provider/orders/version/1.4.0",
		"provider-contract-compatibility": "/provider-contracts/provider/orders/version/1.4.0/cross-contract-verification-results",
	} {
		for _, vp := range []struct {
			suffix string
			w, h   int64
			mobile bool
		}{{"", 1280, 900, false}, {"-phone", 390, 844, true}} {
			opts := []chromedp.EmulateViewportOption{}
			if vp.mobile {
				opts = append(opts, chromedp.EmulateMobile)
			}
			require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h, opts...), chromedp.Navigate(srv.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1"))))
			incompatible, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.compat .s-failed')].map(e => e.textContent)`))
			require.NoError(t, err)
			assert.Equal(t, []string{"incompatible"}, incompatible, path)
			if vp.mobile {
				overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
				require.NoError(t, err)
				assert.False(t, overflow, "%s must fit a phone's width", path)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(shots, name+vp.suffix+".png"), png, 0o644))
			problems, _ := bp.take()
			assert.Empty(t, problems, "console errors, failed or refused loads on %s", path)
		}
	}
}
