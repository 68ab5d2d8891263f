package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/ui"
)

// bigBroker publishes 200 integrations (40 consumers × 5 providers, a V4
// pact each, two consumer versions per consumer) and verifies half of them.
// With webhook, a global webhook triggers on every publication, so every
// integration has a webhook status to look up.
func bigBroker(b *testing.B, webhook bool) *sqlstore.Store {
	b.Helper()
	s := newStore(b)
	if webhook {
		_, err := s.CreateWebhook(context.Background(), broker.Webhook{Description: "all", Enabled: true, Events: []string{broker.EventContractPublished},
			Request: broker.WebhookRequest{Method: "POST", URL: "https://ci.example/hook"}})
		require.NoError(b, err)
	}
	content := pactFile(b, "v4.json", "CONSUMER", "PROVIDER")
	for c := 0; c < 40; c++ {
		consumer := fmt.Sprintf("consumer-%02d", c)
		for _, version := range []string{"1.0.0", "1.1.0"} {
			req := broker.PublishRequest{Pacticipant: consumer, Version: version, Branch: "main"}
			for p := 0; p < 5; p++ {
				provider := fmt.Sprintf("provider-%d", p)
				req.Contracts = append(req.Contracts, broker.Contract{ConsumerName: consumer, ProviderName: provider,
					Content: []byte(replaceNames(string(content), consumer, provider))})
			}
			res, err := s.PublishContracts(context.Background(), req)
			require.NoError(b, err)
			if version == "1.1.0" {
				for i, p := range res.Pacts {
					if i%2 == 0 {
						mustVerify(b, s, p.Pact, "9.0.0", c%3 != 0, false)
					}
				}
			}
		}
	}
	return s
}

func replaceNames(s, consumer, provider string) string {
	return strings.NewReplacer("CONSUMER", consumer, "PROVIDER", provider).Replace(s)
}

func benchPage(b *testing.B, h http.Handler, path string) {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	require.Equal(b, http.StatusOK, rec.Code, rec.Body.String())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
		_, _ = io.Copy(io.Discard, rec.Body)
	}
}

// BenchmarkIndex renders the index over 200 integrations, reading through
// the real SQLite store. Target: ≤ 100 ms per render.
func BenchmarkIndex(b *testing.B) {
	s := bigBroker(b, false)
	h := brokertest.Pages(s, ui.Config{})
	b.Run("page of 50", func(b *testing.B) { benchPage(b, h, "/") })
	b.Run("all 200", func(b *testing.B) { benchPage(b, h, "/?pageSize=200") })
	hw := brokertest.Pages(bigBroker(b, true), ui.Config{})
	b.Run("page of 50 with webhooks", func(b *testing.B) { benchPage(b, hw, "/") })
}

// BenchmarkPactPage renders a V4 pact page in a broker with 200
// integrations. Target: ≤ 100 ms per render.
func BenchmarkPactPage(b *testing.B) {
	h := brokertest.Pages(bigBroker(b, true), ui.Config{})
	benchPage(b, h, "/pacts/provider/provider-3/consumer/consumer-17/latest")
}
