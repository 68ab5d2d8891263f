package contracts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/accord-cdc/accord/contracts"
	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	v4 "github.com/pact-foundation/pact-go/v2/message/v4"
)

var t = &testing.T{} // stands for the *testing.T of the test the examples live in

// A consumer test: the interaction the gateway needs from users, exercised
// through the gateway's real client against pact's mock server.
func ExampleNewHTTPPact() {
	pact := contracts.NewHTTPPact(t, "gateway", "users")
	err := pact.AddInteraction().
		Given("user 1 exists").
		UponReceiving("a request for user 1").
		WithRequest("GET", "/users/1").
		WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
			b.JSONBody(matchers.Map{
				"id":        matchers.Integer(1),
				"name":      matchers.Like("Ada Lovelace"),
				"createdAt": matchers.Regex("2024-05-01T09:30:00Z", contracts.RFC3339Pattern),
			})
		}).
		ExecuteTest(t, func(cfg consumer.MockServerConfig) error {
			resp, err := http.Get(fmt.Sprintf("http://%s:%d/users/1", cfg.Host, cfg.Port))
			if err != nil {
				return err
			}
			return resp.Body.Close()
		})
	if err != nil {
		t.Fatal(err)
	}
}

// A message consumer test: notifier states the OrderPlaced event it handles.
func ExampleNewMessagePact() {
	pact := contracts.NewMessagePact(t, "notifier", "orders")
	err := pact.AddAsynchronousMessage().
		Given("an order was placed").
		ExpectsToReceive("an OrderPlaced event").
		WithJSONContent(matchers.Map{"type": matchers.S("OrderPlaced"), "orderId": matchers.Like("o-1")}).
		ConsumedBy(func(m v4.AsynchronousMessage) error {
			var event struct{ Type, OrderID string }
			return json.Unmarshal(m.Contents, &event) // the real handler goes here
		}).
		Verify(t)
	if err != nil {
		t.Fatal(err)
	}
}

// A provider test: the real handler over a real, migrated PostgreSQL, with
// the provider states its consumers name. The same test verifies local pact
// files on a laptop and the broker's pacts in CI (PACT_BROKER_BASE_URL).
func ExampleVerifyProvider() {
	db := contracts.Postgres(t, contracts.WithDatabase("users"),
		contracts.WithMigrations(func(ctx context.Context, connString string) error {
			return nil // the service's own migrations
		}))
	contracts.VerifyProvider(t, contracts.Provider{
		Name:    "users",
		Handler: http.NotFoundHandler(), // the service's real handler over db.ConnString
		Reset:   db.Reset,
		States: []contracts.State{
			contracts.Given("user 1 exists", func(ctx context.Context) error {
				return nil // insert user 1
			}),
			contracts.GivenWith("a user exists", func(ctx context.Context, p struct{ ID int64 }) (map[string]any, error) {
				return map[string]any{"id": p.ID}, nil // insert user p.ID; the id is injected into the request
			}),
		},
	})
}

// Share one PostgreSQL container between all tests of a package, and
// terminate it when they end.
func ExampleMain() {
	// func TestMain(m *testing.M) { contracts.Main(m) }
}

// The version and branch a provider verification or a publication is
// recorded under.
func ExampleDetectBuild() {
	build, err := contracts.DetectBuild()
	if err != nil {
		panic(err)
	}
	fmt.Println(build.Version != "", build.Branch)
}

// Where the pacts come from, said in the test rather than the environment:
// a broker, with the results published as this build.
func ExampleBroker() {
	contracts.VerifyProvider(t, contracts.Provider{
		Name:    "users",
		Handler: http.NotFoundHandler(), // the provider's real handler
		Source: contracts.Broker{
			URL:     "https://broker.example.com",
			Auth:    contracts.BrokerAuth{Token: "…"},
			Publish: true,
		},
	})
}

// A provider in any language, from its Dockerfile, with its database on
// the same network; its own endpoint sets provider states, and a filter
// adds the token it demands.
func ExampleStartProvider() {
	catalog := contracts.StartProvider(t, contracts.ProviderContainer{
		Dockerfile: "../catalog/Dockerfile",
		Port:       "8080/tcp",
		StatePath:  "/_pact/provider-states",
		Env:        map[string]string{"DATABASE_URL": "postgres://postgres:postgres@db:5432/catalog"},
		Dependencies: []contracts.Dependency{{
			Image: "postgres:16-alpine", Alias: "db", Port: "5432/tcp",
			Env: map[string]string{"POSTGRES_PASSWORD": "postgres", "POSTGRES_DB": "catalog"},
		}},
	})
	contracts.VerifyProvider(t, contracts.Provider{
		Name:           "catalog",
		URL:            catalog.URL,
		StateChangeURL: catalog.StateChangeURL,
		RequestFilters: []func(*http.Request){func(r *http.Request) { r.Header.Set("Authorization", "Bearer test-token") }},
	})
}

// A consumer developing against what the provider in production has been
// verified to answer, in the state it needs.
func ExampleStub() {
	usersURL := contracts.Stub(t, "users", contracts.StubFrom{Environment: "production"},
		contracts.WithState("user 1 exists"))
	resp, err := http.Get(usersURL + "/users/1")
	if err == nil {
		resp.Body.Close()
	}
}
