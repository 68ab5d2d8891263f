package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/fieldusage"
)

// indexFieldUsage stores what a pact content relies on (fieldUsageJSON, storeFieldUsage).
func (r runner) indexFieldUsage(ctx context.Context, pactVersionID int64, content []byte, createdAt int64) error {
	js, err := fieldUsageJSON(content)
	if err != nil {
		return err
	}
	return r.storeFieldUsage(ctx, pactVersionID, js, createdAt)
}

// fieldUsageJSON is the field-usage index of a pact content, as stored.
func fieldUsageJSON(content []byte) ([]byte, error) {
	js, err := json.Marshal(indexOf(content))
	if err != nil {
		return nil, fmt.Errorf("index field usage: %w", err)
	}
	return js, nil
}

// storeFieldUsage stores the index of a new pact content, in the transaction that stores the
// content: the index of a published pact is never missing and never computed again.
// createdAt is the publication's own timestamp: the clock is read once per publication.
func (r runner) storeFieldUsage(ctx context.Context, pactVersionID int64, index []byte, createdAt int64) error {
	return r.exec(ctx, `INSERT INTO pact_field_usage (pact_version_id, index_json, created_at) VALUES (?, ?, ?) ON CONFLICT (pact_version_id) DO NOTHING`,
		pactVersionID, textArg(index), createdAt)
}

// indexOf never fails: a document the index cannot read at all is an index saying so, which keeps
// can-i-remove-field from answering "nobody uses it" on the strength of it.
func indexOf(content []byte) fieldusage.Index {
	ix, err := fieldusage.IndexPact(content)
	if err != nil {
		return fieldusage.Index{Interactions: []fieldusage.Interaction{}, Unread: 1, Notices: []string{err.Error()}}
	}
	return ix
}

// FieldUsageFacts returns the consumer versions of provider that f selects, each with the index
// of its pact with provider: the latest version on each consumer's main branch (or on
// f.Branch) that has a pact with it, and the versions deployed or released and supported (in
// f.Environment). An unknown provider is NotFound; an unknown environment selects nothing.
func (s *Store) FieldUsageFacts(ctx context.Context, provider string, f fieldusage.Filter) ([]fieldusage.ConsumerVersion, error) {
	r := s.read()
	p, err := r.pacticipant(ctx, provider)
	if err != nil {
		return nil, err
	}
	type key struct{ consumer, version string }
	byVersion := map[key]*fieldusage.ConsumerVersion{}
	pactOf := map[key]int64{}
	var order []key
	add := func(consumer, mainBranch, version string, pvID int64) *fieldusage.ConsumerVersion {
		k := key{consumer, version}
		cv := byVersion[k]
		if cv == nil {
			cv = &fieldusage.ConsumerVersion{Consumer: consumer, Version: version, MainBranch: mainBranch}
			byVersion[k] = cv
			pactOf[k] = pvID
			order = append(order, k)
		}
		return cv
	}
	if f.Environment == "" {
		// The head of a branch is the latest version on it that has a pact with the provider, as
		// the Pact Broker's mainBranch and branch selectors choose it: walking the branch's
		// versions newest first, one probe of pact_publications' unique key each (a join to the
		// provider's publications cost PostgreSQL 13 ms at 50 consumers × 4 pacts).
		rows, err := r.query(ctx, `
SELECT c.name, c.main_branch, b.name, v.number, pp.pact_version_id
FROM integrations i
JOIN pacticipants c ON c.id = i.consumer_id
JOIN branches b ON b.pacticipant_id = c.id AND b.name = CASE WHEN ? = '' THEN c.main_branch ELSE ? END
JOIN versions v ON v.id = (SELECT bv.version_id FROM branch_versions bv
  WHERE bv.branch_id = b.id AND EXISTS (SELECT 1 FROM pact_publications p2 WHERE p2.consumer_version_id = bv.version_id AND p2.provider_id = i.provider_id)
  ORDER BY bv.version_id DESC LIMIT 1)
JOIN pact_publications pp ON pp.consumer_version_id = v.id AND pp.provider_id = i.provider_id
WHERE i.provider_id = ?`, f.Branch, f.Branch, p.ID)
		if err != nil {
			return nil, fmt.Errorf("field usage branch heads: %w", err)
		}
		err = scanEach(rows, func(sc scanner) error {
			var consumer, mainBranch, branch, version string
			var pvID int64
			if err := sc.Scan(&consumer, &mainBranch, &branch, &version, &pvID); err != nil {
				return err
			}
			cv := add(consumer, mainBranch, version, pvID)
			cv.LatestOf = append(cv.LatestOf, branch)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("field usage branch heads: %w", err)
		}
	}
	if f.Branch == "" {
		rows, err := r.query(ctx, `
SELECT c.name, c.main_branch, e.name, v.number, pp.pact_version_id
FROM integrations i
JOIN pacticipants c ON c.id = i.consumer_id
JOIN deployed_versions d ON d.pacticipant_id = c.id AND d.undeployed_at IS NULL
JOIN environments e ON e.id = d.environment_id
JOIN versions v ON v.id = d.version_id
JOIN pact_publications pp ON pp.consumer_version_id = v.id AND pp.provider_id = i.provider_id
WHERE i.provider_id = ? AND (? = '' OR e.name = ?)
UNION ALL
SELECT c.name, c.main_branch, e.name, v.number, pp.pact_version_id
FROM integrations i
JOIN pacticipants c ON c.id = i.consumer_id
JOIN released_versions rv ON rv.pacticipant_id = c.id AND rv.support_ended_at IS NULL
JOIN environments e ON e.id = rv.environment_id
JOIN versions v ON v.id = rv.version_id
JOIN pact_publications pp ON pp.consumer_version_id = v.id AND pp.provider_id = i.provider_id
WHERE i.provider_id = ? AND (? = '' OR e.name = ?)`, p.ID, f.Environment, f.Environment, p.ID, f.Environment, f.Environment)
		if err != nil {
			return nil, fmt.Errorf("field usage environments: %w", err)
		}
		err = scanEach(rows, func(sc scanner) error {
			var consumer, mainBranch, env, version string
			var pvID int64
			if err := sc.Scan(&consumer, &mainBranch, &env, &version, &pvID); err != nil {
				return err
			}
			cv := add(consumer, mainBranch, version, pvID)
			if !slices.Contains(cv.Environments, env) {
				cv.Environments = append(cv.Environments, env)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("field usage environments: %w", err)
		}
	}
	ids := make([]int64, 0, len(order))
	for _, k := range order {
		ids = append(ids, pactOf[k])
	}
	indexes, err := s.fieldIndexes(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]fieldusage.ConsumerVersion, 0, len(order))
	for _, k := range order {
		cv := byVersion[k]
		cv.Index = indexes[pactOf[k]]
		out = append(out, *cv)
	}
	return out, nil
}

type scanner interface{ Scan(...any) error }

func scanEach(rows *sql.Rows, fn func(scanner) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// fieldIndexes returns the stored indexes of pact contents. Content never changes, so decoded
// indexes are kept in memory; a content published before the index existed (before migration
// 0005) is indexed once, here, and stored.
func (s *Store) fieldIndexes(ctx context.Context, ids []int64) (map[int64]fieldusage.Index, error) {
	out := make(map[int64]fieldusage.Index, len(ids))
	gen := s.fieldIndexCache.generation() // before reading: see indexCache.clear
	var missing []any
	for _, id := range ids {
		if ix, ok := s.fieldIndexCache.get(id); ok {
			out[id] = ix
		} else if !slices.Contains(missing, any(id)) {
			missing = append(missing, id)
		}
	}
	for len(missing) > 0 {
		batch := missing[:min(len(missing), 500)]
		missing = missing[len(batch):]
		rows, err := s.read().query(ctx, `SELECT pv.id, pv.content, fu.index_json FROM pact_versions pv
LEFT JOIN pact_field_usage fu ON fu.pact_version_id = pv.id WHERE pv.id IN (`+placeholders(len(batch))+`)`, batch...)
		if err != nil {
			return nil, fmt.Errorf("field usage indexes: %w", err)
		}
		var unindexed []int64
		contents := map[int64]string{}
		err = scanEach(rows, func(sc scanner) error {
			var id int64
			var content string
			var js sql.NullString
			if err := sc.Scan(&id, &content, &js); err != nil {
				return err
			}
			var ix fieldusage.Index
			if !js.Valid || json.Unmarshal([]byte(js.String), &ix) != nil {
				unindexed = append(unindexed, id)
				contents[id] = content
				return nil
			}
			out[id] = ix
			s.fieldIndexCache.put(gen, id, ix)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("field usage indexes: %w", err)
		}
		if len(unindexed) > 0 {
			err := s.write(ctx, func(r runner) error {
				now := r.s.ts()
				for _, id := range unindexed {
					if err := r.indexFieldUsage(ctx, id, []byte(contents[id]), now); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("index pacts published before field usage: %w", err)
			}
			for _, id := range unindexed {
				ix := indexOf([]byte(contents[id]))
				out[id] = ix
				s.fieldIndexCache.put(gen, id, ix)
			}
		}
	}
	return out, nil
}

// indexCache holds decoded indexes by pact content id; its zero value is ready. It is bounded:
// past its size it starts again, which costs one read of the indexes in use.
//
// A content id names one content only while that content exists: SQLite gives the id of a
// deleted last row to the next one. So every write that may delete contents clears the cache
// once it commits (runner.contentsMayGo), and an index read before that clear is not kept.
type indexCache struct {
	mu  sync.Mutex
	m   map[int64]fieldusage.Index
	gen uint64
}

const indexCacheSize = 5000

func (c *indexCache) get(id int64) (fieldusage.Index, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ix, ok := c.m[id]
	return ix, ok
}

// generation is taken before reading indexes from the database and given back to put.
func (c *indexCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps ix unless the cache was cleared since gen was taken: the index may then have
// been read from a content deleted since.
func (c *indexCache) put(gen uint64, id int64, ix fieldusage.Index) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= indexCacheSize {
		c.m = map[int64]fieldusage.Index{}
	}
	c.m[id] = ix
}

func (c *indexCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

// contentsMayGo notes that the write may delete pact contents, whose ids SQLite may then
// give to new ones: the field index cache is cleared when it commits.
func (r runner) contentsMayGo() { r.afterCommit(r.s.fieldIndexCache.clear) }

// RecordRouteCoverage stores the route coverage a provider version publishes (replacing an
// earlier one of the same version: the latest run describes it).
func (s *Store) RecordRouteCoverage(ctx context.Context, provider, version string, coverage json.RawMessage) error {
	return s.write(ctx, func(r runner) error {
		var providerID, versionID int64
		err := r.row(ctx, `SELECT p.id, v.id FROM pacticipants p JOIN versions v ON v.pacticipant_id = p.id WHERE p.name = ? AND v.number = ?`,
			provider, version).Scan(&providerID, &versionID)
		if err != nil {
			return notFound(err, "no version %s of %q; publish its verification results first", version, provider)
		}
		return r.exec(ctx, `INSERT INTO route_coverage (provider_version_id, provider_id, coverage, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (provider_version_id) DO UPDATE SET coverage = excluded.coverage, created_at = excluded.created_at`,
			versionID, providerID, string(coverage), r.s.ts())
	})
}

// RouteCoverage returns the route coverage a provider version published, or NotFound.
func (s *Store) RouteCoverage(ctx context.Context, provider, version string) (json.RawMessage, error) {
	var js string
	err := s.read().row(ctx, `SELECT rc.coverage FROM route_coverage rc JOIN versions v ON v.id = rc.provider_version_id
JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name = ? AND v.number = ?`, provider, version).Scan(&js)
	if err != nil {
		return nil, notFound(err, "version %s of %q published no route coverage", version, provider)
	}
	return json.RawMessage(js), nil
}

// LatestRoutes returns the routes of the provider's latest published route coverage, the path
// templates its field usage is grouped under; nil when it published none.
func (s *Store) LatestRoutes(ctx context.Context, provider string) ([]string, error) {
	var js string
	err := s.read().row(ctx, `SELECT rc.coverage FROM route_coverage rc JOIN pacticipants p ON p.id = rc.provider_id
WHERE p.name = ? ORDER BY rc.provider_version_id DESC LIMIT 1`, provider).Scan(&js)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest routes: %w", err)
	}
	var c struct {
		Routes   []string `json:"routes"`
		Unlisted []string `json:"unlisted"`
	}
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		return nil, nil // coverage is stored as the client sent it; routes are a help, not a must
	}
	return append(c.Routes, c.Unlisted...), nil
}

var _ broker.FieldUsage = (*Store)(nil)

// RouteCoverages returns the route coverage of provider's newest versions that published one,
// newest first, at most limit.
func (s *Store) RouteCoverages(ctx context.Context, provider string, limit int) ([]broker.StoredRouteCoverage, error) {
	r := s.read()
	p, err := r.pacticipant(ctx, provider)
	if err != nil {
		return nil, err
	}
	rows, err := r.query(ctx, `SELECT v.number, rc.coverage, rc.created_at FROM route_coverage rc JOIN versions v ON v.id = rc.provider_version_id
WHERE rc.provider_id = ? ORDER BY rc.provider_version_id DESC LIMIT ?`, p.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("route coverages: %w", err)
	}
	var out []broker.StoredRouteCoverage
	err = scanEach(rows, func(sc scanner) error {
		var c broker.StoredRouteCoverage
		var js string
		var at int64
		if err := sc.Scan(&c.ProviderVersion, &js, &at); err != nil {
			return err
		}
		c.Coverage, c.CreatedAt = json.RawMessage(js), fromTS(at)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("route coverages: %w", err)
	}
	return out, nil
}

// LatestDeclaredOperations returns the operations the provider's newest contract declares. A
// contract's content never changes, so it is parsed once per content (the parse costs more
// than the rest of a usage question).
func (s *Store) LatestDeclaredOperations(ctx context.Context, provider string) (broker.DeclaredOperations, error) {
	pc, err := s.LatestProviderContract(ctx, provider)
	if err != nil {
		return broker.DeclaredOperations{}, err
	}
	if d, ok := s.declaredCache.get(pc.SHA); ok {
		d.ProviderVersion = pc.ProviderVersion
		return d, nil
	}
	d := broker.ReadDeclaredOperations(pc)
	s.declaredCache.put(pc.SHA, d)
	return d, nil
}

// declaredCache holds declared operations by contract content SHA; its zero value is ready.
type declaredCache struct {
	mu sync.Mutex
	m  map[string]broker.DeclaredOperations
}

func (c *declaredCache) get(sha string) (broker.DeclaredOperations, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.m[sha]
	return d, ok
}

func (c *declaredCache) put(sha string, d broker.DeclaredOperations) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= 100 {
		c.m = map[string]broker.DeclaredOperations{}
	}
	c.m[sha] = d
}
