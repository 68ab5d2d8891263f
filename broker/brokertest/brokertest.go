// Package brokertest runs the broker inside tests: a migrated store on
// SQLite or PostgreSQL, and the API and pages served over it, wired the way
// broker/cmd/accord-broker wires them. Test packages of the broker use it
// instead of keeping copies of these helpers.
//
//	func TestMain(m *testing.M) { brokertest.Main(m) }
//
//	s := brokertest.NewStore(t, "postgres")
//	url := brokertest.Serve(t, s, httpapi.Config{})
package brokertest

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
	"github.com/accord-cdc/accord/broker/ui"
)

// Backends are the databases the broker supports; tests that must hold on
// both run once per backend.
var Backends = []string{"sqlite", "postgres"}

// pg is the test binary's PostgreSQL container, started by the first
// NewStore on "postgres" and stopped by Main.
var pg storetest.SharedPostgres

// Main runs a package's tests and then stops the PostgreSQL container they
// shared, if one was started:
//
//	func TestMain(m *testing.M) { brokertest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// NewStore returns an empty, migrated store on backend ("sqlite" or
// "postgres"), closed when tb ends. PostgreSQL stores are databases of one
// container per test binary: call Main from TestMain to stop it.
func NewStore(tb testing.TB, backend string) *sqlstore.Store {
	tb.Helper()
	u := "sqlite://" + filepath.Join(tb.TempDir(), "broker.sqlite3")
	switch backend {
	case "sqlite":
	case "postgres":
		u = pg.Database(tb)
	default:
		tb.Fatalf("brokertest: unknown backend %q; use one of %q", backend, Backends)
	}
	s, err := sqlstore.Open(context.Background(), u, nil)
	if err != nil {
		tb.Fatalf("brokertest: open %s store: %v", backend, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// APIServices hands every service of s to the API, as main does.
func APIServices(s *sqlstore.Store) httpapi.Services {
	return httpapi.Services{
		Pacticipants: s, Versions: s, Pacts: s, Verifications: s, ForVerification: s,
		Environments: s, Deployments: s, Webhooks: s, Matrix: s, Health: s, FieldUsage: s,
		Labels: s, Operations: s, ProviderContracts: s,
	}
}

// PageServices hands the services the pages read from s, as main does.
func PageServices(s *sqlstore.Store) ui.Services {
	return ui.Services{
		Pacticipants: s, Versions: s, Pacts: s, Verifications: s,
		Environments: s, Deployments: s, Webhooks: s, Matrix: s, FieldUsage: s,
		Labels: s, ProviderContracts: s,
	}
}

// API returns the HTTP API over s.
func API(s *sqlstore.Store, cfg httpapi.Config) *httpapi.Server {
	return httpapi.New(APIServices(s), cfg)
}

// Pages returns the UI's pages over s.
func Pages(s *sqlstore.Store, cfg ui.Config) *ui.Handler {
	return ui.New(ui.NewSource(PageServices(s)), cfg)
}

// Serve serves the API over s on a free loopback port until tb ends and
// returns its URL.
func Serve(tb testing.TB, s *sqlstore.Store, cfg httpapi.Config) string {
	tb.Helper()
	srv := httptest.NewServer(API(s, cfg))
	tb.Cleanup(srv.Close)
	return srv.URL
}

// ServeServices serves the API over svc (a test may replace one service,
// e.g. by one that fails) until tb ends and returns its URL.
func ServeServices(tb testing.TB, svc httpapi.Services, cfg httpapi.Config) string {
	tb.Helper()
	srv := httptest.NewServer(httpapi.New(svc, cfg))
	tb.Cleanup(srv.Close)
	return srv.URL
}
