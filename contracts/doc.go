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
// Each interaction is its own subtest, TestProviderUsers/gateway/a_request_for_user_1,
// so -run re-runs one and a failure prints the command that does; the verifier
// still runs once, publishing one result per pact. Provider.Source says where
// the pacts come from (PactFiles, PactURL, Broker; SourceFromEnv() when unset).
// Provider.URL verifies a provider already running, StartProvider one built
// from a Dockerfile with its dependencies, with states set through its own
// StateChangeURL. Stub serves, to a consumer's tests, what a provider version
// has been verified to answer.
//
// Route coverage: with Provider.Routes listed ("GET /users/{id}"), the test
// output says which routes no consumer contract covers ("routes covered by
// consumer contracts: 3/4; not covered: GET /healthz"), and a run that
// publishes verification results publishes the coverage with them; the broker
// shows it per provider version and groups its field usage under the routes.
// The route that served each request comes from the router: net/http.ServeMux
// sets Request.Pattern; go-chi/chi, gorilla/mux, labstack/echo and
// gin-gonic/gin expose the matched route, which a middleware passes on with
// route.Record (package contracts/route, importable from production code) in
// the router's own syntax (julienschmidt/httprouter does not: a
// wrapper per handle reports the path it registered; docs/adopting.md has one
// line for each); with any other router each request is matched against
// Provider.Routes.
//
// The provider side changes no process-wide state (no environment variables,
// no global logger), so provider tests may call t.Parallel, with one
// exception: libpact_ffi prints its report to file descriptor 1 itself, with
// colour codes it cannot be told to drop, so while the verifier runs, and
// stdout is not a terminal, fd 1 is a pipe passing everything on without the
// codes (verifier runs take turns). pact-go's own globals — its log level and
// the standard logger it installs when imported — are touched only by the
// consumer side (NewHTTPPact and friends), once per process.
//
// Dependencies are real: Postgres starts PostgreSQL with testcontainers, once
// per test package when the package's TestMain calls Main. Containers are
// always terminated by the tests themselves; see README.md for the
// environment this needs (TESTCONTAINERS_HOST_OVERRIDE,
// TESTCONTAINERS_RYUK_DISABLED, PACT_DO_NOT_TRACK).
package contracts
