package users_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/accord-cdc/accord/contracts"
	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/stretchr/testify/require"
)

// BenchmarkReset measures contracts' per-interaction data reset of the
// users database (truncate + restore the post-migration snapshot), with
// rows to remove as a provider state would leave them.
func BenchmarkReset(b *testing.B) {
	db := contracts.Postgres(b, contracts.WithDatabase("users"), contracts.WithMigrations(migrate))
	pool := db.Pool(b)
	ctx := context.Background()
	for b.Loop() {
		for i := 0; i < 5; i++ {
			_, err := pool.Exec(ctx, `INSERT INTO users (name, email) VALUES ($1, $2)`, "n", fmt.Sprintf("u%d@example.com", i))
			require.NoError(b, err)
		}
		require.NoError(b, db.Reset(ctx))
	}
}

// BenchmarkVerifyTenInteractions measures one provider verification of a
// pact with 10 interactions, each with a provider state that seeds the real
// database, excluding the container's start (the container is shared).
func BenchmarkVerifyTenInteractions(b *testing.B) {
	dir := b.TempDir()
	b.Setenv("ACCORD_PACT_DIR", dir)
	b.Setenv("PACT_BROKER_BASE_URL", "")
	b.Setenv("PACT_URL", "")
	writePact := func(t *testing.T) {
		pact := contracts.NewHTTPPact(t, "bench-consumer", "users")
		for i := 1; i <= 10; i++ {
			err := pact.AddInteraction().
				GivenWithParameter(providerState(i)).
				UponReceiving(fmt.Sprintf("a request for user %d", i)).
				WithRequest("GET", fmt.Sprintf("/users/%d", i)).
				WillRespondWith(200, func(rb *consumer.V4ResponseBuilder) {
					rb.JSONBody(matchers.Map{"id": matchers.Integer(i), "name": matchers.Like("Customer")})
				}).
				ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
					resp, err := http.Get(fmt.Sprintf("http://%s:%d/users/%d", cfg.Host, cfg.Port, i))
					if err != nil {
						return err
					}
					return resp.Body.Close()
				})
			require.NoError(t, err)
		}
	}
	runAsTest(b, "WritePact", writePact)
	p := provider(b, nil)
	b.ResetTimer()
	for b.Loop() {
		runAsTest(b, "Verify", func(t *testing.T) { contracts.VerifyProvider(t, p) })
	}
}

// runAsTest runs fn with a real *testing.T (pact-go's verifier needs one)
// and fails the benchmark if it fails.
func runAsTest(b *testing.B, name string, fn func(t *testing.T)) {
	b.Helper()
	ok := testing.RunTests(func(string, string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "Benchmark" + name, F: fn}})
	if !ok {
		b.Fatalf("%s failed", name)
	}
}

func providerState(id int) models.ProviderState {
	return models.ProviderState{Name: "a user exists", Parameters: map[string]any{"id": id}}
}
