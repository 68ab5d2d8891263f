package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"               // registers "sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/verifiable"
)

//go:embed migrations
var migrations embed.FS

// Dialect is the SQL flavour of a database.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store implements every service of the broker.
var (
	_ broker.Pacticipants  = (*Store)(nil)
	_ broker.Versions      = (*Store)(nil)
	_ broker.Pacts         = (*Store)(nil)
	_ broker.Verifications = (*Store)(nil)
	_ verifiable.Facts     = (*Store)(nil)
	_ broker.Environments  = (*Store)(nil)
	_ broker.Deployments   = (*Store)(nil)
	_ broker.Webhooks      = (*Store)(nil)
	_ broker.WebhookOutbox = (*Store)(nil)
	_ broker.Matrix        = (*Store)(nil)
	_ broker.Health        = (*Store)(nil)
	_ broker.Store         = (*Store)(nil)
)

// Store implements every service of the broker on SQLite or PostgreSQL.
type Store struct {
	db      *sql.DB
	dialect Dialect
	// Now is the clock; tests replace it.
	Now func() time.Time
	Log *slog.Logger
	// AllowContentChange lets a publication replace the published pact of
	// a consumer version with changed content instead of refusing it
	// (PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION).
	AllowContentChange bool
	// cleaning lets one clean run at a time on SQLite, which one broker
	// process serves; PostgreSQL uses an advisory lock across brokers.
	cleaning sync.Mutex
	// group batches concurrent SQLite writes into one transaction (groupWrite).
	group writeGroup
	// ContractChecksQueued, when set, is called after a transaction that
	// queued provider contract checks commits (main wakes the checker).
	ContractChecksQueued func()
	// WebhooksQueued, when set, is called after a transaction that queued
	// webhook deliveries commits (main wakes the dispatcher).
	WebhooksQueued func()
	// dsn is the driver's connection string (PostgreSQL's LISTEN needs a
	// connection of its own).
	dsn string
	// fieldIndexCache holds decoded field-usage indexes of (immutable) pact contents.
	fieldIndexCache indexCache
	// stmts are SQLite's prepared statements by query text (see stmt).
	stmts stmtCache
	// declaredCache holds the declared operations of (immutable) provider contract contents.
	declaredCache declaredCache
}

// stmtCache keeps prepared statements for SQLite, whose driver would
// otherwise parse and plan every query again (a third of the broker's CPU
// under can-i-deploy load). database/sql prepares each on a connection the
// first time it runs there. Texts are kept up to a bound and never evicted:
// the queries are a fixed set, with IN lists of a few lengths.
type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
	// pending are texts being prepared in the background.
	pending map[string]bool
}

const maxCachedStmts = 300

// stmt returns the prepared statement of q, or nil when it is not (yet)
// cached or not used on this dialect. A text seen for the first time is
// prepared in the background, on a connection of the pool when one is
// free: preparing it here could wait for a connection while this caller
// holds one inside a transaction, and every connection could be such a
// caller.
func (s *Store) stmt(q string) *sql.Stmt {
	if s.dialect != SQLite {
		return nil // pgx caches prepared statements per connection itself
	}
	s.stmts.mu.RLock()
	st, ok := s.stmts.m[q]
	full := len(s.stmts.m)+len(s.stmts.pending) >= maxCachedStmts || s.stmts.pending[q]
	s.stmts.mu.RUnlock()
	if ok || full {
		return st
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if s.stmts.m == nil {
		s.stmts.m, s.stmts.pending = map[string]*sql.Stmt{}, map[string]bool{}
	}
	if _, ok := s.stmts.m[q]; ok || s.stmts.pending[q] {
		return nil
	}
	s.stmts.pending[q] = true
	go func() {
		st, err := s.db.PrepareContext(context.Background(), q)
		s.stmts.mu.Lock()
		defer s.stmts.mu.Unlock()
		delete(s.stmts.pending, q)
		if err != nil {
			return // the query keeps running unprepared and reports its error
		}
		if s.stmts.m == nil { // closed meanwhile
			st.Close()
			return
		}
		s.stmts.m[q] = st
	}()
	return nil
}

// ParseURL splits a database URL into dialect and driver DSN. Accepted:
// sqlite:///abs/path.sqlite3, sqlite:relative/path, sqlite::memory:,
// postgres://user:pass@host:port/db?sslmode=disable (postgresql:// too).
func ParseURL(raw string) (Dialect, string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return Postgres, raw, nil
	case strings.HasPrefix(raw, "sqlite:"), strings.HasPrefix(raw, "sqlite3:"):
		p := raw[strings.Index(raw, ":")+1:]
		p = strings.TrimPrefix(p, "//")
		if p == "" {
			return "", "", fmt.Errorf("database URL %q names no file; use sqlite:///abs/path.sqlite3 or sqlite:relative/path.sqlite3", redactURL(raw))
		}
		return SQLite, p, nil
	}
	return "", "", fmt.Errorf("database URL %q is not supported; use sqlite:///abs/path.sqlite3, sqlite:relative/path.sqlite3 or postgres://user:pass@host:5432/db?sslmode=disable", redactURL(raw))
}

// redactURL hides the password of a database URL quoted in an error, which
// ends up in logs and on the terminal.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	// Not parseable: drop anything that may be credentials before the host.
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		if i := strings.Index(raw, "://"); i >= 0 && i < at {
			return raw[:i+3] + "xxxxx" + raw[at:]
		}
		return "xxxxx" + raw[at:]
	}
	return raw
}

// Open connects to the database at rawURL (see ParseURL) and migrates it.
func Open(ctx context.Context, rawURL string, log *slog.Logger) (*Store, error) {
	dialect, dsn, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var db *sql.DB
	switch dialect {
	case SQLite:
		q := url.Values{}
		// synchronous=FULL: in WAL mode NORMAL may lose the last commits on
		// power loss, and a 2xx promises the write is durable.
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)"} {
			q.Add("_pragma", p)
		}
		// Writers take the lock up front: a deferred transaction that
		// upgrades to a writer fails with SQLITE_BUSY instead of waiting.
		q.Set("_txlock", "immediate")
		db, err = sql.Open("sqlite", "file:"+dsn+"?"+q.Encode())
		if err == nil {
			// Every connection stays open: database/sql keeps 2 idle by
			// default, so under load it closed and reopened the others
			// (the pragmas run again, the prepared statements are lost).
			db.SetMaxOpenConns(4)
			db.SetMaxIdleConns(4)
		}
	case Postgres:
		db, err = sql.Open("pgx", dsn)
		if err == nil {
			n := postgresPoolSize()
			db.SetMaxOpenConns(n)
			db.SetMaxIdleConns(n)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	s := &Store{db: db, dialect: dialect, Now: time.Now, Log: log, dsn: dsn}
	if err := s.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w; check the database URL and that the server is running", dialect, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.dropHistograms(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// postgresPoolSize is the default number of PostgreSQL connections: twice
// the cores this process may use, at least 4 (PACT_BROKER_DATABASE_MAX_CONNECTIONS
// overrides it). More connections than the server has cores to run them
// only make its backends contend: with 16 on 2 cores, new can-i-deploy
// questions cost PostgreSQL 16-17 ms of CPU each and 32 publishers 6-7 ms
// per publication; with 4, 6-7 and 2.6-2.9 ms, and 2.3-2.7x and 1.6-1.9x
// the rate (docs/performance.md). Answers served from the cache need a
// connection for one short query and do not notice the difference.
func postgresPoolSize() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// dropHistograms removes SQLite's per-value statistics (sqlite_stat4, made
// by ANALYZE or PRAGMA optimize; the broker runs neither, accord-loadgen
// does) and keeps the per-index ones (sqlite_stat1). With histograms,
// SQLite plans a prepared statement again each time a parameter they
// describe is bound to a new value (sqlite3Reprepare: 17 % of the CPU of
// 32 publishers), which defeats the statement cache (stmt); the plans
// without them are as good for the broker's indexed lookups. On the large
// SQLite database, 32 publishers: SQLite parsing 18 % -> 1.4 % of the
// CPU; new can-i-deploy questions 1.35-1.5x the rate (docs/performance.md).
// One query at start-up when there are none.
func (s *Store) dropHistograms(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat4'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
		return fmt.Errorf("drop SQLite's histograms (sqlite_stat4): %w", err)
	}
	// A connection reads the statistics when it opens: close the ones
	// Open used (all idle now), so every connection plans without them.
	s.db.SetMaxIdleConns(0)
	s.db.SetMaxIdleConns(4)
	return nil
}

// Dialect reports which database the store talks to.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the connection pool for later extensions in this package's
// callers' tests; production code goes through the Store methods.
func (s *Store) DB() *sql.DB { return s.db }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close closes the connection pool.
func (s *Store) Close() error {
	s.stmts.mu.Lock()
	for _, st := range s.stmts.m {
		st.Close()
	}
	s.stmts.m, s.stmts.pending = nil, nil
	s.stmts.mu.Unlock()
	return s.db.Close()
}

func (s *Store) migrate(ctx context.Context) error {
	dir := path.Join("migrations", string(s.dialect))
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	// A database already migrated (every start but the first) costs one
	// query: no table to create, no lock to wait for, no query per
	// migration.
	if applied, err := s.appliedMigrations(ctx); err == nil {
		done := true
		for _, e := range entries {
			done = done && applied[migrationNumber(e.Name())]
		}
		if done {
			return nil
		}
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	if s.dialect == Postgres {
		// Several brokers may start at once against one database.
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7428105)`); err != nil {
			return fmt.Errorf("migrate: take advisory lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7428105)`)
	}
	for _, e := range entries {
		name := e.Name()
		num, err := strconv.ParseInt(strings.SplitN(name, "_", 2)[0], 10, 64)
		if err != nil || !strings.HasSuffix(name, ".sql") {
			return fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		var n int
		if err := s.db.QueryRowContext(ctx, s.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), num).Scan(&n); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(migrations, path.Join(dir, name))
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		err = s.write(ctx, func(r runner) error {
			for _, stmt := range splitStatements(string(body)) {
				if _, err := r.tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%w in statement %.80q", err, stmt)
				}
			}
			return r.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, num, name, s.ts())
		})
		if err != nil {
			return fmt.Errorf("apply migration %s/%s: %w", s.dialect, name, err)
		}
		s.Log.Info("applied migration", "dialect", s.dialect, "migration", name)
	}
	return nil
}

// appliedMigrations are the versions in schema_migrations (an error when
// the table does not exist yet).
func (s *Store) appliedMigrations(ctx context.Context) (map[int64]bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// migrationNumber is the NNNN of NNNN_description.sql (-1 if none).
func migrationNumber(name string) int64 {
	n, err := strconv.ParseInt(strings.SplitN(name, "_", 2)[0], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// splitStatements splits a migration on ";" at line ends, dropping comments.
func splitStatements(body string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// rebind turns "?" placeholders into $n for PostgreSQL.
func (s *Store) rebind(q string) string {
	if s.dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) ts() int64 { return s.Now().UTC().UnixMicro() }

func fromTS(us int64) time.Time { return time.UnixMicro(us).UTC() }

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runner runs rebound queries on the pool or inside a transaction.
type runner struct {
	s  *Store
	tx querier
	// committed holds what to do once the transaction commits (nil
	// outside write: nothing is then done).
	committed *[]func()
}

// afterCommit runs f once the write transaction commits, never if it rolls
// back: a notice that what it wrote can be seen.
func (r runner) afterCommit(f func()) {
	if r.committed != nil && f != nil {
		*r.committed = append(*r.committed, f)
	}
}

func (r runner) exec(ctx context.Context, q string, args ...any) error {
	if st := r.prepared(ctx, q); st != nil {
		_, err := st.ExecContext(ctx, args...)
		return err
	}
	_, err := r.tx.ExecContext(ctx, r.s.rebind(q), args...)
	return err
}

func (r runner) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := r.prepared(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.tx.QueryContext(ctx, r.s.rebind(q), args...)
}

func (r runner) row(ctx context.Context, q string, args ...any) *sql.Row {
	if st := r.prepared(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.tx.QueryRowContext(ctx, r.s.rebind(q), args...)
}

// prepared returns the cached statement of q for this runner (inside a
// transaction: bound to it, reusing the connection's prepared one), or nil.
func (r runner) prepared(ctx context.Context, q string) *sql.Stmt {
	st := r.s.stmt(q)
	if st == nil {
		return nil
	}
	if tx, ok := r.tx.(*sql.Tx); ok {
		return tx.StmtContext(ctx, st)
	}
	return st
}

// read runs queries outside a transaction.
func (s *Store) read() runner { return runner{s: s, tx: s.db} }

// write runs fn in one transaction, committed only if fn returns nil. A
// transaction that lost a race (a unique key inserted concurrently, a
// serialization failure or deadlock) is run again from the start, so it
// sees the winner's rows and answers as if it had come second.
func (s *Store) write(ctx context.Context, fn func(r runner) error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		if err = s.writeOnce(ctx, fn); err == nil || !retryable(err) {
			return unstorable(err)
		}
		s.Log.Debug("retrying transaction that lost a race", "attempt", attempt+1, "err", err)
	}
	return err
}

// unstorable turns PostgreSQL's refusals of the values themselves into the
// client's mistake they are: text too long for an index (a name, version
// number, branch, tag or environment of thousands of characters), or
// text PostgreSQL cannot hold. Anything else is returned as it is.
func unstorable(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "54000": // program_limit_exceeded: index row too large
		return broker.Errorf(broker.Invalid, "a name, version number, branch, tag, environment or other identifier is too long to store; keep each under 1,000 characters")
	case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
		return broker.Errorf(broker.Invalid, "the request holds text the database cannot store (a NUL character or bytes that are not UTF-8); send UTF-8 text without NUL")
	}
	return err
}

func (s *Store) writeOnce(ctx context.Context, fn func(r runner) error) error {
	if s.dialect == SQLite {
		return s.groupWrite(ctx, fn)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	var committed []func()
	if err := fn(runner{s: s, tx: tx, committed: &committed}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range committed {
		f()
	}
	return nil
}

// retryable reports whether err is a lost race worth running again.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505", "40001", "40P01": // unique_violation, serialization_failure, deadlock_detected
			return true
		}
		return false
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
	}
	return false
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return broker.Errorf(broker.NotFound, format, args...)
	}
	return err
}

// SQLite has one writer, and each commit waits for the disk (WAL write and
// fsync, synchronous=FULL). Writes that arrive while one is committing are
// run one after another in the next transaction, each inside a savepoint
// (a failing one is rolled back alone and gets its error), and committed
// once: every caller learns of success only after that commit, so an
// acknowledged write is as durable as before; one commit pays for many.
type writeGroup struct {
	mu      sync.Mutex
	queue   []*groupedWrite
	leading bool
}

type groupedWrite struct {
	ctx       context.Context
	fn        func(r runner) error
	committed []func()
	err       error
	done      chan struct{}
}

// errGroupLost is given to the writes of a batch whose transaction ended
// under them (another write's interrupted statement rolls the whole
// transaction back): nothing of theirs was committed, so they run again.
var errGroupLost = errors.New("the shared write transaction was rolled back; run again")

func (s *Store) groupWrite(ctx context.Context, fn func(r runner) error) error {
	w := &groupedWrite{ctx: ctx, fn: fn, done: make(chan struct{})}
	for {
		g := &s.group
		g.mu.Lock()
		g.queue = append(g.queue, w)
		lead := !g.leading
		g.leading = true
		g.mu.Unlock()
		if lead {
			s.leadWrites()
		}
		<-w.done
		if !errors.Is(w.err, errGroupLost) {
			break
		}
		w.err, w.committed, w.done = nil, nil, make(chan struct{})
	}
	if w.err != nil {
		return w.err
	}
	for _, f := range w.committed {
		f()
	}
	return nil
}

// leadWrites commits the waiting writes as one batch; writes that arrived
// meanwhile are led by another goroutine, so the leader's own caller is
// answered now.
func (s *Store) leadWrites() {
	g := &s.group
	g.mu.Lock()
	batch := g.queue
	g.queue = nil
	g.mu.Unlock()
	s.commitBatch(batch)
	for _, w := range batch {
		close(w.done)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) == 0 {
		g.leading = false
		return
	}
	go s.leadWrites()
}

func (s *Store) commitBatch(batch []*groupedWrite) {
	fail := func(ws []*groupedWrite, err error) {
		for _, w := range ws {
			if w.err == nil {
				w.err, w.committed = err, nil
			}
		}
	}
	// The transaction is not any one caller's: a caller that goes away
	// must not end the others' writes.
	ctx := context.WithoutCancel(batch[0].ctx)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		fail(batch, fmt.Errorf("begin transaction: %w", err))
		return
	}
	var ok []*groupedWrite
	for i, w := range batch {
		if err := w.ctx.Err(); err != nil {
			w.err = err
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT grouped`); err != nil {
			_ = tx.Rollback()
			fail(ok, errGroupLost)
			fail(batch[i:], errGroupLost)
			return
		}
		if err := w.fn(runner{s: s, tx: tx, committed: &w.committed}); err != nil {
			w.err, w.committed = err, nil
			if _, rerr := tx.ExecContext(ctx, `ROLLBACK TO grouped`); rerr != nil {
				_ = tx.Rollback()
				fail(ok, errGroupLost)
				fail(batch[i+1:], errGroupLost)
				return
			}
		} else {
			ok = append(ok, w)
		}
		if _, err := tx.ExecContext(ctx, `RELEASE grouped`); err != nil {
			_ = tx.Rollback()
			fail(ok, errGroupLost)
			fail(batch[i+1:], errGroupLost)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(ok, fmt.Errorf("commit: %w", err))
	}
}
