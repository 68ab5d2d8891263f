// Package loadgen fills an empty broker database with a generated history
// (matrix.Data, typically matrix.Synthetic at matrix.LargeScale: 200
// applications, 200,000 versions, 1,000,000 verification results) fast
// enough for benchmarks: multi-row INSERTs in one transaction on SQLite,
// COPY on PostgreSQL. Going through the Store's methods would take hours at
// that size.
//
// The database ends up as the broker would have written it, with explicit
// ids in creation order (which decides "latest"), so matrix.Decide over
// (*sqlstore.Store).MatrixFacts answers as over matrix.NewMemory of the same
// Data (broker/matrix/matrixtest checks this). Publishing a consumer version
// again replaces its content, as the broker does, instead of adding a
// revision.
package loadgen

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// Stats counts what Load wrote.
type Stats struct {
	Pacticipants, Versions, Pacts, Contents, Verifications, Deployments, Releases int
	Took                                                                          time.Duration
}

type key2 struct{ a, b string }

type loader struct {
	apps     map[string]int64
	mains    map[string]string
	appOrder []string
	versions map[key2]int64
	vOrder   []versionRow
	envs     map[string]int64
	envOrder []string
}

type versionRow struct {
	id, app int64
	number  string
	created int64
}

func ts(t time.Time) int64 { return t.UTC().UnixMicro() }

// clock is when the load happens (tests fix it to compare two loads).
var clock = time.Now

func (l *loader) app(name string) int64 {
	if id, ok := l.apps[name]; ok {
		return id
	}
	id := int64(len(l.apps) + 1)
	l.apps[name] = id
	l.appOrder = append(l.appOrder, name)
	return id
}

func (l *loader) version(app, number string, created time.Time) int64 {
	k := key2{app, number}
	if id, ok := l.versions[k]; ok {
		return id
	}
	id := int64(len(l.vOrder) + 1)
	l.versions[k] = id
	l.vOrder = append(l.vOrder, versionRow{id: id, app: l.app(app), number: number, created: ts(created)})
	return id
}

// Load writes d into s, which must be empty (freshly migrated). It fails
// without writing anything on facts that cannot be placed, like a
// deployment to an environment d does not list.
func Load(ctx context.Context, s *sqlstore.Store, d matrix.Data) (Stats, error) {
	start := time.Now()
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM pacticipants`).Scan(&n); err != nil {
		return Stats{}, fmt.Errorf("load: %w", err)
	}
	if n > 0 {
		return Stats{}, errors.New("load: the database already has pacticipants; load into a new, empty database")
	}
	l := &loader{apps: map[string]int64{}, mains: map[string]string{}, versions: map[key2]int64{}, envs: map[string]int64{}}
	for _, p := range d.Pacticipants {
		l.app(p.Name)
		l.mains[p.Name] = p.MainBranch
	}
	for _, e := range d.Environments {
		if _, ok := l.envs[e]; !ok {
			l.envs[e] = int64(len(l.envs) + 1)
			l.envOrder = append(l.envOrder, e)
		}
	}
	// Versions get their ids in the order Data first mentions them.
	for _, v := range d.Versions {
		l.version(v.Pacticipant, v.Number, v.CreatedAt)
	}
	for _, p := range d.Pacts {
		l.version(p.Consumer, p.ConsumerVersion, time.Time{})
		l.app(p.Provider)
	}
	for _, v := range d.Verifications {
		l.app(v.Consumer)
		l.version(v.Provider, v.ProviderVersion, time.Time{})
	}
	for _, dep := range d.Deployments {
		if _, ok := l.envs[dep.Environment]; !ok {
			return Stats{}, fmt.Errorf("load: deployment of %s %s to %q, which is not in Data.Environments", dep.Pacticipant, dep.Version, dep.Environment)
		}
		l.version(dep.Pacticipant, dep.Version, time.Time{})
	}
	for _, rel := range d.Releases {
		if _, ok := l.envs[rel.Environment]; !ok {
			return Stats{}, fmt.Errorf("load: release of %s %s to %q, which is not in Data.Environments", rel.Pacticipant, rel.Version, rel.Environment)
		}
		l.version(rel.Pacticipant, rel.Version, time.Time{})
	}

	return writeAll(ctx, s, start, func(w *writer) (Stats, error) { return l.write(ctx, w, d) })
}

// writeAll runs write in one transaction (a failed load leaves nothing),
// then gathers the planner's statistics, and says how long it all took
// since start.
func writeAll(ctx context.Context, s *sqlstore.Store, start time.Time, write func(*writer) (Stats, error)) (Stats, error) {
	w, err := newWriter(ctx, s)
	if err != nil {
		return Stats{}, err
	}
	st, err := write(w)
	if err != nil {
		w.rollback()
		return Stats{}, fmt.Errorf("load: %w", err)
	}
	if err := w.commit(ctx); err != nil {
		return Stats{}, fmt.Errorf("load: %w", err)
	}
	// The planner needs statistics to pick the indexes; PostgreSQL's
	// autovacuum would gather them soon after a real bulk of writes.
	if _, err := s.DB().ExecContext(ctx, `ANALYZE`); err != nil {
		return Stats{}, fmt.Errorf("load: analyze: %w", err)
	}
	st.Took = time.Since(start)
	return st, nil
}

func emptyPact(consumer, provider, sha string) string {
	b, _ := json.Marshal(map[string]any{"consumer": map[string]any{"name": consumer}, "provider": map[string]any{"name": provider},
		"interactions": []any{map[string]any{"description": sha, "request": map[string]any{"method": "GET", "path": "/" + sha},
			"response": map[string]any{"status": 200}}},
		"metadata": map[string]any{"pactSpecification": map[string]any{"version": "3.0.0"}}})
	return string(b)
}

func (l *loader) write(ctx context.Context, w *writer, d matrix.Data) (Stats, error) {
	var st Stats
	now := ts(clock())
	for _, name := range l.appOrder {
		w.add("pacticipants", []any{l.apps[name], name, l.mains[name], now, now})
	}
	st.Pacticipants = len(l.appOrder)
	if err := w.flush(ctx, "pacticipants"); err != nil {
		return st, err
	}
	for _, e := range l.envOrder {
		w.add("environments", []any{l.envs[e], fmt.Sprintf("00000000-0000-4000-8000-%012d", l.envs[e]), e, e, e == "production", now, now})
	}
	if err := w.flush(ctx, "environments"); err != nil {
		return st, err
	}
	for _, v := range l.vOrder {
		if err := w.put(ctx, "versions", []any{v.id, v.app, v.number, v.created, v.created}); err != nil {
			return st, err
		}
	}
	st.Versions = len(l.vOrder)
	if err := w.flush(ctx, "versions"); err != nil {
		return st, err
	}

	branches, tagged := map[key2]int64{}, map[[2]any]bool{}
	type bv struct{ branch, version, created int64 }
	var bvs []bv
	for _, v := range d.Versions {
		vid, pid := l.versions[key2{v.Pacticipant, v.Number}], l.apps[v.Pacticipant]
		for _, b := range v.Branches {
			k := key2{v.Pacticipant, b}
			if _, ok := branches[k]; !ok {
				branches[k] = int64(len(branches) + 1)
				w.add("branches", []any{branches[k], pid, b, ts(v.CreatedAt)})
			}
			bvs = append(bvs, bv{branches[k], vid, ts(v.CreatedAt)})
		}
		for _, t := range v.Tags {
			if !tagged[[2]any{vid, t}] {
				tagged[[2]any{vid, t}] = true
				if err := w.put(ctx, "tags", []any{vid, t, pid, ts(v.CreatedAt)}); err != nil {
					return st, err
				}
			}
		}
	}
	if err := w.flush(ctx, "branches"); err != nil {
		return st, err
	}
	seenBV := map[[2]int64]bool{}
	for _, x := range bvs {
		if !seenBV[[2]int64{x.branch, x.version}] {
			seenBV[[2]int64{x.branch, x.version}] = true
			if err := w.put(ctx, "branch_versions", []any{x.branch, x.version, x.created}); err != nil {
				return st, err
			}
		}
	}
	if err := w.flush(ctx, "tags"); err != nil {
		return st, err
	}
	if err := w.flush(ctx, "branch_versions"); err != nil {
		return st, err
	}

	// Contents, then one publication per consumer version and provider
	// (the last content published wins), then the integrations.
	type content struct{ consumer, provider, sha string }
	contents := map[content]int64{}
	type pub struct {
		id, consumer, provider, cv, pv, created, updated int64
	}
	pubs := map[[2]int64]*pub{}
	var pubOrder []*pub
	integrations := map[[2]int64]bool{}
	for _, p := range d.Pacts {
		c := content{p.Consumer, p.Provider, p.SHA}
		cid, pid := l.apps[p.Consumer], l.apps[p.Provider]
		if _, ok := contents[c]; !ok {
			contents[c] = int64(len(contents) + 1)
			if err := w.put(ctx, "pact_versions", []any{contents[c], cid, pid, p.SHA, emptyPact(p.Consumer, p.Provider, p.SHA), ts(p.CreatedAt)}); err != nil {
				return st, err
			}
		}
		cv := l.versions[key2{p.Consumer, p.ConsumerVersion}]
		k := [2]int64{cv, pid}
		if x, ok := pubs[k]; ok {
			x.pv, x.updated = contents[c], ts(p.CreatedAt)
			continue
		}
		x := &pub{id: int64(len(pubOrder) + 1), consumer: cid, provider: pid, cv: cv, pv: contents[c], created: ts(p.CreatedAt), updated: ts(p.CreatedAt)}
		pubs[k] = x
		pubOrder = append(pubOrder, x)
		if !integrations[[2]int64{cid, pid}] {
			integrations[[2]int64{cid, pid}] = true
			w.add("integrations", []any{cid, pid, ts(p.CreatedAt)})
		}
	}
	// A result can outlive the publications of its content (a consumer
	// version deleted since); its content still exists.
	for _, v := range d.Verifications {
		c := content{v.Consumer, v.Provider, v.SHA}
		if _, ok := contents[c]; !ok {
			contents[c] = int64(len(contents) + 1)
			if err := w.put(ctx, "pact_versions", []any{contents[c], l.apps[v.Consumer], l.apps[v.Provider], v.SHA, emptyPact(v.Consumer, v.Provider, v.SHA), ts(v.VerifiedAt)}); err != nil {
				return st, err
			}
		}
	}
	st.Contents = len(contents)
	if err := w.flush(ctx, "pact_versions"); err != nil {
		return st, err
	}
	for _, x := range pubOrder {
		if err := w.put(ctx, "pact_publications", []any{x.id, x.consumer, x.provider, x.cv, x.pv, x.created, x.updated}); err != nil {
			return st, err
		}
	}
	st.Pacts = len(pubOrder)
	if err := w.flush(ctx, "pact_publications"); err != nil {
		return st, err
	}
	if err := w.flush(ctx, "integrations"); err != nil {
		return st, err
	}

	for i, v := range d.Verifications {
		pv := contents[content{v.Consumer, v.Provider, v.SHA}]
		row := []any{int64(i + 1), pv, l.apps[v.Consumer], l.apps[v.Provider], l.versions[key2{v.Provider, v.ProviderVersion}], v.Success, ts(v.VerifiedAt)}
		if err := w.put(ctx, "verifications", row); err != nil {
			return st, err
		}
	}
	st.Verifications = len(d.Verifications)
	if err := w.flush(ctx, "verifications"); err != nil {
		return st, err
	}

	if err := l.writeEnvFacts(ctx, w, d.Deployments, d.Releases, now, &st); err != nil {
		return st, err
	}
	return st, w.fixSequences(ctx)
}

// writeEnvFacts writes the deployments and releases; l.versions holds
// every version they name.
func (l *loader) writeEnvFacts(ctx context.Context, w *writer, deployments []matrix.Deployment, releases []matrix.Release, now int64, st *Stats) error {
	// Deployments replay in order, as broker.DecideDeployment decides: a
	// new version in a slot ends the one before; the same version again
	// keeps its record.
	type slot struct {
		app, env int64
		instance string
	}
	type dep struct {
		id, version int64
		s           slot
		created     int64
		undeployed  *int64
	}
	var deps []*dep
	current := map[slot]*dep{}
	for i, x := range deployments {
		s := slot{l.apps[x.Pacticipant], l.envs[x.Environment], x.ApplicationInstance}
		vid := l.versions[key2{x.Pacticipant, x.Version}]
		at := now + int64(i)
		cur := current[s]
		if x.Undeployed {
			if cur != nil {
				cur.undeployed, current[s] = &at, nil
			}
			continue
		}
		var running []int64
		if cur != nil {
			running = []int64{cur.version}
		}
		if broker.DecideDeployment(running, vid).Keep >= 0 {
			continue
		}
		if cur != nil {
			cur.undeployed = &at
		}
		nd := &dep{id: int64(len(deps) + 1), version: vid, s: s, created: at}
		deps = append(deps, nd)
		current[s] = nd
	}
	for _, x := range deps {
		var und any
		if x.undeployed != nil {
			und = *x.undeployed
		}
		w.add("deployed_versions", []any{x.id, fmt.Sprintf("00000000-0000-4000-8001-%012d", x.id), x.version, x.s.app, x.s.env, x.s.instance, x.created, und})
	}
	st.Deployments = len(deps)
	if err := w.flush(ctx, "deployed_versions"); err != nil {
		return err
	}
	type rel struct {
		id, version, app, env, created int64
		ended                          *int64
	}
	rels := map[[2]int64]*rel{}
	var relOrder []*rel
	for i, x := range releases {
		vid, eid := l.versions[key2{x.Pacticipant, x.Version}], l.envs[x.Environment]
		at := now + int64(i)
		r, ok := rels[[2]int64{vid, eid}]
		if !ok {
			r = &rel{id: int64(len(relOrder) + 1), version: vid, app: l.apps[x.Pacticipant], env: eid, created: at}
			rels[[2]int64{vid, eid}] = r
			relOrder = append(relOrder, r)
		}
		r.ended = nil
		if x.SupportEnded {
			r.ended = &at
		}
	}
	for _, r := range relOrder {
		var ended any
		if r.ended != nil {
			ended = *r.ended
		}
		w.add("released_versions", []any{r.id, fmt.Sprintf("00000000-0000-4000-8002-%012d", r.id), r.version, r.app, r.env, r.created, ended})
	}
	st.Releases = len(relOrder)
	if err := w.flush(ctx, "released_versions"); err != nil {
		return err
	}
	return nil
}

var columns = map[string][]string{
	"pacticipants":      {"id", "name", "main_branch", "created_at", "updated_at"},
	"environments":      {"id", "uuid", "name", "display_name", "production", "created_at", "updated_at"},
	"versions":          {"id", "pacticipant_id", "number", "created_at", "updated_at"},
	"branches":          {"id", "pacticipant_id", "name", "created_at"},
	"branch_versions":   {"branch_id", "version_id", "created_at"},
	"tags":              {"version_id", "name", "pacticipant_id", "created_at"},
	"pact_versions":     {"id", "consumer_id", "provider_id", "sha", "content", "created_at"},
	"pact_publications": {"id", "consumer_id", "provider_id", "consumer_version_id", "pact_version_id", "created_at", "updated_at"},
	"integrations":      {"consumer_id", "provider_id", "created_at"},
	"verifications":     {"id", "pact_version_id", "consumer_id", "provider_id", "provider_version_id", "success", "created_at"},
	"deployed_versions": {"id", "uuid", "version_id", "pacticipant_id", "environment_id", "target", "created_at", "undeployed_at"},
	"released_versions": {"id", "uuid", "version_id", "pacticipant_id", "environment_id", "created_at", "support_ended_at"},
}

// serial are the tables whose id is a BIGSERIAL on PostgreSQL.
var serial = []string{"pacticipants", "environments", "versions", "branches", "pact_versions", "pact_publications", "verifications", "deployed_versions", "released_versions"}

// writer buffers rows per table and writes them in batches inside one
// transaction.
type writer struct {
	dialect sqlstore.Dialect
	tx      *sql.Tx   // SQLite
	conn    *sql.Conn // PostgreSQL: the pgx connection under database/sql
	pgtx    pgx.Tx
	buf     map[string][][]any
}

const batchRows = 5000

func newWriter(ctx context.Context, s *sqlstore.Store) (*writer, error) {
	w := &writer{dialect: s.Dialect(), buf: map[string][][]any{}}
	if w.dialect == sqlstore.SQLite {
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("load: begin: %w", err)
		}
		w.tx = tx
		return w, nil
	}
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("load: connect: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		tx, err := dc.(*stdlib.Conn).Conn().Begin(ctx)
		w.pgtx = tx
		return err
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("load: begin: %w", err)
	}
	w.conn = conn
	return w, nil
}

func (w *writer) add(table string, row []any) { w.buf[table] = append(w.buf[table], row) }

// put adds a row and writes the table's buffer when it is full.
func (w *writer) put(ctx context.Context, table string, row []any) error {
	w.add(table, row)
	if len(w.buf[table]) >= batchRows {
		return w.flush(ctx, table)
	}
	return nil
}

func (w *writer) flush(ctx context.Context, table string) error {
	rows := w.buf[table]
	w.buf[table] = nil
	if len(rows) == 0 {
		return nil
	}
	cols := columns[table]
	if w.dialect == sqlstore.Postgres {
		if _, err := w.pgtx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		return nil
	}
	// SQLite binds at most 32766 parameters per statement.
	per := 32766 / len(cols)
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for len(rows) > 0 {
		n := min(per, len(rows), 1000)
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
		args := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(one)
			args = append(args, r...)
		}
		if _, err := w.tx.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		rows = rows[n:]
	}
	return nil
}

// fixSequences moves PostgreSQL's id sequences past the explicit ids.
func (w *writer) fixSequences(ctx context.Context) error {
	if w.dialect != sqlstore.Postgres {
		return nil
	}
	for _, t := range serial {
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), GREATEST((SELECT MAX(id) FROM %s), 1))`, t, t)
		if _, err := w.pgtx.Exec(ctx, q); err != nil {
			return fmt.Errorf("advance the id sequence of %s: %w", t, err)
		}
	}
	return nil
}

func (w *writer) commit(ctx context.Context) error {
	if w.tx != nil {
		return w.tx.Commit()
	}
	defer w.conn.Close()
	return w.pgtx.Commit(ctx)
}

func (w *writer) rollback() {
	if w.tx != nil {
		_ = w.tx.Rollback()
		return
	}
	_ = w.pgtx.Rollback(context.Background())
	w.conn.Close()
}

// rows feeds a generator to COPY one row at a time: next fills row (reused
// for every row, as pgx encodes each row before asking for the next) and
// says whether there was one.
type rows struct {
	row  []any
	next func(row []any) bool
}

func (r *rows) Next() bool             { return r.next(r.row) }
func (r *rows) Values() ([]any, error) { return r.row, nil }
func (r *rows) Err() error             { return nil }

// stream writes every row next generates into table, without holding them:
// one COPY on PostgreSQL, batches of multi-row INSERTs on SQLite.
func (w *writer) stream(ctx context.Context, table string, next func(row []any) bool) (int, error) {
	if err := w.flush(ctx, table); err != nil {
		return 0, err
	}
	row := make([]any, len(columns[table]))
	if w.dialect == sqlstore.Postgres {
		n, err := w.pgtx.CopyFrom(ctx, pgx.Identifier{table}, columns[table], &rows{row: row, next: next})
		if err != nil {
			return int(n), fmt.Errorf("copy into %s: %w", table, err)
		}
		return int(n), nil
	}
	n := 0
	for next(row) {
		if err := w.put(ctx, table, slices.Clone(row)); err != nil {
			return n, err
		}
		n++
	}
	return n, w.flush(ctx, table)
}

// deferIndexes drops, inside the load's transaction, every index and
// constraint of the tables the loader writes (and the foreign keys of other
// tables that point at them), and returns the statements that create them
// again exactly as the migrations made them: PostgreSQL then builds each
// index once, sorted, over the loaded rows and checks each foreign key with
// one join, instead of updating six indexes and probing four keys per row.
func (w *writer) deferIndexes(ctx context.Context) (recreate []string, err error) {
	tables := make([]string, 0, len(columns))
	for t := range columns {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	if w.dialect == sqlstore.SQLite {
		return w.deferSQLiteIndexes(ctx, tables)
	}
	type stmt struct{ drop, create string }
	var fks, keys, plain []stmt
	collect := func(q string, into *[]stmt, mk func(table, name, def string) stmt) error {
		r, err := w.pgtx.Query(ctx, q, tables)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var table, name, def string
			if err := r.Scan(&table, &name, &def); err != nil {
				return err
			}
			*into = append(*into, mk(table, name, def))
		}
		return r.Err()
	}
	constraint := func(table, name, def string) stmt {
		t, n := pgx.Identifier{table}.Sanitize(), pgx.Identifier{name}.Sanitize()
		return stmt{"ALTER TABLE " + t + " DROP CONSTRAINT " + n, "ALTER TABLE " + t + " ADD CONSTRAINT " + n + " " + def}
	}
	const rel = `(SELECT c.oid FROM pg_class c WHERE c.relname = ANY($1) AND c.relnamespace = current_schema()::regnamespace)`
	if err := collect(`SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE contype = 'f' AND (conrelid IN `+rel+` OR confrelid IN `+rel+`) ORDER BY 1, 2`, &fks, constraint); err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	if err := collect(`SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
		WHERE contype IN ('p', 'u') AND conrelid IN `+rel+` ORDER BY 1, 2`, &keys, constraint); err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	if err := collect(`SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
		WHERE i.indrelid IN `+rel+` AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
		ORDER BY 1, 2`, &plain, func(_, name, def string) stmt {
		return stmt{"DROP INDEX " + pgx.Identifier{name}.Sanitize(), def}
	}); err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	for _, s := range slices.Concat(fks, plain, keys) {
		if _, err := w.pgtx.Exec(ctx, s.drop); err != nil {
			return nil, fmt.Errorf("%s: %w", s.drop, err)
		}
	}
	for _, s := range slices.Concat(keys, plain, fks) {
		recreate = append(recreate, s.create)
	}
	return recreate, nil
}

// deferSQLiteIndexes is deferIndexes on SQLite: the indexes it can drop
// (not those of PRIMARY KEY and UNIQUE constraints) and the triggers on the
// loaded tables (migration 0008's, which would bump the matrix generation
// once per row) go, and come back after the rows with one bump of the
// generation for the whole load.
func (w *writer) deferSQLiteIndexes(ctx context.Context, tables []string) ([]string, error) {
	q := `SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN (` +
		strings.TrimSuffix(strings.Repeat("?, ", len(tables)), ", ") + `) ORDER BY type, name`
	args := make([]any, len(tables))
	for i, t := range tables {
		args[i] = t
	}
	rows, err := w.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list indexes and triggers: %w", err)
	}
	var drop, recreate []string
	bumps := false
	for rows.Next() {
		var typ, name, def string
		if err := rows.Scan(&typ, &name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		drop = append(drop, "DROP "+strings.ToUpper(typ)+` "`+strings.ReplaceAll(name, `"`, `""`)+`"`)
		recreate = append(recreate, def)
		bumps = bumps || strings.Contains(def, "matrix_generation")
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := w.exec(ctx, drop...); err != nil {
		return nil, err
	}
	if bumps {
		recreate = append(recreate, `UPDATE matrix_generation SET n = n + 1 WHERE id = 1`)
	}
	return recreate, nil
}

// exec runs statements in the load's transaction.
func (w *writer) exec(ctx context.Context, stmts ...string) error {
	for _, q := range stmts {
		var err error
		if w.dialect == sqlstore.SQLite {
			_, err = w.tx.ExecContext(ctx, q)
		} else {
			_, err = w.pgtx.Exec(ctx, q)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
