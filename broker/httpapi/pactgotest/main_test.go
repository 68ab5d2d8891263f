package pactgotest

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

var pg storetest.SharedPostgres

func TestMain(m *testing.M) {
	if _, err := os.Stat("/usr/local/lib/libpact_ffi.so"); err != nil {
		// The test binary would not have linked without it; say what to do.
		os.Stderr.WriteString("libpact_ffi is missing from /usr/local/lib: run `make setup`\n")
		os.Exit(1)
	}
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

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

func newBroker(t testing.TB, s *sqlstore.Store, cfg httpapi.Config) string {
	t.Helper()
	srv := httptest.NewServer(httpapi.New(s, cfg))
	t.Cleanup(srv.Close)
	return srv.URL
}
