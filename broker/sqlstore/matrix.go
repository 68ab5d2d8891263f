package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/matrix"
)

// matrixReader answers matrix.Decide's questions with indexed queries; see
// migrations 0002 and the package documentation of broker/matrix for the
// shape of each. It remembers the pacticipants it looked up, so use one per
// decision (it is not safe for concurrent use).
type matrixReader struct {
	r    runner
	apps map[string]matrixApp
	// trace, when set, sees every query as sent to the database.
	trace func(query string, args []any)
}

func (f *matrixReader) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if f.trace != nil {
		f.trace(f.r.s.rebind(q), args)
	}
	return f.r.query(ctx, q, args...)
}

func (f *matrixReader) row(ctx context.Context, q string, args ...any) *sql.Row {
	if f.trace != nil {
		f.trace(f.r.s.rebind(q), args)
	}
	return f.r.row(ctx, q, args...)
}

type matrixApp struct {
	id int64
	p  matrix.Pacticipant
}

var _ matrix.Facts = (*matrixReader)(nil)

// MatrixFacts returns the facts for one matrix or can-i-deploy question.
func (s *Store) MatrixFacts() matrix.Facts {
	return &matrixReader{r: s.read(), apps: map[string]matrixApp{}}
}

// TracedMatrixFacts is MatrixFacts whose every query, as sent to the
// database (with PostgreSQL's $n placeholders), and its arguments are shown
// to trace first: tools use it to EXPLAIN a decision.
func (s *Store) TracedMatrixFacts(trace func(query string, args []any)) matrix.Facts {
	return &matrixReader{r: s.read(), apps: map[string]matrixApp{}, trace: trace}
}

func (f *matrixReader) app(ctx context.Context, name string) (matrixApp, bool, error) {
	if a, ok := f.apps[name]; ok {
		return a, a.id != 0, nil
	}
	var a matrixApp
	err := f.row(ctx, `SELECT id, name, main_branch FROM pacticipants WHERE name = ?`, name).Scan(&a.id, &a.p.Name, &a.p.MainBranch)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return a, false, err
	}
	f.apps[name] = a
	return a, a.id != 0, nil
}

// ids returns the ids of the named pacticipants that exist.
func (f *matrixReader) ids(ctx context.Context, names []string) ([]any, error) {
	var out []any
	for _, n := range names {
		a, ok, err := f.app(ctx, n)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, a.id)
		}
	}
	return out, nil
}

// Pacticipant implements matrix.Facts.
func (f *matrixReader) Pacticipant(ctx context.Context, name string) (matrix.Pacticipant, bool, error) {
	a, ok, err := f.app(ctx, name)
	return a.p, ok, err
}

// EnvironmentExists implements matrix.Facts.
func (f *matrixReader) EnvironmentExists(ctx context.Context, name string) (bool, error) {
	var n int
	if err := f.row(ctx, `SELECT COUNT(*) FROM environments WHERE name = ?`, name).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// Versions implements matrix.Facts. Each filter is an IN over the index of
// the table it names, so the planner starts from the narrowest one and a
// "latest" walks versions(pacticipant_id, id) backwards and stops at the
// first match.
func (f *matrixReader) Versions(ctx context.Context, s matrix.Selector) ([]matrix.Version, error) {
	a, ok, err := f.app(ctx, s.Pacticipant)
	if err != nil || !ok {
		return nil, err
	}
	where, args := []string{"v.pacticipant_id = ?"}, []any{a.id}
	if s.Version != "" {
		where, args = append(where, "v.number = ?"), append(args, s.Version)
	}
	if s.Tag != "" {
		where = append(where, "v.id IN (SELECT t.version_id FROM tags t WHERE t.pacticipant_id = ? AND t.name = ?)")
		args = append(args, a.id, s.Tag)
	}
	branches := []string{}
	if s.Branch != "" {
		branches = append(branches, s.Branch)
	}
	if s.MainBranch {
		if a.p.MainBranch == "" {
			return nil, nil
		}
		branches = append(branches, a.p.MainBranch)
	}
	for _, b := range branches {
		where = append(where, "v.id IN (SELECT bv.version_id FROM branches b JOIN branch_versions bv ON bv.branch_id = b.id WHERE b.pacticipant_id = ? AND b.name = ?)")
		args = append(args, a.id, b)
	}
	if s.Environment != "" {
		where = append(where, `v.id IN (
			SELECT d.version_id FROM environments e JOIN deployed_versions d ON d.environment_id = e.id AND d.pacticipant_id = ? AND d.undeployed_at IS NULL WHERE e.name = ?
			UNION SELECT rv.version_id FROM environments e JOIN released_versions rv ON rv.environment_id = e.id AND rv.pacticipant_id = ? AND rv.support_ended_at IS NULL WHERE e.name = ?)`)
		args = append(args, a.id, s.Environment, a.id, s.Environment)
	}
	q := `SELECT v.id, v.number, v.created_at FROM versions v WHERE ` + strings.Join(where, " AND ") + ` ORDER BY v.id DESC`
	if s.Latest {
		q += ` LIMIT 1`
	}
	rows, err := f.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []matrix.Version
	for rows.Next() {
		var v matrix.Version
		var c int64
		if err := rows.Scan(&v.ID, &v.Number, &c); err != nil {
			return nil, err
		}
		v.Order, v.CreatedAt = v.ID, fromTS(c)
		out = append(out, v)
	}
	return out, rows.Err()
}

func (f *matrixReader) names(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := f.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Providers implements matrix.Facts.
func (f *matrixReader) Providers(ctx context.Context, consumer string, versionIDs []int64) ([]string, error) {
	a, ok, err := f.app(ctx, consumer)
	if err != nil || !ok {
		return nil, err
	}
	if versionIDs == nil {
		return f.names(ctx, `SELECT p.name FROM integrations i JOIN pacticipants p ON p.id = i.provider_id WHERE i.consumer_id = ? ORDER BY p.name`, a.id)
	}
	if len(versionIDs) == 0 {
		return nil, nil
	}
	return f.names(ctx, `SELECT DISTINCT p.name FROM pact_publications pp JOIN pacticipants p ON p.id = pp.provider_id
		WHERE pp.consumer_version_id IN (`+placeholders(len(versionIDs))+`) ORDER BY p.name`, anys(versionIDs)...)
}

// Consumers implements matrix.Facts.
func (f *matrixReader) Consumers(ctx context.Context, provider string) ([]string, error) {
	a, ok, err := f.app(ctx, provider)
	if err != nil || !ok {
		return nil, err
	}
	return f.names(ctx, `SELECT c.name FROM integrations i JOIN pacticipants c ON c.id = i.consumer_id WHERE i.provider_id = ? ORDER BY c.name`, a.id)
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

const matrixPactCols = `SELECT pp.id, c.name, cv.id, cv.number, cv.created_at, pr.name, pv.sha, pp.updated_at
	FROM pact_publications pp
	JOIN versions cv ON cv.id = pp.consumer_version_id
	JOIN pact_versions pv ON pv.id = pp.pact_version_id
	JOIN pacticipants c ON c.id = pp.consumer_id
	JOIN pacticipants pr ON pr.id = pp.provider_id
	WHERE `

// Pacts implements matrix.Facts. A publication is replaced in place when
// its content is overwritten, so there is one revision per consumer version
// and provider and AllRevisions changes nothing.
func (f *matrixReader) Pacts(ctx context.Context, q matrix.PactQuery) ([]matrix.Publication, error) {
	limit := ""
	if q.Limit > 0 {
		limit = fmt.Sprintf(" ORDER BY pp.updated_at DESC, pp.id DESC LIMIT %d", q.Limit)
	}
	if q.Contents != nil {
		ids, err := f.contentIDs(ctx, q.Contents)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		return f.scanPacts(ctx, matrixPactCols+`pp.pact_version_id IN (`+placeholders(len(ids))+`)`+limit, ids...)
	}
	providerCond, providerArgs := "", []any(nil)
	if q.Providers != nil {
		ids, err := f.ids(ctx, q.Providers)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		providerCond, providerArgs = ` AND pp.provider_id IN (`+placeholders(len(ids))+`)`, ids
	}
	// One query for every side: the versions named go through the unique
	// index (consumer_version_id, provider_id), the applications taken
	// whole through (consumer_id, provider_id, id).
	var versionIDs, consumerIDs []any
	for _, side := range q.Consumers {
		a, ok, err := f.app(ctx, side.Pacticipant)
		if err != nil {
			return nil, err
		}
		switch {
		case !ok:
		case side.All:
			consumerIDs = append(consumerIDs, a.id)
		default:
			versionIDs = append(versionIDs, anys(side.VersionIDs)...)
		}
	}
	var ors []string
	if len(versionIDs) > 0 {
		ors = append(ors, `pp.consumer_version_id IN (`+placeholders(len(versionIDs))+`)`)
	}
	if len(consumerIDs) > 0 {
		ors = append(ors, `pp.consumer_id IN (`+placeholders(len(consumerIDs))+`)`)
	}
	if len(ors) == 0 {
		return nil, nil
	}
	args := append(append(versionIDs, consumerIDs...), providerArgs...)
	out, err := f.scanPacts(ctx, matrixPactCols+`(`+strings.Join(ors, " OR ")+`)`+providerCond+limit, args...)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b matrix.Publication) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	out = slices.CompactFunc(out, func(a, b matrix.Publication) bool { return a.ID == b.ID })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (f *matrixReader) scanPacts(ctx context.Context, q string, args ...any) ([]matrix.Publication, error) {
	rows, err := f.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []matrix.Publication
	for rows.Next() {
		var p matrix.Publication
		var cvc, c int64
		if err := rows.Scan(&p.ID, &p.Consumer, &p.ConsumerVersion.ID, &p.ConsumerVersion.Number, &cvc, &p.Provider, &p.SHA, &c); err != nil {
			return nil, err
		}
		p.ConsumerVersion.Order, p.ConsumerVersion.CreatedAt, p.CreatedAt, p.Revision = p.ConsumerVersion.ID, fromTS(cvc), fromTS(c), 1
		out = append(out, p)
	}
	return out, rows.Err()
}

// contentIDs returns the pact_versions ids of contents, through the unique
// index (consumer_id, provider_id, sha).
func (f *matrixReader) contentIDs(ctx context.Context, contents []matrix.Content) ([]any, error) {
	var conds []string
	var args []any
	for _, c := range contents {
		ca, cok, err := f.app(ctx, c.Consumer)
		if err != nil {
			return nil, err
		}
		pa, pok, err := f.app(ctx, c.Provider)
		if err != nil {
			return nil, err
		}
		if cok && pok {
			conds = append(conds, "(consumer_id = ? AND provider_id = ? AND sha = ?)")
			args = append(args, ca.id, pa.id, c.SHA)
		}
	}
	var out []any
	// Bounded batches keep PostgreSQL's and SQLite's parameter limits away.
	for len(conds) > 0 {
		n := min(len(conds), 300)
		rows, err := f.query(ctx, `SELECT id FROM pact_versions WHERE `+strings.Join(conds[:n], " OR "), args[:3*n]...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		conds, args = conds[n:], args[3*n:]
	}
	return out, nil
}

const matrixVerificationCols = `SELECT ve.id, c.name, pr.name, pv.sha, prv.id, prv.number, prv.created_at, ve.success, ve.created_at, COALESCE(ve.summary, ''),
	ve.pact_pending, ve.contract_sha IS NOT NULL
	FROM verifications ve
	JOIN pact_versions pv ON pv.id = ve.pact_version_id
	JOIN versions prv ON prv.id = ve.provider_version_id
	JOIN pacticipants c ON c.id = ve.consumer_id
	JOIN pacticipants pr ON pr.id = ve.provider_id
	WHERE `

// Verifications implements matrix.Facts. The latest result per content and
// provider version is MAX(id) over one range of the index
// (pact_version_id, provider_version_id, id).
func (f *matrixReader) Verifications(ctx context.Context, q matrix.VerificationQuery) ([]matrix.Verification, error) {
	// where is written once and used with the "ve." prefix (every result)
	// or inside the MAX(id) subquery (latest results).
	var conds []string
	var args []any
	if q.Contents != nil {
		ids, err := f.contentIDs(ctx, q.Contents)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		conds, args = append(conds, `{p}pact_version_id IN (`+placeholders(len(ids))+`)`), append(args, ids...)
	}
	if q.Providers != nil {
		var ors []string
		for _, side := range q.Providers {
			a, ok, err := f.app(ctx, side.Pacticipant)
			if err != nil {
				return nil, err
			}
			switch {
			case !ok:
			case side.All:
				ors, args = append(ors, `{p}provider_id = ?`), append(args, a.id)
			case len(side.VersionIDs) > 0:
				ors, args = append(ors, `{p}provider_version_id IN (`+placeholders(len(side.VersionIDs))+`)`), append(args, anys(side.VersionIDs)...)
			}
		}
		if len(ors) == 0 {
			return nil, nil
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if len(conds) == 0 {
		return nil, errors.New("a verification query needs contents or provider versions")
	}
	where := strings.Join(conds, " AND ")
	q2 := matrixVerificationCols + strings.ReplaceAll(where, "{p}", "ve.")
	if !q.AllResults {
		q2 = matrixVerificationCols + `ve.id IN (SELECT MAX(id) FROM verifications WHERE ` + strings.ReplaceAll(where, "{p}", "") +
			` GROUP BY pact_version_id, provider_version_id)`
	}
	rows, err := f.query(ctx, q2, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []matrix.Verification
	for rows.Next() {
		var v matrix.Verification
		var pvc, c int64
		var pending sql.NullBool
		var contractCheck bool
		if err := rows.Scan(&v.ID, &v.Consumer, &v.Provider, &v.SHA, &v.ProviderVersion.ID, &v.ProviderVersion.Number, &pvc, &v.Success, &c, &v.Summary, &pending, &contractCheck); err != nil {
			return nil, err
		}
		v.PendingCheck = contractCheck && pending.Bool
		v.ContractCheck = contractCheck
		v.Number = int(v.ID)
		v.ProviderVersion.Order, v.ProviderVersion.CreatedAt, v.VerifiedAt = v.ProviderVersion.ID, fromTS(pvc), fromTS(c)
		out = append(out, v)
	}
	return out, rows.Err()
}

// MatrixVersionDetails returns the branches, tags and environments of
// versions, for rendering matrix rows: three queries on the version_id
// indexes, however many rows there are.
func (s *Store) MatrixVersionDetails(ctx context.Context, versionIDs []int64) (map[int64]matrix.VersionDetails, error) {
	return versionDetails(ctx, s.read(), versionIDs)
}

// MatrixSnapshot implements broker.Matrix: one read-only transaction
// (REPEATABLE READ on PostgreSQL; SQLite's WAL readers see one snapshot).
// The state is read first, in that same transaction: on SQLite the write
// generation that migration 0008's triggers bump in every transaction
// changing a table the matrix reads; on PostgreSQL the transaction's
// snapshot itself (pg_current_snapshot: the set of committed transactions
// it sees, across every broker on the database). Equal states therefore
// mean equal data, and no committed write leaves a state unchanged.
func (s *Store) MatrixSnapshot(ctx context.Context, fn func(ctx context.Context, state string, v broker.MatrixView) error) error {
	return s.readSnapshot(ctx, func(ctx context.Context, state string, r runner) error {
		return fn(ctx, state, snapshotView{r})
	})
}

// CommittedState implements broker.Matrix and verifiable.Snapshots: the
// name MatrixSnapshot gives the state it reads, read by one statement of
// its own. On PostgreSQL a statement outside a transaction block reads its
// own snapshot, named by pg_current_snapshot() exactly as a transaction's
// is; on SQLite it reads the last committed write generation.
func (s *Store) CommittedState(ctx context.Context) (string, error) {
	var state string
	if err := s.db.QueryRowContext(ctx, s.stateQuery()).Scan(&state); err != nil {
		return "", fmt.Errorf("read the matrix generation: %w", err)
	}
	return state, nil
}

func (s *Store) stateQuery() string {
	if s.dialect == Postgres {
		return `SELECT 'pg:' || pg_current_snapshot()::text`
	}
	return `SELECT 'sqlite:' || n FROM matrix_generation WHERE id = 1`
}

// readSnapshot runs fn in one read-only transaction with the name of the
// state it sees (MatrixSnapshot says how that name is made).
func (s *Store) readSnapshot(ctx context.Context, fn func(ctx context.Context, state string, r runner) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	q := s.stateQuery()
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	r := runner{s: s, tx: tx}
	var state string
	if err := r.row(ctx, q).Scan(&state); err != nil {
		return fmt.Errorf("read the matrix generation: %w", err)
	}
	return fn(ctx, state, r)
}

type snapshotView struct{ r runner }

func (v snapshotView) MatrixFacts() matrix.Facts {
	return &matrixReader{r: v.r, apps: map[string]matrixApp{}}
}

func (v snapshotView) MatrixVersionDetails(ctx context.Context, versionIDs []int64) (map[int64]matrix.VersionDetails, error) {
	return versionDetails(ctx, v.r, versionIDs)
}

func versionDetails(ctx context.Context, r runner, versionIDs []int64) (map[int64]matrix.VersionDetails, error) {
	out := map[int64]matrix.VersionDetails{}
	for len(versionIDs) > 0 {
		n := min(len(versionIDs), 500)
		ids := anys(versionIDs[:n])
		versionIDs = versionIDs[n:]
		in := `(` + placeholders(len(ids)) + `)`
		rows, err := r.query(ctx, `SELECT bv.version_id, b.name, (SELECT MAX(h.version_id) FROM branch_versions h WHERE h.branch_id = b.id) = bv.version_id
			FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id WHERE bv.version_id IN `+in+` ORDER BY bv.created_at, b.name`, ids...)
		if err != nil {
			return nil, fmt.Errorf("version branches: %w", err)
		}
		for rows.Next() {
			var id int64
			var b matrix.BranchInfo
			if err := rows.Scan(&id, &b.Name, &b.Latest); err != nil {
				rows.Close()
				return nil, err
			}
			d := out[id]
			d.Branches = append(d.Branches, b)
			out[id] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("version branches: %w", err)
		}
		rows, err = r.query(ctx, `SELECT t.version_id, t.name, (SELECT MAX(t2.version_id) FROM tags t2 WHERE t2.pacticipant_id = t.pacticipant_id AND t2.name = t.name) = t.version_id
			FROM tags t WHERE t.version_id IN `+in+` ORDER BY t.created_at, t.name`, ids...)
		if err != nil {
			return nil, fmt.Errorf("version tags: %w", err)
		}
		for rows.Next() {
			var id int64
			var t matrix.TagInfo
			if err := rows.Scan(&id, &t.Name, &t.Latest); err != nil {
				rows.Close()
				return nil, err
			}
			d := out[id]
			d.Tags = append(d.Tags, t)
			out[id] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("version tags: %w", err)
		}
		rows, err = r.query(ctx, `SELECT x.version_id, e.uuid, e.name, e.display_name, e.production, e.created_at FROM (
			SELECT version_id, environment_id FROM deployed_versions WHERE version_id IN `+in+` AND undeployed_at IS NULL
			UNION SELECT version_id, environment_id FROM released_versions WHERE version_id IN `+in+` AND support_ended_at IS NULL) x
			JOIN environments e ON e.id = x.environment_id ORDER BY e.name`, append(ids, ids...)...)
		if err != nil {
			return nil, fmt.Errorf("version environments: %w", err)
		}
		for rows.Next() {
			var id, c int64
			var e matrix.EnvironmentInfo
			if err := rows.Scan(&id, &e.UUID, &e.Name, &e.DisplayName, &e.Production, &c); err != nil {
				rows.Close()
				return nil, err
			}
			e.CreatedAt = fromTS(c)
			d := out[id]
			d.Environments = append(d.Environments, e)
			out[id] = d
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
