package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/verifiable"
)

// Each selector is resolved per consumer with a correlated "newest first,
// LIMIT 1" subquery walking an index, so the cost grows with the number of
// consumers, not with their history.

const selectedCols = `c.name, v.number, v.id, pv.sha, pp.created_at`

// hasPact tests that the version in col has a pact for the provider (one
// "?"). It is a scalar subquery on purpose: PostgreSQL turns EXISTS or a
// join into a merge join over every publication of the provider, while
// this stays one unique-index probe per candidate version, newest first.
func hasPact(col string) string {
	return `(SELECT x.id FROM pact_publications x WHERE x.consumer_version_id = ` + col + ` AND x.provider_id = ?) IS NOT NULL`
}

// headTail joins a derived table h(cid, vid) of chosen consumer versions to
// their publications for the provider (one "?" for the provider id). The
// per-consumer subqueries stay in h's select list so both databases run
// them once per consumer, walking an index newest first.
const headTail = `
	JOIN pact_publications pp ON pp.consumer_version_id = h.vid AND pp.provider_id = ?
	JOIN pacticipants c ON c.id = h.cid` + selectedTail + `
	WHERE 1 = 1`

const selectedTail = `
	JOIN versions v ON v.id = pp.consumer_version_id
	JOIN pact_versions pv ON pv.id = pp.pact_version_id`

func (r runner) selected(ctx context.Context, extra string, q string, args ...any) ([]verifiable.Selection, error) {
	rows, err := r.query(ctx, `SELECT `+selectedCols+extra+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []verifiable.Selection
	for rows.Next() {
		var sp verifiable.Selection
		var c int64
		var label string
		dest := []any{&sp.Consumer, &sp.ConsumerVersion, &sp.ConsumerVersionID, &sp.SHA, &c}
		if extra != "" {
			dest = append(dest, &label)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		sp.CreatedAt = fromTS(c)
		sp.Branch = label // callers move it where it belongs
		out = append(out, sp)
	}
	return out, rows.Err()
}

func (r runner) providerID(ctx context.Context, provider string) (int64, bool, error) {
	var id int64
	err := r.row(ctx, `SELECT id FROM pacticipants WHERE name = ?`, provider).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, err
}

// verifyReader reads verifiable.Facts through one runner: the database
// itself (each method its own reads) or one read-only transaction
// (VerifiableSnapshot), where mu makes Find's concurrent calls take turns
// on the transaction's single connection (a PostgreSQL connection runs one
// query at a time) and the provider's id is read once.
type verifyReader struct {
	r  runner
	mu *sync.Mutex
	// pids remembers provider ids inside a snapshot (nil: do not).
	pids map[string]int64
}

func (v *verifyReader) lock() func() {
	if v.mu == nil {
		return func() {}
	}
	v.mu.Lock()
	return v.mu.Unlock
}

// providerID is the id of the provider named, false when there is none.
func (v *verifyReader) providerID(ctx context.Context, provider string) (int64, bool, error) {
	if id, ok := v.pids[provider]; ok {
		return id, id != 0, nil
	}
	id, ok, err := v.r.providerID(ctx, provider)
	if err == nil && v.pids != nil {
		v.pids[provider] = id
	}
	return id, ok, err
}

var _ verifiable.Facts = (*verifyReader)(nil)

// SelectPacts implements verifiable.Facts.
func (s *Store) SelectPacts(ctx context.Context, provider string, sel verifiable.ConsumerVersionSelector) ([]verifiable.Selection, error) {
	return (&verifyReader{r: s.read()}).SelectPacts(ctx, provider, sel)
}

// ConsumerMainlines implements verifiable.Facts.
func (s *Store) ConsumerMainlines(ctx context.Context, provider string) ([]verifiable.ConsumerMainline, error) {
	return (&verifyReader{r: s.read()}).ConsumerMainlines(ctx, provider)
}

// PriorVerifications implements verifiable.Facts.
func (s *Store) PriorVerifications(ctx context.Context, provider string, shas []string) (map[string][]verifiable.PriorVerification, error) {
	return (&verifyReader{r: s.read()}).PriorVerifications(ctx, provider, shas)
}

// PendingContext implements verifiable.Facts.
func (s *Store) PendingContext(ctx context.Context, provider, branch string, tags []string) (verifiable.PendingContext, error) {
	return (&verifyReader{r: s.read()}).PendingContext(ctx, provider, branch, tags)
}

// WIPCandidates implements verifiable.Facts.
func (s *Store) WIPCandidates(ctx context.Context, provider string, since time.Time) ([]verifiable.Selection, error) {
	return (&verifyReader{r: s.read()}).WIPCandidates(ctx, provider, since)
}

// VerifiableSnapshot implements verifiable.Snapshots: fn reads every fact
// in one read-only transaction, named by the same state as MatrixSnapshot's
// (the write generation of migration 0008 on SQLite, whose triggers cover
// every table these facts read; the transaction's snapshot on PostgreSQL).
func (s *Store) VerifiableSnapshot(ctx context.Context, fn func(ctx context.Context, state string, f verifiable.Facts) error) error {
	return s.readSnapshot(ctx, func(ctx context.Context, state string, r runner) error {
		return fn(ctx, state, &verifyReader{r: r, mu: &sync.Mutex{}, pids: map[string]int64{}})
	})
}

// SelectPacts resolves one selector.
func (v *verifyReader) SelectPacts(ctx context.Context, provider string, sel verifiable.ConsumerVersionSelector) ([]verifiable.Selection, error) {
	defer v.lock()()
	r := v.r
	pid, ok, err := v.providerID(ctx, provider)
	if err != nil || !ok {
		return nil, err
	}
	consumerCond, consumerArgs := "", []any{}
	if sel.Consumer != "" {
		consumerCond, consumerArgs = ` AND c.name = ?`, []any{sel.Consumer}
	}
	var out []verifiable.Selection
	label := func(f func(*verifiable.Selection, string)) {
		for i := range out {
			l := out[i].Branch
			out[i].Branch = ""
			f(&out[i], l)
		}
	}
	switch sel.Kind() {
	case verifiable.KindMainBranch, verifiable.KindBranch, verifiable.KindMatchingBranch:
		branchExpr, args := `c0.main_branch`, []any{pid}
		if !sel.MainBranch {
			branchExpr, args = `?`, []any{pid, sel.Branch}
		}
		args = append(args, pid, pid)
		out, err = r.selected(ctx, `, h.label`, `
			FROM (SELECT i.consumer_id AS cid, b.name AS label,
					(SELECT bv.version_id FROM branch_versions bv
					 WHERE bv.branch_id = b.id AND `+hasPact("bv.version_id")+`
					 ORDER BY bv.version_id DESC LIMIT 1) AS vid
				FROM integrations i
				JOIN pacticipants c0 ON c0.id = i.consumer_id
				JOIN branches b ON b.pacticipant_id = i.consumer_id AND b.name = `+branchExpr+`
				WHERE i.provider_id = ?) h`+headTail+consumerCond+` ORDER BY c.name`, append(args, consumerArgs...)...)
		label(func(sp *verifiable.Selection, l string) { sp.Branch = l })
	case verifiable.KindLatestTag:
		out, err = r.selected(ctx, ``, `
			FROM (SELECT i.consumer_id AS cid,
					(SELECT t.version_id FROM tags t
					 WHERE t.pacticipant_id = i.consumer_id AND t.name = ? AND `+hasPact("t.version_id")+`
					 ORDER BY t.version_id DESC LIMIT 1) AS vid
				FROM integrations i WHERE i.provider_id = ?) h`+headTail+consumerCond+` ORDER BY c.name`,
			append([]any{sel.Tag, pid, pid, pid}, consumerArgs...)...)
		label(func(sp *verifiable.Selection, _ string) { sp.Tag = sel.Tag })
	case verifiable.KindAllTag:
		out, err = r.selected(ctx, ``, `
			FROM pact_publications pp
			JOIN pacticipants c ON c.id = pp.consumer_id
			JOIN tags t ON t.version_id = pp.consumer_version_id AND t.name = ?`+selectedTail+`
			WHERE pp.provider_id = ?`+consumerCond+` ORDER BY c.name, v.id DESC`, append([]any{sel.Tag, pid}, consumerArgs...)...)
		label(func(sp *verifiable.Selection, _ string) { sp.Tag = sel.Tag })
	case verifiable.KindDeployed, verifiable.KindReleased, verifiable.KindEnvironment:
		envCond, envArgs := "", []any{}
		if sel.Environment != "" {
			envCond, envArgs = ` AND e.name = ?`, []any{sel.Environment}
		}
		var parts []verifiable.Selection
		if !sel.Released {
			parts, err = r.selected(ctx, `, e.name`, `
				FROM deployed_versions d
				JOIN environments e ON e.id = d.environment_id
				JOIN pact_publications pp ON pp.consumer_version_id = d.version_id AND pp.provider_id = ?
				JOIN pacticipants c ON c.id = pp.consumer_id`+selectedTail+`
				WHERE d.undeployed_at IS NULL`+envCond+consumerCond+` ORDER BY c.name, v.id DESC`, append(append([]any{pid}, envArgs...), consumerArgs...)...)
			if err != nil {
				break
			}
			out = append(out, parts...)
		}
		if !sel.Deployed {
			parts, err = r.selected(ctx, `, e.name`, `
				FROM released_versions rv
				JOIN environments e ON e.id = rv.environment_id
				JOIN pact_publications pp ON pp.consumer_version_id = rv.version_id AND pp.provider_id = ?
				JOIN pacticipants c ON c.id = pp.consumer_id`+selectedTail+`
				WHERE rv.support_ended_at IS NULL`+envCond+consumerCond+` ORDER BY c.name, v.id DESC`, append(append([]any{pid}, envArgs...), consumerArgs...)...)
			out = append(out, parts...)
		}
		label(func(sp *verifiable.Selection, l string) { sp.Environment = l })
	default: // latest
		out, err = r.selected(ctx, ``, `
			FROM (SELECT i.consumer_id AS cid,
					(SELECT MAX(x.consumer_version_id) FROM pact_publications x WHERE x.provider_id = i.provider_id AND x.consumer_id = i.consumer_id) AS vid
				FROM integrations i WHERE i.provider_id = ?) h`+headTail+consumerCond+` ORDER BY c.name`,
			append([]any{pid, pid}, consumerArgs...)...)
		label(func(*verifiable.Selection, string) {})
	}
	if err != nil {
		return nil, fmt.Errorf("select pacts (%s): %w", sel.Kind(), err)
	}
	for i := range out {
		out[i].Selector = sel
	}
	return out, nil
}

// ConsumerMainlines describes the provider's consumers.
func (v *verifyReader) ConsumerMainlines(ctx context.Context, provider string) ([]verifiable.ConsumerMainline, error) {
	defer v.lock()()
	rows, err := v.r.query(ctx, `SELECT c.name, c.main_branch,
		EXISTS (SELECT 1 FROM branches b JOIN branch_versions bv ON bv.branch_id = b.id WHERE b.pacticipant_id = c.id AND b.name = c.main_branch),
		EXISTS (SELECT 1 FROM tags t WHERE t.pacticipant_id = c.id AND t.name = c.main_branch)
		FROM integrations i JOIN pacticipants c ON c.id = i.consumer_id JOIN pacticipants p ON p.id = i.provider_id
		WHERE p.name = ? ORDER BY c.name`, provider)
	if err != nil {
		return nil, fmt.Errorf("consumer mainlines: %w", err)
	}
	defer rows.Close()
	var out []verifiable.ConsumerMainline
	for rows.Next() {
		var m verifiable.ConsumerMainline
		if err := rows.Scan(&m.Consumer, &m.MainBranch, &m.HasMainBranchVersions, &m.HasMainBranchTag); err != nil {
			return nil, fmt.Errorf("consumer mainlines: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PriorVerifications reads what pending status depends on. Only successful
// verifications are returned: failures never change pending status.
func (v *verifyReader) PriorVerifications(ctx context.Context, provider string, shas []string) (map[string][]verifiable.PriorVerification, error) {
	defer v.lock()()
	out := map[string][]verifiable.PriorVerification{}
	if len(shas) == 0 {
		return out, nil
	}
	r := v.r
	pid, ok, err := v.providerID(ctx, provider)
	if err != nil || !ok {
		return out, err
	}
	args := []any{pid}
	seen := map[string]bool{}
	for _, sha := range shas {
		if !seen[sha] {
			seen[sha] = true
			args = append(args, sha)
		}
	}
	rows, err := r.query(ctx, `SELECT pv.sha, ve.success, ve.wip, pver.number, pver.id, ve.created_at
		FROM verifications ve JOIN pact_versions pv ON pv.id = ve.pact_version_id JOIN versions pver ON pver.id = ve.provider_version_id
		WHERE pv.provider_id = ve.provider_id AND ve.provider_id = ? AND ve.success = TRUE AND pv.sha IN (`+placeholders(len(args)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("verification facts: %w", err)
	}
	var facts []verifiable.PriorVerification
	var versionIDs []int64
	for rows.Next() {
		var f verifiable.PriorVerification
		var vid, c int64
		if err := rows.Scan(&f.SHA, &f.Success, &f.WIP, &f.ProviderVersion, &vid, &c); err != nil {
			rows.Close()
			return nil, fmt.Errorf("verification facts: %w", err)
		}
		f.CreatedAt = fromTS(c)
		facts = append(facts, f)
		versionIDs = append(versionIDs, vid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verification facts: %w", err)
	}
	if len(facts) == 0 {
		return out, nil
	}
	vs := make([]broker.Version, len(versionIDs))
	for i, id := range versionIDs {
		vs[i].ID = id
	}
	// fillVersions indexes by id; duplicates share the last slot, so
	// resolve labels per distinct id.
	distinct := map[int64]*broker.Version{}
	var uniq []broker.Version
	for _, ver := range vs {
		if _, ok := distinct[ver.ID]; !ok {
			distinct[ver.ID] = nil
			uniq = append(uniq, ver)
		}
	}
	if err := r.fillVersions(ctx, uniq); err != nil {
		return nil, fmt.Errorf("verification facts: %w", err)
	}
	for i := range uniq {
		distinct[uniq[i].ID] = &uniq[i]
	}
	for i, f := range facts {
		ver := distinct[versionIDs[i]]
		for _, b := range ver.Branches {
			f.ProviderBranches = append(f.ProviderBranches, b.Branch)
		}
		for _, t := range ver.Tags {
			f.ProviderTags = append(f.ProviderTags, t.Name)
		}
		out[f.SHA] = append(out[f.SHA], f)
	}
	return out, nil
}

// PendingContext describes the provider branch and tags.
func (v *verifyReader) PendingContext(ctx context.Context, provider, branch string, tags []string) (verifiable.PendingContext, error) {
	defer v.lock()()
	pc := verifiable.PendingContext{ProviderBranch: branch, ProviderTags: tags, TagFirstUsedAt: map[string]time.Time{}}
	r := v.r
	pid, ok, err := v.providerID(ctx, provider)
	if err != nil || !ok {
		return pc, err
	}
	if branch != "" {
		var c int64
		err := r.row(ctx, `SELECT created_at FROM branches WHERE pacticipant_id = ? AND name = ?`, pid, branch).Scan(&c)
		switch {
		case err == nil:
			t := fromTS(c)
			pc.BranchCreatedAt = &t
		case !errors.Is(err, sql.ErrNoRows):
			return pc, fmt.Errorf("pending context: %w", err)
		}
	}
	for _, tag := range tags {
		var c sql.NullInt64
		if err := r.row(ctx, `SELECT MIN(created_at) FROM tags WHERE pacticipant_id = ? AND name = ?`, pid, tag).Scan(&c); err != nil {
			return pc, fmt.Errorf("pending context: %w", err)
		}
		if c.Valid {
			pc.TagFirstUsedAt[tag] = fromTS(c.Int64)
		}
	}
	return pc, nil
}

// WIPCandidates reads the heads of consumer branches and tags.
func (v *verifyReader) WIPCandidates(ctx context.Context, provider string, since time.Time) ([]verifiable.Selection, error) {
	defer v.lock()()
	r := v.r
	pid, ok, err := v.providerID(ctx, provider)
	if err != nil || !ok {
		return nil, err
	}
	sinceTS := since.UTC().UnixMicro()
	heads, err := r.selected(ctx, `, h.label`, `
		FROM (SELECT i.consumer_id AS cid, b.name AS label,
				(SELECT MAX(bv.version_id) FROM branch_versions bv WHERE bv.branch_id = b.id) AS vid
			FROM integrations i JOIN branches b ON b.pacticipant_id = i.consumer_id
			WHERE i.provider_id = ?) h`+headTail+` AND pp.created_at >= ? ORDER BY c.name, h.label`, pid, pid, sinceTS)
	if err != nil {
		return nil, fmt.Errorf("wip candidates: %w", err)
	}
	tagged, err := r.selected(ctx, `, h.label`, `
		FROM (SELECT tn.pacticipant_id AS cid, tn.name AS label,
				(SELECT t.version_id FROM tags t
				 WHERE t.pacticipant_id = tn.pacticipant_id AND t.name = tn.name AND `+hasPact("t.version_id")+`
				 ORDER BY t.version_id DESC LIMIT 1) AS vid
			FROM (SELECT DISTINCT t.pacticipant_id, t.name FROM tags t JOIN integrations i ON i.consumer_id = t.pacticipant_id AND i.provider_id = ?) tn) h`+headTail+`
			AND pp.created_at >= ? ORDER BY c.name, h.label`, pid, pid, pid, sinceTS)
	if err != nil {
		return nil, fmt.Errorf("wip candidates: %w", err)
	}
	for i := range tagged {
		tagged[i].Tag, tagged[i].Branch = tagged[i].Branch, ""
	}
	return append(heads, tagged...), nil
}
