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
)

// PostgresImage is the image tests run PostgreSQL from: $ACCORD_POSTGRES_IMAGE
// (written by `make setup`), else postgres:16-alpine.
func PostgresImage() string {
	if img := os.Getenv("ACCORD_POSTGRES_IMAGE"); img != "" {
		return img
	}
	return "postgres:16-alpine"
}

// SharedPostgres is one PostgreSQL container shared by a test binary; each
// test gets its own database in it. Start it lazily with Database and stop
// it from TestMain with Stop (Ryuk is disabled here, so nothing else will).
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
	c, err := postgres.Run(ctx, PostgresImage(),
		postgres.WithUsername("accord"), postgres.WithPassword("accord"), postgres.WithDatabase("accord"),
		postgres.BasicWaitStrategies())
	p.c = c
	if err != nil {
		p.err = fmt.Errorf("start PostgreSQL from image %s: %w; run `make setup` (it builds the local image and writes ACCORD_POSTGRES_IMAGE) and check that dockerd is running", PostgresImage(), err)
		return
	}
	p.base, p.err = c.ConnectionString(ctx, "sslmode=disable")
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
