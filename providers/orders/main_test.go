package orders_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/accord-cdc/accord/contracts"
	"github.com/accord-cdc/accord/providers/orders"
)

// One PostgreSQL container serves every test in the package (unit tests and
// the provider verification); it starts with the first test that needs it.
func TestMain(m *testing.M) { contracts.Main(m) }

var dbSeq atomic.Int64

func migrateOrders(ctx context.Context, connString string) error {
	db, err := sql.Open("pgx", connString)
	if err != nil {
		return err
	}
	defer db.Close()
	return orders.Migrate(ctx, db)
}

// newDB returns a migrated database of the test's own, so tests never see
// each other's rows and can run in parallel.
func newDB(tb testing.TB) *sql.DB {
	tb.Helper()
	return openDB(tb, contracts.Postgres(tb, contracts.WithDatabase(fmt.Sprintf("orders_%d", dbSeq.Add(1))),
		contracts.WithMigrations(migrateOrders)))
}

// newEmptyDB returns a database of the test's own without the orders schema.
func newEmptyDB(tb testing.TB) *sql.DB {
	tb.Helper()
	return openDB(tb, contracts.Postgres(tb, contracts.WithDatabase(fmt.Sprintf("empty_%d", dbSeq.Add(1)))))
}

func openDB(tb testing.TB, pg *contracts.PostgresDB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("pgx", pg.ConnString)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
