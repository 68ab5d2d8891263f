package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

func newSQLite(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "broker.sqlite3"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

// newStore opens an empty store on backend ("sqlite" or "postgres").
func newStore(t testing.TB, backend string) *sqlstore.Store {
	t.Helper()
	if backend == "postgres" {
		return newPostgres(t)
	}
	return newSQLite(t)
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return newSQLite(t) })
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return newPostgres(t) })
}

func TestMigrationsAreIdempotent(t *testing.T) {
	path := "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")
	for range 2 {
		s, err := sqlstore.Open(context.Background(), path, nil)
		require.NoError(t, err)
		storetest.Publish(t, s, "Foo", "1", "main", "Bar", nil, "a")
		require.NoError(t, s.Close())
	}
}

// A database missing one migration gets it on the next start, although
// every other one is applied (a start on a fully migrated database skips
// the migration work).
func TestOpenAppliesAMissingMigration(t *testing.T) {
	ctx := context.Background()
	path := "sqlite://" + filepath.Join(t.TempDir(), "b.sqlite3")
	s, err := sqlstore.Open(ctx, path, nil)
	require.NoError(t, err)
	_, err = s.DB().ExecContext(ctx, `ALTER TABLE verifications DROP COLUMN summary`)
	require.NoError(t, err)
	_, err = s.DB().ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 7`)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s, err = sqlstore.Open(ctx, path, nil)
	require.NoError(t, err)
	defer s.Close()
	var n int
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT COUNT(summary) FROM verifications`).Scan(&n), "migration 0007 is applied again")
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = 7`).Scan(&n))
	require.Equal(t, 1, n)
}

func TestParseURL(t *testing.T) {
	cases := []struct {
		in, dsn string
		d       sqlstore.Dialect
		bad     bool
	}{
		{in: "sqlite:///abs/b.sqlite3", d: sqlstore.SQLite, dsn: "/abs/b.sqlite3"},
		{in: "sqlite:rel/b.sqlite3", d: sqlstore.SQLite, dsn: "rel/b.sqlite3"},
		{in: "postgres://u:p@h:5432/db?sslmode=disable", d: sqlstore.Postgres, dsn: "postgres://u:p@h:5432/db?sslmode=disable"},
		{in: "mysql://x", bad: true},
		{in: "sqlite:", bad: true},
	}
	for _, c := range cases {
		d, dsn, err := sqlstore.ParseURL(c.in)
		if c.bad {
			require.Error(t, err, c.in)
			continue
		}
		require.NoError(t, err, c.in)
		require.Equal(t, c.d, d)
		require.Equal(t, c.dsn, dsn)
	}
}

func codeOf(t *testing.T, err error, want broker.Code) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, want, broker.ErrorCode(err), "%v", err)
}

// SQLite's histograms (sqlite_stat4, made by ANALYZE) make it plan a
// prepared statement again for every new parameter value; Open drops them
// and keeps the per-index statistics (sqlite_stat1).
func TestOpenDropsSQLiteHistograms(t *testing.T) {
	ctx := context.Background()
	u := "sqlite://" + filepath.Join(t.TempDir(), "broker.sqlite3")
	s, err := sqlstore.Open(ctx, u, nil)
	require.NoError(t, err)
	for i := range 30 {
		storetest.Publish(t, s, "Web", fmt.Sprint(i), "main", "Orders", nil, fmt.Sprint("get order ", i))
	}
	_, err = s.DB().ExecContext(ctx, `ANALYZE`)
	require.NoError(t, err)
	count := func(s *sqlstore.Store, table string) (n int) {
		require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n))
		return n
	}
	require.Positive(t, count(s, "sqlite_stat4"), "ANALYZE made histograms")
	require.NoError(t, s.Close())

	s, err = sqlstore.Open(ctx, u, nil)
	require.NoError(t, err)
	defer s.Close()
	assert.Zero(t, count(s, "sqlite_stat4"))
	assert.Positive(t, count(s, "sqlite_stat1"))
}
