// Command orders runs the orders service: its HTTP API and its outbox relay.
//
// Environment:
//
//	DATABASE_URL     PostgreSQL URL, e.g. postgres://orders:secret@db:5432/orders (required)
//	USERS_URL        base URL of the users service, e.g. http://users:8080 (required)
//	ADDR             listen address (default :8080)
//	SUBSCRIBER_URLS  comma-separated URLs that receive outbox events by POST,
//	                 e.g. http://notifier:8080/events (without it the relay does not run)
//	RELAY_INTERVAL   outbox poll interval (default 1s)
//
// SIGINT or SIGTERM stops the service gracefully: the server finishes
// in-flight requests (up to 10s) and the relay finishes its batch.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/accord-cdc/accord/providers/orders"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, logger); err != nil {
		logger.Error("orders stopped", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		return errors.New("DATABASE_URL is not set: point it at the orders PostgreSQL database, e.g. postgres://orders:secret@localhost:5432/orders")
	}
	usersURL := getenv("USERS_URL")
	if usersURL == "" {
		return errors.New("USERS_URL is not set: point it at the users service, e.g. http://localhost:8081")
	}
	users, err := orders.NewHTTPUsersClient(usersURL, nil)
	if err != nil {
		return err
	}
	addr := getenv("ADDR")
	if addr == "" {
		addr = ":8080"
	}
	interval := time.Second
	if v := getenv("RELAY_INTERVAL"); v != "" {
		if interval, err = time.ParseDuration(v); err != nil || interval <= 0 {
			return fmt.Errorf("RELAY_INTERVAL=%q is not a positive duration, e.g. 500ms or 2s", v)
		}
	}
	var subscribers []string
	for _, s := range strings.Split(getenv("SUBSCRIBER_URLS"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			subscribers = append(subscribers, s)
		}
	}
	publisher, err := orders.NewWebhookPublisher(subscribers, nil)
	if err != nil {
		return fmt.Errorf("SUBSCRIBER_URLS: %w", err)
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
	if err := orders.Migrate(ctx, db); err != nil {
		return err
	}

	svc := &orders.Service{DB: db, Users: users}
	srv := &orders.Server{Addr: addr, Handler: orders.NewHandler(svc, logger)}
	if err := srv.Open(); err != nil {
		return err
	}
	logger.Info("orders listening", "url", srv.URL(), "users", usersURL, "subscribers", subscribers)

	var wg sync.WaitGroup
	if len(subscribers) > 0 {
		relay := &orders.Relay{DB: db, Publisher: publisher, Logger: logger, Interval: interval}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = relay.Run(ctx)
		}()
	} else {
		logger.Warn("SUBSCRIBER_URLS is empty: outbox events are kept but not delivered until it is set")
	}

	<-ctx.Done()
	logger.Info("orders shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Close(shutdownCtx)
	wg.Wait()
	return err
}
