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
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/accord-cdc/accord/broker/contractcheck"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/httpedge"
	"github.com/accord-cdc/accord/broker/metrics"
	"github.com/accord-cdc/accord/broker/retention"
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
	if m.CPUProfile != "" {
		// Written from here to the shutdown: accord-loadgen -cpuprofile
		// profiles the broker under load with it.
		f, err := os.Create(m.CPUProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "accord-broker: --cpuprofile:", err)
			os.Exit(2)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if m.MemProfile != "" {
		f, err := os.Create(m.MemProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "accord-broker: --memprofile:", err)
			os.Exit(2)
		}
		defer func() {
			runtime.GC() // the profile is as of the last collection
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				fmt.Fprintln(os.Stderr, "accord-broker: --memprofile:", err)
			}
			f.Close()
		}()
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
	Addr    string
	DBURL   string
	BaseURL string
	// BaseURLs are all the URLs the broker is reached at
	// (PACT_BROKER_BASE_URLS, then PACT_BROKER_BASE_URL): links use the
	// one a request came through, else the first.
	BaseURLs []string
	LogLevel string
	// LogFormat is json (the default) or logfmt (PACT_BROKER_LOG_FORMAT).
	LogFormat string
	// Retention is the PACT_BROKER_DATABASE_CLEAN_* clean-up.
	Retention retention.Config
	// AllowDangerousContractModification lets a consumer version's pact
	// change (PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION); off, a
	// change is a 409 showing the diff.
	AllowDangerousContractModification bool
	// PublicHeartbeat serves the heartbeat without credentials when auth
	// is on (PACT_BROKER_PUBLIC_HEARTBEAT), for load balancers.
	PublicHeartbeat bool
	// MaxConnections bounds the database pool (0: the store's default) and
	// StatementTimeout aborts a PostgreSQL query running longer
	// (PACT_BROKER_DATABASE_MAX_CONNECTIONS, _STATEMENT_TIMEOUT, default 15 s).
	MaxConnections   int
	StatementTimeout time.Duration
	Auth             httpedge.Auth
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
	// CPUProfile is a file main writes a CPU profile to until shutdown.
	CPUProfile string
	// MemProfile is a file main writes a heap profile to at shutdown:
	// every allocation since the start (alloc_space) and what is still
	// held (inuse_space).
	MemProfile string

	Log *slog.Logger
	// Metrics are the Prometheus collectors served at /metrics; Run
	// creates them.
	Metrics *metrics.Metrics
	out     io.Writer
	store   *sqlstore.Store
	server  *http.Server
	ln      net.Listener
	served  chan error
	// dispatcher delivers triggered webhooks from the database.
	dispatcher *webhook.Dispatcher
	// stopListening ends the wait for other brokers' queued deliveries.
	stopListening context.CancelFunc
	// cleaner runs the scheduled data clean-up, when enabled.
	cleaner *retention.Cleaner
	// checker checks consumer pacts against provider contracts, as the
	// database's outbox asks.
	checker *contractcheck.Checker
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
	fs.StringVar(&m.LogFormat, "log-format", envOr(getenv, "PACT_BROKER_LOG_FORMAT", "json"), "json or logfmt (env PACT_BROKER_LOG_FORMAT)")
	fs.StringVar(&m.CPUProfile, "cpuprofile", "", "write a CPU profile of the process to this `file` until it shuts down (for performance work)")
	fs.StringVar(&m.MemProfile, "memprofile", "", "write a heap profile of the process to this `file` when it shuts down (alloc_space: what every request allocated; for memory work)")
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
	if m.BaseURLs, err = baseURLs(getenv("PACT_BROKER_BASE_URLS"), m.BaseURL); err != nil {
		return err
	}
	if len(m.BaseURLs) > 0 {
		m.BaseURL = m.BaseURLs[0]
	}
	if m.Retention, err = retention.ConfigFromEnv(getenv); err != nil {
		return err
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{{"PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION", &m.AllowDangerousContractModification}, {"PACT_BROKER_PUBLIC_HEARTBEAT", &m.PublicHeartbeat}} {
		if *b.dst, err = envBool(getenv, b.key); err != nil {
			return err
		}
	}
	if v := getenv("PACT_BROKER_DATABASE_MAX_CONNECTIONS"); v != "" {
		if m.MaxConnections, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || m.MaxConnections < 1 {
			return fmt.Errorf("PACT_BROKER_DATABASE_MAX_CONNECTIONS=%q: use a whole number of at least 1", v)
		}
	}
	m.StatementTimeout = 15 * time.Second
	if v := getenv("PACT_BROKER_DATABASE_STATEMENT_TIMEOUT"); v != "" {
		secs, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || secs <= 0 {
			return fmt.Errorf("PACT_BROKER_DATABASE_STATEMENT_TIMEOUT=%q: use a number of seconds greater than 0, like 15 or 2.5", v)
		}
		m.StatementTimeout = time.Duration(secs * float64(time.Second))
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
	opts := &slog.HandlerOptions{Level: level}
	switch m.LogFormat {
	case "", "json", "default":
		m.Log = slog.New(slog.NewJSONHandler(m.out, opts))
	case "logfmt", "color":
		m.Log = slog.New(slog.NewTextHandler(m.out, opts))
	default:
		return fmt.Errorf("log format %q: use json or logfmt (env PACT_BROKER_LOG_FORMAT)", m.LogFormat)
	}
	return nil
}

// envBool reads a true/false variable; anything else is an error naming it.
func envBool(getenv func(string) string, key string) (bool, error) {
	switch v := getenv(key); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, fmt.Errorf("%s=%q: use true or false", key, v)
	}
}

// baseURLs reads PACT_BROKER_BASE_URLS (space separated) and appends the
// base URL, as the Ruby broker does; each must be an absolute http(s) URL.
func baseURLs(list, single string) ([]string, error) {
	var out []string
	for _, u := range append(strings.Fields(list), single) {
		u = strings.TrimRight(strings.TrimSpace(u), "/")
		if u == "" || slices.Contains(out, u) {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("base URL %q: use an absolute URL like https://broker.example.com (PACT_BROKER_BASE_URL, PACT_BROKER_BASE_URLS)", u)
		}
		out = append(out, u)
	}
	return out, nil
}

// withStatementTimeout adds PostgreSQL's statement_timeout to a database
// URL that sets none (pgx sends unknown URL parameters as run-time
// parameters); SQLite URLs are returned unchanged.
func withStatementTimeout(dbURL string, d time.Duration) string {
	if d <= 0 || !(strings.HasPrefix(dbURL, "postgres://") || strings.HasPrefix(dbURL, "postgresql://")) {
		return dbURL
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL // sqlstore.Open reports it
	}
	q := u.Query()
	if q.Get("statement_timeout") == "" {
		q.Set("statement_timeout", strconv.FormatInt(d.Milliseconds(), 10))
		u.RawQuery = q.Encode()
	}
	return u.String()
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
	store, err := sqlstore.Open(ctx, withStatementTimeout(m.DBURL, m.StatementTimeout), m.Log)
	if err != nil {
		return err
	}
	store.AllowContentChange = m.AllowDangerousContractModification
	if m.MaxConnections > 0 {
		store.DB().SetMaxOpenConns(m.MaxConnections)
		store.DB().SetMaxIdleConns(m.MaxConnections)
	}
	m.store = store
	// The checker wakes when a transaction that queued checks commits, so
	// it is set before any request is served.
	m.checker = contractcheck.New(store, m.Log.With("component", "contract-checks"))
	store.ContractChecksQueued = m.checker.Wake
	ln, err := net.Listen("tcp", m.Addr)
	if err != nil {
		store.Close()
		return fmt.Errorf("listen on %s: %w; choose another address with --addr or PACT_BROKER_PORT", m.Addr, err)
	}
	m.ln = ln
	m.Metrics = metrics.New()
	m.Metrics.WatchDB("broker", store.DB())
	m.Metrics.WatchWebhookQueue(queueDepth(store.PendingWebhooks))
	// The store implements every service of the broker; the API and the
	// pages each get the ones they use.
	api := httpapi.New(httpapi.Services{
		Pacticipants:    store,
		Versions:        store,
		Pacts:           observedPacts{Pacts: store, m: m.Metrics},
		Verifications:   observedVerifications{Verifications: store, m: m.Metrics},
		ForVerification: store,
		Environments:    store,
		Deployments:     store,
		Webhooks:        store,
		Matrix:          store,
		Health:          store,
		FieldUsage:      store,
		Labels:          store,
		Operations:      store,
		// Publishing queues checks; m.checker makes them.
		ProviderContracts: store,
	}, httpapi.Config{BaseURL: m.BaseURL, BaseURLs: m.BaseURLs, Auth: m.Auth, Log: m.Log, Webhooks: m.Webhooks,
		Metrics: m.Metrics.Handler(), PublicHeartbeat: m.PublicHeartbeat})
	m.Metrics.WatchAnswerCaches(func() []metrics.CacheLookups {
		var out []metrics.CacheLookups
		for _, l := range api.AnswerLookups() {
			out = append(out, metrics.CacheLookups{Cache: l.Cache, Hits: l.Hits, Misses: l.Misses, Shared: l.Shared})
		}
		return out
	})
	// Browsers get the UI's pages at the API's own URLs; clients get HAL.
	// Pages, badges and assets carry the API's common headers too.
	pages := ui.New(ui.NewSource(ui.Services{
		Pacticipants:      store,
		Versions:          store,
		Pacts:             store,
		Verifications:     store,
		Environments:      store,
		Deployments:       store,
		Webhooks:          store,
		Matrix:            store,
		FieldUsage:        store,
		Labels:            store,
		ProviderContracts: store,
	}), ui.Config{BaseURL: m.BaseURL, Log: m.Log, Auth: m.Auth, PublicBadges: m.PublicBadges})
	// One access-log line and the request metrics for every request.
	m.server = &http.Server{Handler: m.Metrics.Middleware(m.Log, httpapi.CommonHeaders(ui.Split(pages, api))), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: cmp.Or(m.ReadTimeout, 5*time.Minute), IdleTimeout: cmp.Or(m.IdleTimeout, 2*time.Minute)}
	// The dispatcher wakes when a transaction that queued deliveries
	// commits here, and on PostgreSQL when one commits in any broker
	// (LISTEN/NOTIFY); polling stays the fallback. Set before serving.
	hooks := m.Webhooks
	if hooks.BaseURL = m.BaseURL; hooks.BaseURL == "" {
		hooks.BaseURL = m.URL()
	}
	m.dispatcher = webhook.NewDispatcher(observedOutbox{WebhookOutbox: store, m: m.Metrics}, hooks, nil, m.Log.With("component", "webhooks"))
	m.dispatcher.Start()
	store.WebhooksQueued = m.dispatcher.Wake
	listenCtx, stopListening := context.WithCancel(context.Background())
	m.stopListening = stopListening
	store.ListenWebhooksQueued(listenCtx, m.dispatcher.Wake)
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(ln) }()
	// Deliveries left in the outbox by an earlier run (or another broker)
	// are picked up from here.
	if m.Retention.Enabled {
		m.cleaner = &retention.Cleaner{Store: store, Config: m.Retention, Log: m.Log.With("component", "clean"), Observe: m.Metrics.Cleaned}
		m.cleaner.Start()
		m.Log.Info("data clean-up scheduled", "cron", m.Retention.ScheduleSpec, "next", m.Retention.Schedule.Next(time.Now().UTC()),
			"dry_run", m.Retention.DryRun, "deletion_limit", m.Retention.DeletionLimit)
	}
	// Checks left queued by an earlier run (a broker stopped between a
	// publication and its check) are found by the first poll.
	m.checker.Start()
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
	if m.cleaner != nil {
		errs = append(errs, m.cleaner.Stop(ctx))
	}
	if m.stopListening != nil {
		m.stopListening()
	}
	if m.dispatcher != nil {
		errs = append(errs, m.dispatcher.Stop(ctx))
	}
	if m.checker != nil {
		errs = append(errs, m.checker.Stop(ctx))
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}
