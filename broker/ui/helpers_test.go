package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
	"github.com/accord-cdc/accord/broker/ui"
)

// start is when the seeded history begins; every store write advances
// the clock by a minute.
var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// browserAccept is what Chromium sends for a page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8"

func tickingClock() func() time.Time {
	var mu sync.Mutex
	t := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Minute)
		return t
	}
}

func newStore(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	s := brokertest.NewStore(tb, "sqlite")
	s.Now = tickingClock()
	return s
}

// pactFile returns a testdata pact with the names filled in.
func pactFile(tb testing.TB, name, consumer, provider string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	return []byte(strings.NewReplacer("CONSUMER", consumer, "PROVIDER", provider).Replace(string(b)))
}

func mustPublish(tb testing.TB, s broker.Store, consumer, version, branch string, tags []string, provider string, content []byte) broker.Pact {
	tb.Helper()
	res, err := s.PublishContracts(context.Background(), broker.PublishRequest{Pacticipant: consumer, Version: version, Branch: branch, Tags: tags,
		Contracts: []broker.Contract{{ConsumerName: consumer, ProviderName: provider, Content: content}}})
	require.NoError(tb, err)
	return res.Pacts[0].Pact
}

func mustVerify(tb testing.TB, s broker.Store, p broker.Pact, providerVersion string, success, pending bool) {
	tb.Helper()
	_, err := s.RecordVerification(context.Background(), broker.VerificationRequest{Consumer: p.Consumer, Provider: p.Provider, SHA: p.SHA,
		ProviderVersion: providerVersion, Success: success, Pending: pending, BuildURL: "https://ci.example/build/" + providerVersion})
	require.NoError(tb, err)
}

// seed writes a small system through the store:
//
//	gateway 1.0.0 (main)  -> orders  V4 pact, verified by orders 2.0.0
//	gateway 1.0.0 (main)  -> users   V2 pact, failed by users 7.0.0
//	orders 2.0.0 (main)   -> users   V3 pact, failed while pending
//	notifier 3.0.0 (prod) -> orders  V3 message pact, unverified
//	billing 0.1.0 (feat/invoices) -> users V3 pact, unverified
//
// orders 2.0.0 is tagged prod. gateway 1.0.0, orders 2.0.0 and users 7.0.0
// are deployed to production, notifier 3.0.0 released there; orders 2.0.0 is
// also deployed to staging. A webhook on gateway -> orders publications was
// triggered (not run: no dispatcher runs in tests).
func seed(tb testing.TB, s broker.Store) {
	tb.Helper()
	ctx := context.Background()
	main := "main"
	for _, name := range []string{"gateway", "orders", "users", "notifier"} {
		_, _, err := s.UpdatePacticipant(ctx, name, broker.PacticipantUpdate{MainBranch: &main}, true)
		require.NoError(tb, err)
	}
	_, err := s.CreateWebhook(ctx, broker.Webhook{Description: "build orders", Consumer: &broker.WebhookPacticipant{Name: "gateway"},
		Provider: &broker.WebhookPacticipant{Name: "orders"}, Enabled: true, Events: []string{broker.EventContractPublished},
		Request: broker.WebhookRequest{Method: "POST", URL: "https://ci.example/hooks/orders"}})
	require.NoError(tb, err)
	gwOrders := mustPublish(tb, s, "gateway", "1.0.0", "main", nil, "orders", pactFile(tb, "v4.json", "gateway", "orders"))
	gwUsers := mustPublish(tb, s, "gateway", "1.0.0", "main", nil, "users", pactFile(tb, "v2.json", "gateway", "users"))
	ordersUsers := mustPublish(tb, s, "orders", "2.0.0", "main", nil, "users", pactFile(tb, "v3.json", "orders", "users"))
	mustPublish(tb, s, "notifier", "3.0.0", "main", []string{"prod"}, "orders", pactFile(tb, "v3-message.json", "notifier", "orders"))
	mustPublish(tb, s, "billing", "0.1.0", "feat/invoices", nil, "users", pactFile(tb, "v3.json", "billing", "users"))
	mustVerify(tb, s, gwOrders, "2.0.0", true, false)
	_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: "gateway", Provider: "users", SHA: gwUsers.SHA, ProviderVersion: "7.0.0",
		TestResults: []byte(`[{"interactionDescription": "a request for user 42", "success": false, "mismatches": [{"attribute": "status", "description": "expected 200 but was 500"}]},
			{"interactionDescription": "a request for a missing user", "success": true}]`)})
	require.NoError(tb, err)
	mustVerify(tb, s, ordersUsers, "7.0.0", false, true)
	for _, e := range []broker.Environment{{Name: "production", DisplayName: "Production", Production: true}, {Name: "staging", DisplayName: "Staging"}} {
		_, err := s.CreateEnvironment(ctx, e)
		require.NoError(tb, err)
	}
	_, _, err = s.AddTag(ctx, "orders", "2.0.0", "prod")
	require.NoError(tb, err)
	storetest.Deploy(tb, s, "gateway", "1.0.0", "production", "")
	storetest.Deploy(tb, s, "orders", "2.0.0", "production", "")
	storetest.Deploy(tb, s, "orders", "2.0.0", "staging", "")
	storetest.Deploy(tb, s, "users", "7.0.0", "production", "")
	storetest.Release(tb, s, "notifier", "3.0.0", "production")
}

// newServer serves the UI in front of the HAL API, split the way the
// broker's main is meant to wire them.
func newServer(tb testing.TB, s *sqlstore.Store) *httptest.Server {
	tb.Helper()
	pages := brokertest.Pages(s, ui.Config{Now: func() time.Time { return start.Add(24 * time.Hour) }})
	srv := httptest.NewServer(ui.Split(pages, brokertest.API(s, httpapi.Config{})))
	tb.Cleanup(srv.Close)
	return srv
}

func getURL(tb testing.TB, srv *httptest.Server, path, accept string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(tb, err)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := srv.Client().Do(req)
	require.NoError(tb, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(tb, err)
	return res, string(b)
}

// page fetches path as a browser and parses it; the status must be want.
func page(tb testing.TB, srv *httptest.Server, path string, want int) *goquery.Document {
	tb.Helper()
	res, body := getURL(tb, srv, path, browserAccept)
	require.Equal(tb, want, res.StatusCode, "GET %s: %s", path, body)
	require.Contains(tb, res.Header.Get("Content-Type"), "text/html", "GET %s", path)
	// Space between tags so Text() keeps words apart, as a reader sees them.
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(strings.ReplaceAll(body, "><", "> <")))
	require.NoError(tb, err)
	return doc
}

func texts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return out
}
