package sqlstore_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

var pg storetest.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	closeBenchStores()
	pg.Stop()
	os.Exit(code)
}

func newPostgres(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), pg.Database(t), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}
