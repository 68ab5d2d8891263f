package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

var pg storetest.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// backends are the databases every client conformance test runs against.
var backends = []string{"sqlite", "postgres"}

func newStore(t testing.TB, backend string) *sqlstore.Store {
	t.Helper()
	u := "sqlite://" + filepath.Join(t.TempDir(), "broker.sqlite3")
	if backend == "postgres" {
		u = pg.Database(t)
	}
	s, err := sqlstore.Open(context.Background(), u, nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// newBroker serves the API over store on a free loopback port.
func newBroker(t testing.TB, store broker.Store, cfg httpapi.Config) string {
	t.Helper()
	srv := httptest.NewServer(httpapi.New(store, cfg))
	t.Cleanup(srv.Close)
	return srv.URL
}

// pactCLI returns the path of the official pact CLI installed by `make setup`.
func pactCLI(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", ".tools", "bin", "pact")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the official pact CLI is missing at %s: run `make setup` (it installs pact 18.1.2): %v", p, err)
	}
	return p
}

func newLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
