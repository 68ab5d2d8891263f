// Command gateway runs the API gateway.
//
//	USERS_URL=http://127.0.0.1:8081 ORDERS_URL=http://127.0.0.1:8082 ADDR=:8080 gateway
package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/accord-cdc/accord/consumers/gateway"
)

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("service", "gateway")
	if err := run(logger); err != nil {
		logger.Error("gateway stopped", "err", err)
		os.Exit(1)
	}
}

func run(logger *slog.Logger) error {
	usersURL, ordersURL := os.Getenv("USERS_URL"), os.Getenv("ORDERS_URL")
	if usersURL == "" || ordersURL == "" {
		return errors.New("USERS_URL and ORDERS_URL must point at the users and orders services, e.g. USERS_URL=http://127.0.0.1:8081")
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = ":8080"
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	h := gateway.NewHandler(&gateway.UsersClient{BaseURL: usersURL, HTTP: hc}, &gateway.OrdersClient{BaseURL: ordersURL, HTTP: hc}, logger)
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	logger.Info("listening", "addr", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
