package contractcheck_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/contractcheck"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// BenchmarkContractWith50ConsumerPacts: the goal is that publishing
// a provider contract with 50 consumer pacts to check returns at once and
// the results are in within 2 s. One iteration is the publication (what
// the client waits for, reported as publish-ms) and every check it calls
// for, recorded (results-ms, from the publication's start).
func BenchmarkContractWith50ConsumerPacts(b *testing.B) {
	for name, open := range map[string]func(testing.TB) *sqlstore.Store{"SQLite": newSQLite, "Postgres": newPostgres} {
		b.Run(name, func(b *testing.B) {
			s := open(b)
			ctx := context.Background()
			for i := range 50 {
				consumer := fmt.Sprintf("consumer-%02d", i)
				_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: consumer, Version: "1", Branch: "main",
					Contracts: []broker.Contract{{ConsumerName: consumer, ProviderName: "orders", Content: httpPact(consumer, fmt.Sprintf(`{"id":%d,"total":1.5}`, i))}}})
				require.NoError(b, err)
			}
			chk := contractcheck.New(s, nil)
			var publish, results time.Duration
			n := 0
			for b.Loop() {
				n++
				// Each iteration a new contract content, so every pact is checked.
				doc := ordersYAML + fmt.Sprintf("x-iteration: %d\n", n)
				start := time.Now()
				_, err := s.PublishProviderContract(ctx, broker.ProviderContractRequest{Provider: "orders", Version: fmt.Sprint(n), Branch: "main",
					Specification: "oas", ContentType: "application/yaml", Content: []byte(doc), SelfVerification: &broker.SelfVerification{Success: true}})
				require.NoError(b, err)
				publish += time.Since(start)
				for {
					done, err := chk.RunOnce(ctx)
					require.NoError(b, err)
					if done == 0 {
						break
					}
				}
				results += time.Since(start)
			}
			checks, err := s.ContractCheckResults(ctx, "orders", fmt.Sprint(n))
			require.NoError(b, err)
			require.Len(b, checks, 50)
			b.ReportMetric(float64(publish.Milliseconds())/float64(n), "publish-ms")
			b.ReportMetric(float64(results.Milliseconds())/float64(n), "results-ms")
		})
	}
}
