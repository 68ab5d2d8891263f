package notifier_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/accord-cdc/accord/consumers/notifier"
	"github.com/accord-cdc/accord/providers/orders"
)

// One PostgreSQL container per package. Each test gets its own database,
// cloned from a migrated template, so tests never see each other's rows and
// can run in parallel.
var (
	adminDSN string // connection string of the container's maintenance database
	dbSeq    atomic.Int64
)

// Two templates: the notifier's own schema, and the orders schema for the
// end-to-end test that runs the real orders relay against the notifier.
const (
	templateDB       = "notifier_template"
	ordersTemplateDB = "orders_template"
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	ctx := context.Background()
	image := os.Getenv("ACCORD_POSTGRES_IMAGE")
	if image == "" {
		image = "postgres:16-alpine"
	}
	c, err := postgres.Run(ctx, image,
		postgres.WithDatabase("notifier"),
		postgres.WithUsername("notifier"),
		postgres.WithPassword("notifier"),
		postgres.BasicWaitStrategies(),
	)
	// Run returns the half-started container with its error: terminate it either way.
	defer func() {
		if err := testcontainers.TerminateContainer(c); err != nil {
			fmt.Fprintln(os.Stderr, "terminate postgres container:", err)
		}
	}()
	if err != nil {
		fmt.Fprintf(os.Stderr, "start PostgreSQL (%s): %v\nIs Docker running and the image present? Set ACCORD_POSTGRES_IMAGE (make setup writes it to .tools/env.mk).\n", image, err)
		return 1
	}
	adminDSN, err = c.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		fmt.Fprintln(os.Stderr, "postgres connection string:", err)
		return 1
	}
	if err := createTemplates(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

func createTemplates(ctx context.Context) error {
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return err
	}
	defer admin.Close()
	for name, migrate := range map[string]func(context.Context, *sql.DB) error{
		templateDB:       notifier.Migrate,
		ordersTemplateDB: orders.Migrate,
	} {
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			return fmt.Errorf("create template database %s: %w", name, err)
		}
		db, err := sql.Open("pgx", dsnFor(name))
		if err != nil {
			return err
		}
		err = migrate(ctx, db)
		db.Close()
		if err != nil {
			return fmt.Errorf("migrate template database %s: %w", name, err)
		}
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

// newOrdersDB returns a fresh database with the orders schema.
func newOrdersDB(tb testing.TB) *sql.DB {
	tb.Helper()
	return createDB(tb, ordersTemplateDB)
}

// newEmptyDB returns a fresh database without any schema.
func newEmptyDB(tb testing.TB) *sql.DB {
	tb.Helper()
	return createDB(tb, "template0")
}

func createDB(tb testing.TB, template string) *sql.DB {
	tb.Helper()
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
