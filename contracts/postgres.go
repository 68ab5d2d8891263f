package contracts

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-cdc/accord/contracts/pgimage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
)

// DefaultPostgresImage is the image Postgres starts where it is present or
// can be pulled, unless ACCORD_POSTGRES_IMAGE names another.
const DefaultPostgresImage = pgimage.Default

// PostgresDB is one database in a PostgreSQL container, migrated and ready.
type PostgresDB struct {
	// ConnString reaches the database, e.g. for pgxpool.New or DATABASE_URL.
	ConnString string
	// Name is the database's name.
	Name string

	admin     *pgxpool.Pool
	tables    []string // every table, schema-qualified and quoted
	snapshot  []string // tables that had rows after migrations
	sequences map[string]*int64
}

// PostgresOption configures Postgres.
type PostgresOption func(*postgresConfig)

type postgresConfig struct {
	database string
	migrate  func(ctx context.Context, connString string) error
}

// WithDatabase names the database (default "app"). Databases of different
// names share the package's container but nothing else.
func WithDatabase(name string) PostgresOption {
	return func(c *postgresConfig) { c.database = name }
}

// WithMigrations applies the service's schema once, when the database is
// created; Reset returns to the state right after it.
func WithMigrations(migrate func(ctx context.Context, connString string) error) PostgresOption {
	return func(c *postgresConfig) { c.migrate = migrate }
}

// shared holds the package's container when the test binary runs through
// Main; without Main every call gets its own container, terminated by tb.
var shared struct {
	sync.Mutex
	image     pgimage.Choice // chosen once per test binary
	enabled   bool
	container *postgres.PostgresContainer
	dbs       map[string]*PostgresDB
}

// Main runs a package's tests with one PostgreSQL container shared by all of
// them, and terminates it when they are done, failed or not:
//
//	func TestMain(m *testing.M) { contracts.Main(m) }
func Main(m *testing.M) {
	shared.Lock()
	shared.enabled = true
	shared.Unlock()
	code := m.Run()
	if err := terminateShared(); err != nil {
		fmt.Fprintf(os.Stderr, "contracts: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func terminateShared() error {
	shared.Lock()
	defer shared.Unlock()
	for _, db := range shared.dbs {
		db.admin.Close()
	}
	shared.dbs = nil
	if shared.container == nil {
		return nil
	}
	err := testcontainers.TerminateContainer(shared.container)
	shared.container = nil
	if err != nil {
		return fmt.Errorf("terminate the PostgreSQL container: %w", err)
	}
	return nil
}

// Postgres returns a migrated PostgreSQL database with its data reset to the
// state right after migrations. It starts the container on first use: once
// per package when TestMain calls Main, else once per call (terminated when
// tb ends).
func Postgres(tb testing.TB, opts ...PostgresOption) *PostgresDB {
	tb.Helper()
	cfg := postgresConfig{database: "app"}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	shared.Lock()
	defer shared.Unlock()
	if !shared.enabled {
		c := startPostgres(tb, ctx)
		testcontainers.CleanupContainer(tb, c)
		db := createDatabase(tb, ctx, c, cfg)
		tb.Cleanup(db.admin.Close)
		return db
	}
	if db, ok := shared.dbs[cfg.database]; ok {
		if err := db.Reset(ctx); err != nil {
			tb.Fatalf("contracts: %v", err)
		}
		return db
	}
	if shared.container == nil {
		shared.container = startPostgres(tb, ctx)
	}
	db := createDatabase(tb, ctx, shared.container, cfg)
	if shared.dbs == nil {
		shared.dbs = map[string]*PostgresDB{}
	}
	shared.dbs[cfg.database] = db
	return db
}

// PostgresImage is the image Postgres uses: $ACCORD_POSTGRES_IMAGE, else
// postgres:16-alpine if it is on this machine or can be pulled, else the
// image `accord setup` builds (accord-local/postgres:15-bookworm); "" when
// there is none (Postgres then fails the test saying to run `accord setup`).
func PostgresImage() string {
	shared.Lock()
	defer shared.Unlock()
	choice, _ := chooseImage()
	return choice.Image
}

// chooseImage chooses the image once per test binary; shared is locked.
func chooseImage() (pgimage.Choice, error) {
	if shared.image.Image != "" {
		return shared.image, nil
	}
	if img := os.Getenv("ACCORD_POSTGRES_IMAGE"); img != "" {
		shared.image = pgimage.Choice{Image: img, Why: "ACCORD_POSTGRES_IMAGE"}
		return shared.image, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	docker, err := pgimage.NewDocker(ctx)
	if err != nil {
		return pgimage.Choice{}, fmt.Errorf("cannot reach Docker (%v): start it, or run `accord setup`", err)
	}
	defer docker.Close()
	choice, err := pgimage.Choose(ctx, os.Getenv, docker)
	if err != nil {
		return choice, err
	}
	shared.image = choice
	return choice, nil
}

func startPostgres(tb testing.TB, ctx context.Context) *postgres.PostgresContainer {
	tb.Helper()
	containerDefaults(tb)
	choice, err := chooseImage()
	if err != nil {
		tb.Fatalf("contracts: %v", err)
	}
	image := choice.Image
	start := time.Now()
	c, err := postgres.Run(ctx, image,
		postgres.WithUsername("accord"),
		postgres.WithPassword("accord"),
		postgres.WithDatabase("postgres"),
		postgres.BasicWaitStrategies(),
		testcontainers.WithCmdArgs("-c", "synchronous_commit=off", "-c", "full_page_writes=off"),
		testcontainers.WithTmpfs(map[string]string{"/var/lib/postgresql/data": "rw"}),
	)
	if err != nil {
		if c != nil {
			_ = testcontainers.TerminateContainer(c)
		}
		tb.Fatalf("contracts: start PostgreSQL (%s, %s): %v\n"+
			"Is Docker running? `accord doctor` checks the machine, `accord setup` fixes it;"+
			" ACCORD_POSTGRES_IMAGE overrides the image.", image, choice.Why, err)
	}
	tb.Logf("contracts: PostgreSQL container %.12s (%s, %s) ready in %s", c.GetContainerID(), image, choice.Why, time.Since(start).Round(time.Millisecond))
	return c
}

// containerDefaults sets what make test sets, for a plain `go test`: the
// containers' published ports are reached on loopback (never through the
// machine's gateway), and no reaper is started — the tests terminate every
// container themselves.
func containerDefaults(tb testing.TB) {
	tb.Helper()
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" && (os.Getenv("DOCKER_HOST") == "" || strings.HasPrefix(os.Getenv("DOCKER_HOST"), "unix://")) {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
		tb.Logf("contracts: TESTCONTAINERS_HOST_OVERRIDE was unset; using 127.0.0.1 (see README.md)")
	}
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

func createDatabase(tb testing.TB, ctx context.Context, c *postgres.PostgresContainer, cfg postgresConfig) *PostgresDB {
	tb.Helper()
	server, err := c.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		tb.Fatalf("contracts: PostgreSQL address: %v", err)
	}
	root, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("contracts: connect to PostgreSQL: %v", err)
	}
	defer root.Close(ctx)
	if _, err := root.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{cfg.database}.Sanitize()); err != nil {
		tb.Fatalf("contracts: create database %q: %v", cfg.database, err)
	}
	connString := strings.Replace(server, "/postgres?", "/"+cfg.database+"?", 1)
	if cfg.migrate != nil {
		if err := cfg.migrate(ctx, connString); err != nil {
			tb.Fatalf("contracts: migrations of database %q failed: %v", cfg.database, err)
		}
	}
	admin, err := pgxpool.New(ctx, connString)
	if err != nil {
		tb.Fatalf("contracts: connect to %q: %v", cfg.database, err)
	}
	db := &PostgresDB{ConnString: connString, Name: cfg.database, admin: admin}
	if err := db.takeSnapshot(ctx); err != nil {
		admin.Close()
		tb.Fatalf("contracts: %v", err)
	}
	return db
}

// Pool opens a pgx pool on the database, closed when tb ends.
func (db *PostgresDB) Pool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	pool, err := pgxpool.New(context.Background(), db.ConnString)
	if err != nil {
		tb.Fatalf("contracts: open a pool on %q: %v", db.Name, err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

// takeSnapshot records the data migrations left (reference rows, the
// migrations table) so Reset can bring it back without dropping the
// database: connections the service holds stay valid across resets.
func (db *PostgresDB) takeSnapshot(ctx context.Context) error {
	rows, err := db.admin.Query(ctx, `
		SELECT quote_ident(schemaname) || '.' || quote_ident(tablename)
		FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'accord_snapshot')
		ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("snapshot %q: %w", db.Name, err)
	}
	db.tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("snapshot %q: %w", db.Name, err)
	}
	err = pgx.BeginFunc(ctx, db.admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA accord_snapshot`); err != nil {
			return err
		}
		for i, t := range db.tables {
			var has bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&has); err != nil {
				return err
			}
			if has {
				if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE accord_snapshot.t%d AS TABLE %s`, i, t)); err != nil {
					return err
				}
				db.snapshot = append(db.snapshot, t)
			}
		}
		seqs, err := tx.Query(ctx, `SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value
			FROM pg_sequences WHERE schemaname <> 'accord_snapshot'`)
		if err != nil {
			return err
		}
		db.sequences = map[string]*int64{}
		for seqs.Next() {
			var name string
			var last *int64
			if err := seqs.Scan(&name, &last); err != nil {
				return err
			}
			db.sequences[name] = last
		}
		return seqs.Err()
	})
	if err != nil {
		return fmt.Errorf("snapshot %q: %w", db.Name, err)
	}
	return nil
}

// Reset brings the data back to the state right after migrations, in one
// transaction: every table is truncated, the rows migrations wrote are put
// back, and sequences restart where they were.
func (db *PostgresDB) Reset(ctx context.Context) error {
	if len(db.tables) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, db.admin, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(db.tables, ", ")+` CASCADE`); err != nil {
			return err
		}
		for _, t := range db.snapshot {
			i := indexOf(db.tables, t)
			if _, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO %s OVERRIDING SYSTEM VALUE SELECT * FROM accord_snapshot.t%d`, t, i)); err != nil {
				return err
			}
		}
		batch := &pgx.Batch{}
		for name, last := range db.sequences {
			if last == nil {
				batch.Queue(`SELECT setval($1::regclass, 1, false)`, name)
			} else {
				batch.Queue(`SELECT setval($1::regclass, $2, true)`, name, *last)
			}
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return fmt.Errorf("reset database %q: %w", db.Name, err)
	}
	return nil
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
