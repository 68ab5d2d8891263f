// Package contracts is what an Accord service imports in its tests to write and
// check consumer-driven contracts (Pact) against real dependencies.
//
// A consumer test records what the consumer needs from a provider:
//
//	pact := contracts.NewHTTPPact(t, "gateway", "users")
//	pact.AddInteraction().
//		Given("user 1 exists").
//		UponReceiving("a request for user 1").
//		WithRequest("GET", "/users/1").
//		WillRespondWith(200, func(b *consumer.V4ResponseBuilder) { ... })
//	err := pact.ExecuteTest(t, func(cfg consumer.MockServerConfig) error { ... })
//
// and, when the test passes, the pact is written to contracts/pacts/ at the
// root of the module (override with ACCORD_PACT_DIR).
//
// A provider test verifies its real http.Handler against every pact naming it,
// with provider states that seed its real database:
//
//	db := contracts.Postgres(t, contracts.WithMigrations(migrate))
//	contracts.VerifyProvider(t, contracts.Provider{
//		Name:    "users",
//		Handler: users.NewHandler(...),
//		Reset:   db.Reset,
//		States:  []contracts.State{contracts.Given("user 1 exists", seedUser)},
//	})
//
// A state named by a pact that the provider does not handle fails the test
// (pact-go itself only logs a warning), listing the states the provider knows.
// Data is reset between interactions, so their order never matters.
//
// Dependencies are real: Postgres starts PostgreSQL with testcontainers, once
// per test package when the package's TestMain calls Main. Containers are
// always terminated by the tests themselves; see README.md for the
// environment this needs (TESTCONTAINERS_HOST_OVERRIDE,
// TESTCONTAINERS_RYUK_DISABLED, PACT_DO_NOT_TRACK).
package contracts
