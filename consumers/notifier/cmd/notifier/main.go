// Command notifier runs the notifier service: it receives the orders
// service's OrderPlaced events on POST /events and records notifications.
//
// Environment:
//
//	DATABASE_URL  PostgreSQL URL, e.g. postgres://notifier:secret@db:5432/notifier (required)
//	ADDR          listen address (default :8080)
//
// SIGINT or SIGTERM stops it gracefully, finishing in-flight requests (up to 10s).
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/accord-cdc/accord/consumers/notifier"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, logger); err != nil {
		logger.Error("notifier stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is not set: point it at the notifier PostgreSQL database, e.g. postgres://notifier:secret@localhost:5432/notifier")
	}
	addr := getenv("ADDR")
	if addr == "" {
		addr = ":8080"
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = db.PingContext(pingCtx)
	cancel()
	if err != nil {
		return fmt.Errorf("connect to DATABASE_URL: %w: check the URL and that PostgreSQL is up", err)
	}
	if err := notifier.Migrate(ctx, db); err != nil {
		return err
	}

	n := &notifier.Notifier{DB: db, Logger: logger}
	srv := &notifier.Server{Addr: addr, Handler: notifier.NewHandler(n, logger)}
	if err := srv.Open(); err != nil {
		return err
	}
	logger.Info("notifier listening", "url", srv.URL())

	<-ctx.Done()
	logger.Info("notifier shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Close(shutdownCtx)
}
