package sqlstore_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

// The benchmark broker: one provider, 50 consumers with 1,000 versions each.
var benchShape = sqlstore.SeedShape{Provider: "Bench Provider", Consumers: 50, Versions: 1000, ContentEvery: 10}

var (
	benchMu     sync.Mutex
	benchStores = map[string]*sqlstore.Store{}
)

// benchStore seeds each backend once per test binary; TestMain closes the
// stores (closeBenchStores).
func benchStore(b *testing.B, backend string) *sqlstore.Store {
	benchMu.Lock()
	defer benchMu.Unlock()
	if s, ok := benchStores[backend]; ok {
		return s
	}
	var u string
	if backend == "postgres" {
		u = pg.Database(b)
	} else {
		dir, err := os.MkdirTemp("", "accord-bench")
		require.NoError(b, err)
		benchDirs = append(benchDirs, dir)
		u = "sqlite://" + filepath.Join(dir, "bench.sqlite3")
	}
	s, err := sqlstore.Open(context.Background(), u, nil)
	require.NoError(b, err)
	benchStores[backend] = s
	require.NoError(b, sqlstore.SeedBulk(context.Background(), s, benchShape))
	return s
}

var benchDirs []string

func closeBenchStores() {
	for _, s := range benchStores {
		s.Close()
	}
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
}

// BenchmarkPactsForVerification: POST for-verification with three selectors
// (main branch, deployed or released, latest prod tag), pending and WIP on.
func BenchmarkPactsForVerification(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			api := brokertest.API(benchStore(b, backend), httpapi.Config{BaseURL: "http://broker"})
			body := []byte(`{"consumerVersionSelectors":[{"mainBranch":true},{"deployedOrReleased":true},{"tag":"prod","latest":true}],
				"providerVersionBranch":"main","includePendingStatus":true,"includeWipPactsSince":"2020-01-01"}`)
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, httptest.NewRequest("POST", "/pacts/provider/Bench%20Provider/for-verification", bytes.NewReader(body)))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			b.StopTimer()
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, httptest.NewRequest("POST", "/pacts/provider/Bench%20Provider/for-verification", bytes.NewReader(body)))
			var res struct {
				Embedded struct{ Pacts []any } `json:"_embedded"`
			}
			require.NoError(b, json.Unmarshal(rec.Body.Bytes(), &res))
			require.Len(b, res.Embedded.Pacts, 100, "50 consumers: main branch head and prod tag/deployed contents")
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/request")
		})
	}
}

// BenchmarkPublish: sequential POST /contracts/publish of new consumer
// versions with new content into the seeded broker.
func BenchmarkPublish(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			api := brokertest.API(benchStore(b, backend), httpapi.Config{BaseURL: "http://broker", Log: slog.New(slog.NewTextHandler(os.Stderr, nil))})
			run := fmt.Sprintf("%p", b)
			i := 0
			b.ResetTimer()
			for b.Loop() {
				i++
				consumer := fmt.Sprintf("Consumer %02d", i%benchShape.Consumers)
				content := storetest.PactJSON(consumer, benchShape.Provider, fmt.Sprintf("bench %s %d", run, i))
				body, _ := json.Marshal(map[string]any{
					"pacticipantName": consumer, "pacticipantVersionNumber": fmt.Sprintf("bench-%s-%d", run, i), "branch": "main",
					"contracts": []any{map[string]any{"consumerName": consumer, "providerName": benchShape.Provider, "specification": "pact",
						"contentType": "application/json", "content": base64.StdEncoding.EncodeToString(content)}},
				})
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, httptest.NewRequest("POST", "/contracts/publish", bytes.NewReader(body)))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "contracts/s")
		})
	}
}
