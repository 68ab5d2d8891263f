package orders_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/accord-cdc/accord/providers/orders"
)

// One PostgreSQL container per package, started by the first test that needs
// a database (consumer contract tests do not) and terminated by TestMain.
// Each test gets its own database, cloned from a migrated template, so tests
// never see each other's rows and can run in parallel.
var (
	pg       sync.Once
	pgC      *postgres.PostgresContainer
	pgErr    error
	adminDSN string // connection string of the container's maintenance database
	dbSeq    atomic.Int64
)

const templateDB = "orders_template"

func TestMain(m *testing.M) {
	code := m.Run()
	if pgC != nil {
		if err := testcontainers.TerminateContainer(pgC); err != nil {
			fmt.Fprintln(os.Stderr, "terminate the PostgreSQL container:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func startPostgres() error {
	ctx := context.Background()
	image := os.Getenv("ACCORD_POSTGRES_IMAGE")
	if image == "" {
		image = "postgres:16-alpine"
	}
	var err error
	// Run returns the half-started container with its error: TestMain
	// terminates it either way.
	pgC, err = postgres.Run(ctx, image,
		postgres.WithDatabase("orders"),
		postgres.WithUsername("orders"),
		postgres.WithPassword("orders"),
		postgres.BasicWaitStrategies(),
	)
	if err != nil {
		return fmt.Errorf("start PostgreSQL (%s): %w\nIs Docker running and the image present? Set ACCORD_POSTGRES_IMAGE (make setup writes it to .tools/env.mk)", image, err)
	}
	if adminDSN, err = pgC.ConnectionString(ctx, "sslmode=disable"); err != nil {
		return fmt.Errorf("postgres connection string: %w", err)
	}
	return createTemplate(ctx)
}

func createTemplate(ctx context.Context) error {
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+templateDB); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	db, err := sql.Open("pgx", dsnFor(templateDB))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := orders.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate template database: %w", err)
	}
	return nil
}

func dsnFor(dbName string) string {
	u, err := url.Parse(adminDSN)
	if err != nil {
		panic(err) // the container's own DSN always parses
	}
	u.Path = "/" + dbName
	return u.String()
}

// newDB returns a fresh, migrated database of its own, dropped after the test.
func newDB(tb testing.TB) *sql.DB {
	tb.Helper()
	return createDB(tb, templateDB)
}

// newEmptyDB returns a fresh database without the orders schema.
func newEmptyDB(tb testing.TB) *sql.DB {
	tb.Helper()
	return createDB(tb, "template0")
}

func createDB(tb testing.TB, template string) *sql.DB {
	tb.Helper()
	if pg.Do(func() { pgErr = startPostgres() }); pgErr != nil {
		tb.Fatal(pgErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := fmt.Sprintf("t%d", dbSeq.Add(1))
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		tb.Fatalf("create test database from %s: %v", template, err)
	}
	db, err := sql.Open("pgx", dsnFor(name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	return db
}
