package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// LoadSynthetic writes matrix.Synthetic(sc) into s, which must be empty:
// the same rows, ids included, as Load(ctx, s, matrix.Synthetic(sc))
// (TestLoadSyntheticWritesWhatLoadWrites compares every table), but each
// row is computed as it is written instead of first building the Data, so
// memory stays bounded at any scale (the 10x Data alone would take
// gigabytes). On PostgreSQL every big table is one COPY, and the indexes,
// keys and foreign keys are created after the rows (deferIndexes), all in
// one transaction: a failed load leaves the database empty.
//
// The ids follow from Synthetic's shape: application i is id i+1; version n
// of application i is id n*P+i+1 (versions are made round-robin); each
// version of a consumer publishes to its providers in one fixed order, the
// R (consumer, provider) pairs of a block, so publication j of version n is
// id n*R+j+1, and the content, new every fifth version, is id (n/5)*R+j+1.
func LoadSynthetic(ctx context.Context, s *sqlstore.Store, sc matrix.Scale) (Stats, error) {
	start := time.Now()
	if sc.Pacticipants < 1 || sc.Versions < 0 || sc.Verifications < 0 {
		return Stats{}, fmt.Errorf("load: a scale needs at least one application, got %+v", sc)
	}
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM pacticipants`).Scan(&n); err != nil {
		return Stats{}, fmt.Errorf("load: %w", err)
	}
	if n > 0 {
		return Stats{}, errors.New("load: the database already has pacticipants; load into a new, empty database")
	}
	return writeAll(ctx, s, start, func(w *writer) (Stats, error) { return writeSynthetic(ctx, w, sc) })
}

// synth is matrix.Synthetic's shape, computed instead of stored.
type synth struct {
	P, perApp int
	pairs     [][2]int // the R (consumer, provider) pairs of a block, in publication order
	base      int64    // ts of the first version
}

func newSynth(sc matrix.Scale) synth {
	g := synth{P: sc.Pacticipants, perApp: max(sc.Versions/max(sc.Pacticipants, 1), 1),
		base: ts(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))}
	for i := 0; i < g.P; i++ {
		for k := 1; k <= sc.ProvidersEach && i+k*7 < g.P; k++ {
			g.pairs = append(g.pairs, [2]int{i, i + k*7})
		}
	}
	return g
}

func synthApp(i int) string { return fmt.Sprintf("app-%03d", i) }

func (g synth) versionID(n, app int) int64 { return int64(n*g.P + app + 1) }
func (g synth) created(n, app int) int64 {
	return g.base + int64(n*g.P+app)*int64(time.Second/time.Microsecond)
}
func (g synth) contentID(n, j int) int64 { return int64((n/5)*len(g.pairs) + j + 1) }
func number(n int) string                { return "1." + strconv.Itoa(n) + ".0" }

func writeSynthetic(ctx context.Context, w *writer, sc matrix.Scale) (Stats, error) {
	g := newSynth(sc)
	P, R := g.P, len(g.pairs)
	now := ts(clock())
	var st Stats
	recreate, err := w.deferIndexes(ctx)
	if err != nil {
		return st, err
	}
	if w.dialect == sqlstore.Postgres {
		// Index builds sort in memory rather than on disk.
		if err := w.exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
			return st, err
		}
	}
	l := &loader{apps: map[string]int64{}, mains: map[string]string{}, versions: map[key2]int64{}, envs: map[string]int64{}}
	for i := range P {
		l.app(synthApp(i))
		w.add("pacticipants", []any{int64(i + 1), synthApp(i), "main", now, now})
	}
	st.Pacticipants = P
	for _, e := range []string{"production", "test"} {
		l.envs[e] = int64(len(l.envs) + 1)
		w.add("environments", []any{l.envs[e], fmt.Sprintf("00000000-0000-4000-8000-%012d", l.envs[e]), e, e, e == "production", now, now})
	}
	for _, t := range []string{"pacticipants", "environments"} {
		if err := w.flush(ctx, t); err != nil {
			return st, err
		}
	}

	// Versions, round-robin over the applications; their branches (main,
	// and a feature branch of its own for every seventh) and tags.
	var n, i int
	each := func(body func(row []any)) func(row []any) bool {
		n, i = 0, 0
		return func(row []any) bool {
			if n >= g.perApp {
				return false
			}
			body(row)
			if i++; i == P {
				n, i = n+1, 0
			}
			return true
		}
	}
	if st.Versions, err = w.stream(ctx, "versions", each(func(row []any) {
		c := g.created(n, i)
		row[0], row[1], row[2], row[3], row[4] = g.versionID(n, i), int64(i+1), number(n), c, c
	})); err != nil {
		return st, err
	}
	feature := func(n int) bool { return n%7 == 3 }
	// Branch ids in order of first mention: main of every application
	// (1..P), then one feature branch per application and seventh version.
	branchID := func(n, i int) int64 {
		if !feature(n) {
			return int64(i + 1)
		}
		return int64(P + (n+3)/7*P + i + 1)
	}
	n, i = 0, 0
	if _, err := w.stream(ctx, "branches", func(row []any) bool {
		for n > 0 && !feature(n) && n < g.perApp {
			n, i = n+1, 0 // only new branches: skip to the next feature version
		}
		if n >= g.perApp {
			return false
		}
		name := "main"
		if feature(n) {
			name = "feat-" + strconv.Itoa(n)
		}
		row[0], row[1], row[2], row[3] = branchID(n, i), int64(i+1), name, g.created(n, i)
		if i++; i == P {
			n, i = n+1, 0
		}
		return true
	}); err != nil {
		return st, err
	}
	if _, err := w.stream(ctx, "branch_versions", each(func(row []any) {
		row[0], row[1], row[2] = branchID(n, i), g.versionID(n, i), g.created(n, i)
	})); err != nil {
		return st, err
	}
	n, i = 0, 0
	if _, err := w.stream(ctx, "tags", func(row []any) bool {
		if n >= g.perApp {
			return false
		}
		row[0], row[1], row[2], row[3] = g.versionID(n, i), "prod", int64(i+1), g.created(n, i)
		if i++; i == P {
			n, i = n+50, 0
		}
		return true
	}); err != nil {
		return st, err
	}

	// Contents (new every fifth version), publications, integrations.
	if R > 0 {
		n, i = 0, 0 // i is the pair j here
		if st.Contents, err = w.stream(ctx, "pact_versions", func(row []any) bool {
			if n >= g.perApp {
				return false
			}
			p := g.pairs[i]
			sha := "sha-" + strconv.Itoa(p[0]) + "-" + strconv.Itoa(p[1]) + "-" + strconv.Itoa(n/5)
			row[0], row[1], row[2], row[3] = g.contentID(n, i), int64(p[0]+1), int64(p[1]+1), sha
			row[4], row[5] = emptyPactFast(synthApp(p[0]), synthApp(p[1]), sha), g.created(n, p[0])
			if i++; i == R {
				n, i = n+5, 0
			}
			return true
		}); err != nil {
			return st, err
		}
		n, i = 0, 0
		if st.Pacts, err = w.stream(ctx, "pact_publications", func(row []any) bool {
			if n >= g.perApp {
				return false
			}
			p := g.pairs[i]
			c := g.created(n, p[0])
			row[0], row[1], row[2], row[3] = int64(n*R+i+1), int64(p[0]+1), int64(p[1]+1), g.versionID(n, p[0])
			row[4], row[5], row[6] = g.contentID(n, i), c, c
			if i++; i == R {
				n, i = n+1, 0
			}
			return true
		}); err != nil {
			return st, err
		}
		for _, p := range g.pairs {
			w.add("integrations", []any{int64(p[0] + 1), int64(p[1] + 1), g.created(0, p[0])})
		}
		if err := w.flush(ctx, "integrations"); err != nil {
			return st, err
		}
		// Results draw from the same generator, in the same order, as
		// matrix.Synthetic: a publication, a provider version up to two
		// later, a 10% failure.
		rng := rand.New(rand.NewPCG(sc.Seed, sc.Seed^0x5eed))
		k := 0
		at := ts(time.Time{})
		if st.Verifications, err = w.stream(ctx, "verifications", func(row []any) bool {
			if k >= sc.Verifications {
				return false
			}
			x := rng.IntN(g.perApp * R)
			n, j := x/R, x%R
			p := g.pairs[j]
			pn := min(n+rng.IntN(3), g.perApp-1)
			row[0], row[1], row[2], row[3] = int64(k+1), g.contentID(n, j), int64(p[0]+1), int64(p[1]+1)
			row[4], row[5], row[6] = g.versionID(pn, p[1]), rng.IntN(10) != 0, at
			k++
			return true
		}); err != nil {
			return st, err
		}
	}

	// Deployments and releases: a few per application, through Load's
	// replay.
	var deps []matrix.Deployment
	var rels []matrix.Release
	for i := range P {
		newest := g.perApp - 1
		for _, dep := range []struct {
			env, instance string
			n             int
		}{{"production", "blue", newest - 10}, {"production", "green", newest - 12}, {"test", "", newest - 1}} {
			if dep.n >= 0 {
				deps = append(deps, matrix.Deployment{Pacticipant: synthApp(i), Version: number(dep.n), Environment: dep.env, ApplicationInstance: dep.instance})
				l.versions[key2{synthApp(i), number(dep.n)}] = g.versionID(dep.n, i)
			}
		}
		if i%10 == 0 {
			for _, n := range []int{newest - 20, newest - 30} {
				if n >= 0 {
					rels = append(rels, matrix.Release{Pacticipant: synthApp(i), Version: number(n), Environment: "production"})
					l.versions[key2{synthApp(i), number(n)}] = g.versionID(n, i)
				}
			}
		}
	}
	if err := l.writeEnvFacts(ctx, w, deps, rels, now, &st); err != nil {
		return st, err
	}
	if err := w.fixSequences(ctx); err != nil {
		return st, err
	}
	return st, w.exec(ctx, recreate...)
}

// emptyPactFast is emptyPact for names and shas that need no JSON escaping
// (the generated ones), without encoding/json.
func emptyPactFast(consumer, provider, sha string) string {
	return `{"consumer":{"name":"` + consumer + `"},"interactions":[{"description":"` + sha + `","request":{"method":"GET","path":"/` + sha +
		`"},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"3.0.0"}},"provider":{"name":"` + provider + `"}}`
}
