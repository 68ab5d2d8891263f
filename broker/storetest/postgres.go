package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/accord-cdc/accord/contracts/pgimage"
)

// SharedPostgres is one PostgreSQL container shared by a test binary; each
// test gets its own database in it. Start it lazily with Database and stop
// it from TestMain with Stop (Ryuk is disabled here, so nothing else will).
//
// It is not contracts.Postgres, though both start PostgreSQL for tests and
// choose the image the same way (contracts/pgimage): package contracts links
// pact-go, whose native part is libpact_ffi through cgo, so importing it
// would make every broker test binary (sqlstore, httpapi, ui, webhook, ...)
// need a C toolchain and libpact_ffi to build and start, where today only
// pactgotest does. And contracts.Postgres hands out one database per name,
// reset by truncation to its state after migrations, while the broker's
// tests want a fresh database per test that sqlstore migrates itself (the
// migrations are under test). What they share, the image policy, is shared.
type SharedPostgres struct {
	once    sync.Once
	c       *postgres.PostgresContainer
	base    string
	err     error
	counter atomic.Int64
}

// LoopbackDocker sets, for a plain `go test`, what make test sets: the
// containers' published ports are reached on loopback (never through the
// machine's gateway), and no reaper is started — tests terminate their
// containers themselves.
func LoopbackDocker() {
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" && (os.Getenv("DOCKER_HOST") == "" || strings.HasPrefix(os.Getenv("DOCKER_HOST"), "unix://")) {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

func (p *SharedPostgres) start() {
	ctx := context.Background()
	LoopbackDocker()
	image, err := chooseImage(ctx)
	if err != nil {
		p.err = fmt.Errorf("start PostgreSQL: %w", err)
		return
	}
	c, err := postgres.Run(ctx, image.Image,
		postgres.WithUsername("accord"), postgres.WithPassword("accord"), postgres.WithDatabase("accord"),
		postgres.BasicWaitStrategies())
	p.c = c
	if err != nil {
		p.err = fmt.Errorf("start PostgreSQL from image %s (%s): %w; run `make setup` (it builds the local image and writes ACCORD_POSTGRES_IMAGE) and check that dockerd is running", image.Image, image.Why, err)
		return
	}
	p.base, p.err = c.ConnectionString(ctx, "sslmode=disable")
}

// PostgresImage is the image tests run PostgreSQL from, chosen as
// SharedPostgres chooses it; "" when there is none (starting a container
// from it then fails, naming the image).
func PostgresImage() string {
	c, _ := chooseImage(context.Background())
	return c.Image
}

// chooseImage picks the image as the contracts library does: the one
// ACCORD_POSTGRES_IMAGE names, else the official one if here or pullable,
// else the one setup builds.
func chooseImage(ctx context.Context) (pgimage.Choice, error) {
	if img := os.Getenv("ACCORD_POSTGRES_IMAGE"); img != "" {
		return pgimage.Choice{Image: img, Why: "ACCORD_POSTGRES_IMAGE"}, nil
	}
	docker, err := pgimage.NewDocker(ctx)
	if err != nil {
		return pgimage.Choice{}, fmt.Errorf("cannot reach Docker (%v): start it, or run `make setup`", err)
	}
	defer docker.Close()
	return pgimage.Choose(ctx, os.Getenv, docker)
}

// Database creates an empty database and returns its postgres:// URL.
func (p *SharedPostgres) Database(tb testing.TB) string {
	tb.Helper()
	p.once.Do(p.start)
	if p.err != nil {
		tb.Fatal(p.err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), p.counter.Add(1))
	db, err := sql.Open("pgx", p.base)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	i := strings.LastIndex(p.base, "/")
	j := strings.Index(p.base[i:], "?")
	return p.base[:i+1] + name + p.base[i+j:]
}

// Stop terminates the container if it was started.
func (p *SharedPostgres) Stop() {
	if p.c != nil {
		if err := p.c.Terminate(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "terminate PostgreSQL container:", err)
		}
	}
}
