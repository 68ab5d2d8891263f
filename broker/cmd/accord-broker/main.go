// Command accord-broker runs Accord's Pact Broker: the official Pact
// clients (the `pact` CLI, pact-go's verifier) work against it unchanged.
//
//	accord-broker --addr :9292 --db sqlite:///var/lib/accord/broker.sqlite3
//	accord-broker --db postgres://user:pass@db:5432/broker?sslmode=disable
//
// The official Docker image's PACT_BROKER_* environment variables work too
// (flags win). The default database is pact_broker.sqlite3 in the working
// directory. Migrations run on start; SIGINT/SIGTERM shut down gracefully.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/ui"
	"github.com/accord-cdc/accord/broker/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stderr)
	if err := m.ParseFlags(os.Args[1:], os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "accord-broker:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "accord-broker:", err)
		os.Exit(1)
	}
	m.Log.Info("listening", "url", m.URL())
	<-ctx.Done()
	m.Log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := m.Close(shutdownCtx); err != nil {
		fmt.Fprintln(os.Stderr, "accord-broker: shutdown:", err)
		os.Exit(1)
	}
}

// Main is the broker process: configuration, store and HTTP server.
type Main struct {
	Addr     string
	DBURL    string
	BaseURL  string
	LogLevel string
	Auth     httpapi.Auth
	// Webhooks are the PACT_BROKER_WEBHOOK_* settings.
	Webhooks webhook.Config
	// PublicBadges lets anyone fetch badges when auth is on, so README
	// files can show them (PACT_BROKER_ENABLE_PUBLIC_BADGE_ACCESS).
	PublicBadges bool
	// ReadTimeout bounds reading a whole request, body included, and
	// IdleTimeout how long a kept-alive connection may sit unused; zero
	// means 5 minutes and 2 minutes. Without them a client that stops
	// sending holds its connection and goroutine for ever.
	ReadTimeout, IdleTimeout time.Duration

	Log    *slog.Logger
	out    io.Writer
	store  *sqlstore.Store
	server *http.Server
	ln     net.Listener
	served chan error
	// dispatcher delivers triggered webhooks from the database.
	dispatcher *webhook.Dispatcher
}

// NewMain returns a Main logging to out.
func NewMain(out io.Writer) *Main { return &Main{out: out} }

// ParseFlags reads flags, falling back to the official image's environment
// variables.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	fs := flag.NewFlagSet("accord-broker", flag.ContinueOnError)
	fs.SetOutput(m.out)
	addr := ":9292"
	if port := getenv("PACT_BROKER_PORT"); port != "" {
		addr = ":" + port
	}
	dbURL, err := databaseURL(getenv)
	if err != nil {
		return err
	}
	fs.StringVar(&m.Addr, "addr", addr, "listen address (env PACT_BROKER_PORT sets the port)")
	m.DBURL = dbURL
	fs.Var(secretURLFlag{&m.DBURL}, "db", "database `URL`: sqlite:///abs/path.sqlite3, sqlite:relative/path.sqlite3 or postgres://user:pass@host:5432/db?sslmode=disable (env PACT_BROKER_DATABASE_URL)")
	fs.StringVar(&m.BaseURL, "base-url", getenv("PACT_BROKER_BASE_URL"), "absolute URL clients use to reach the broker, for links (env PACT_BROKER_BASE_URL; default: from each request)")
	fs.StringVar(&m.LogLevel, "log-level", envOr(getenv, "PACT_BROKER_LOG_LEVEL", "info"), "debug, info, warn or error (env PACT_BROKER_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q; see --help", fs.Args())
	}
	if strings.Contains(m.BaseURL, ",") { // PACT_BROKER_BASE_URL may list several; the first wins
		m.BaseURL = strings.TrimSpace(strings.Split(m.BaseURL, ",")[0])
	}
	basic := getenv("PACT_BROKER_BASIC_AUTH_ENABLED") != "false"
	if basic {
		m.Auth.Username = getenv("PACT_BROKER_BASIC_AUTH_USERNAME")
		m.Auth.Password = getenv("PACT_BROKER_BASIC_AUTH_PASSWORD")
		m.Auth.ReadOnlyUsername = getenv("PACT_BROKER_BASIC_AUTH_READ_ONLY_USERNAME")
		m.Auth.ReadOnlyPassword = getenv("PACT_BROKER_BASIC_AUTH_READ_ONLY_PASSWORD")
	}
	m.Auth.Token = getenv("PACT_BROKER_TOKEN")
	m.Auth.ReadOnlyToken = getenv("PACT_BROKER_READ_ONLY_TOKEN")
	m.Auth.AllowPublicRead = getenv("PACT_BROKER_ALLOW_PUBLIC_READ") == "true"
	m.PublicBadges = getenv("PACT_BROKER_ENABLE_PUBLIC_BADGE_ACCESS") == "true"
	if m.Webhooks, err = webhook.ConfigFromEnv(getenv); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(m.LogLevel)); err != nil {
		return fmt.Errorf("log level %q: use debug, info, warn or error", m.LogLevel)
	}
	m.Log = slog.New(slog.NewJSONHandler(m.out, &slog.HandlerOptions{Level: level}))
	return nil
}

// secretURLFlag is a URL flag whose default, printed by --help and on
// flag errors, hides the password (PACT_BROKER_DATABASE_URL carries one).
type secretURLFlag struct{ p *string }

func (f secretURLFlag) String() string {
	if f.p == nil {
		return ""
	}
	if u, err := url.Parse(*f.p); err == nil {
		return u.Redacted()
	}
	return *f.p
}

func (f secretURLFlag) Set(v string) error { *f.p = v; return nil }

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// databaseURL builds the database URL from PACT_BROKER_DATABASE_URL or the
// PACT_BROKER_DATABASE_ADAPTER/NAME/HOST/PORT/USERNAME/PASSWORD set.
func databaseURL(getenv func(string) string) (string, error) {
	if u := getenv("PACT_BROKER_DATABASE_URL"); u != "" {
		return u, nil
	}
	adapter := getenv("PACT_BROKER_DATABASE_ADAPTER")
	name := getenv("PACT_BROKER_DATABASE_NAME")
	switch adapter {
	case "":
		if name != "" {
			return "sqlite:" + name, nil
		}
		return "sqlite:pact_broker.sqlite3", nil
	case "sqlite", "sqlite3":
		if name == "" {
			name = "pact_broker.sqlite3"
		}
		return "sqlite:" + name, nil
	case "postgres", "postgresql":
		u := url.URL{Scheme: "postgres", Host: envOr(getenv, "PACT_BROKER_DATABASE_HOST", "localhost"), Path: "/" + name}
		if port := getenv("PACT_BROKER_DATABASE_PORT"); port != "" {
			u.Host += ":" + port
		}
		if user := getenv("PACT_BROKER_DATABASE_USERNAME"); user != "" {
			u.User = url.UserPassword(user, getenv("PACT_BROKER_DATABASE_PASSWORD"))
		}
		if mode := getenv("PACT_BROKER_DATABASE_SSLMODE"); mode != "" {
			u.RawQuery = "sslmode=" + url.QueryEscape(mode)
		}
		return u.String(), nil
	}
	return "", fmt.Errorf("PACT_BROKER_DATABASE_ADAPTER=%q is not supported; use sqlite or postgres", adapter)
}

// Run opens the store, runs migrations and starts listening. It returns
// once the listener is bound; serving continues in the background.
func (m *Main) Run(ctx context.Context) error {
	if m.Log == nil {
		m.Log = slog.New(slog.NewJSONHandler(m.out, nil))
	}
	store, err := sqlstore.Open(ctx, m.DBURL, m.Log)
	if err != nil {
		return err
	}
	m.store = store
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		store.Close()
		return fmt.Errorf("listen on %s: %w; choose another address with --addr or PACT_BROKER_PORT", m.Addr, err)
	}
	m.ln = ln
	api := httpapi.New(store, httpapi.Config{BaseURL: m.BaseURL, Auth: m.Auth, Log: m.Log, Webhooks: m.Webhooks})
	// Browsers get the UI's pages at the API's own URLs; clients get HAL.
	// Pages, badges and assets carry the API's common headers too.
	pages := ui.New(ui.FromStore(store), ui.Config{BaseURL: m.BaseURL, Log: m.Log, Access: ui.Access(m.Auth), PublicBadges: m.PublicBadges})
	m.server = &http.Server{Handler: m.logRequests(httpapi.CommonHeaders(ui.Split(pages, api))), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: cmp.Or(m.ReadTimeout, 5*time.Minute), IdleTimeout: cmp.Or(m.IdleTimeout, 2*time.Minute)}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(ln) }()
	// Deliveries left in the outbox by an earlier run (or another broker)
	// are picked up from here.
	hooks := m.Webhooks
	if hooks.BaseURL = m.BaseURL; hooks.BaseURL == "" {
		hooks.BaseURL = m.URL()
	}
	m.dispatcher = webhook.NewDispatcher(store, hooks, nil, m.Log.With("component", "webhooks"))
	m.dispatcher.Start()
	m.Log.Info("broker started", "addr", ln.Addr().String(), "database", string(store.Dialect()))
	return nil
}

// URL is the address the broker listens on, for clients on this machine.
func (m *Main) URL() string {
	addr := m.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s", net.JoinHostPort(host, fmt.Sprint(addr.Port)))
}

// Close stops accepting requests, waits for running ones until ctx ends,
// then closes the store.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	if m.server != nil {
		errs = append(errs, m.server.Shutdown(ctx))
		if err := <-m.served; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.dispatcher != nil {
		errs = append(errs, m.dispatcher.Stop(ctx))
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (m *Main) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		m.Log.Debug("request", "method", r.Method, "path", r.URL.EscapedPath(), "status", rec.status, "duration", time.Since(start))
	})
}
