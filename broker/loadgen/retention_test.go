package loadgen_test

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/matrix/matrixtest"
	"github.com/accord-cdc/accord/broker/retention"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// protectedSQL finds, independently of retention.Decide, the versions the
// test's keep selectors ([{"tag": "prod"}, {"branch": true, "latest":
// true}]) and the guards protect.
const protectedSQL = `SELECT id FROM versions v WHERE
	EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.name = 'prod')
	OR EXISTS (SELECT 1 FROM branch_versions bv WHERE bv.version_id = v.id AND bv.version_id = (SELECT MAX(h.version_id) FROM branch_versions h WHERE h.branch_id = bv.branch_id))
	OR EXISTS (SELECT 1 FROM deployed_versions d WHERE d.version_id = v.id AND d.undeployed_at IS NULL)
	OR EXISTS (SELECT 1 FROM released_versions r WHERE r.version_id = v.id AND r.support_ended_at IS NULL)`

// orphanSQL counts rows left pointing at nothing, or content nothing uses.
var orphanSQL = map[string]string{
	"unreferenced pact contents": `SELECT COUNT(*) FROM pact_versions pv WHERE NOT EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.pact_version_id = pv.id) AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.pact_version_id = pv.id)`,
	"publications":               `SELECT COUNT(*) FROM pact_publications pp WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = pp.consumer_version_id) OR NOT EXISTS (SELECT 1 FROM pact_versions pv WHERE pv.id = pp.pact_version_id)`,
	"verifications":              `SELECT COUNT(*) FROM verifications x WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = x.provider_version_id) OR NOT EXISTS (SELECT 1 FROM pact_versions pv WHERE pv.id = x.pact_version_id)`,
	"tags":                       `SELECT COUNT(*) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = t.version_id)`,
	"branch versions":            `SELECT COUNT(*) FROM branch_versions bv WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = bv.version_id)`,
	"deployments":                `SELECT COUNT(*) FROM deployed_versions d WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = d.version_id)`,
	"releases":                   `SELECT COUNT(*) FROM released_versions r WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = r.version_id)`,
}

type deployedQuestion struct{ pacticipant, version, env string }

func deployedQuestions(t *testing.T, s *sqlstore.Store) []deployedQuestion {
	rows, err := s.DB().QueryContext(t.Context(), `SELECT p.name, v.number, e.name FROM deployed_versions d
		JOIN versions v ON v.id = d.version_id JOIN pacticipants p ON p.id = v.pacticipant_id JOIN environments e ON e.id = d.environment_id
		WHERE d.undeployed_at IS NULL ORDER BY p.name, v.number, e.name`)
	require.NoError(t, err)
	defer rows.Close()
	var out []deployedQuestion
	for rows.Next() {
		var q deployedQuestion
		require.NoError(t, rows.Scan(&q.pacticipant, &q.version, &q.env))
		out = append(out, q)
	}
	require.NoError(t, rows.Err())
	return out
}

// canIDeployAnswers answers can-i-deploy for every deployed version to its
// environment: retention must not change one of them.
func canIDeployAnswers(t *testing.T, s *sqlstore.Store, qs []deployedQuestion) []string {
	var out []string
	for _, q := range qs {
		mq, err := matrix.ParseCanIDeploy(fmt.Sprintf("pacticipant=%s&version=%s&environment=%s", q.pacticipant, q.version, q.env))
		require.NoError(t, err)
		res, err := matrix.Decide(t.Context(), s.MatrixFacts(), mq)
		require.NoError(t, err)
		out = append(out, fmt.Sprintf("%v %v %s %v", q, deref(res.Summary.Deployable), res.Summary.Reason, matrixtest.RowStrings(res.Rows)))
	}
	return out
}

func deref(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return fmt.Sprint(*b)
}

func count(t *testing.T, s *sqlstore.Store, q string) int {
	t.Helper()
	var n int
	require.NoError(t, s.DB().QueryRowContext(t.Context(), q).Scan(&n))
	return n
}

func ids(t *testing.T, s *sqlstore.Store, q string) map[int64]bool {
	rows, err := s.DB().QueryContext(t.Context(), q)
	require.NoError(t, err)
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		out[id] = true
	}
	require.NoError(t, rows.Err())
	return out
}

// Retention on a loaded broker: a dry run deletes nothing; a clean deletes
// exactly the unprotected versions in batches, leaves no orphan rows, and
// every can-i-deploy answer for a deployed version stays the same.
func TestRetentionOnLoadedBroker(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := open(t, backend)
			_, err := loadgen.Load(t.Context(), s, matrix.Synthetic(matrix.Scale{Pacticipants: 21, Versions: 2100, Verifications: 6000, ProvidersEach: 2, Seed: 7}))
			require.NoError(t, err)
			keep, err := retention.ParseSelectors([]byte(`[{"tag": "prod"}, {"branch": true, "latest": true}]`))
			require.NoError(t, err)
			cfg := retention.Config{Keep: keep, DeletionLimit: 1_000_000, OverwrittenMaxAge: 7 * 24 * time.Hour, DryRun: true}
			c := &retention.Cleaner{Store: s, Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BatchSize: 250,
				Now: func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }}

			protected := ids(t, s, protectedSQL)
			all := ids(t, s, `SELECT id FROM versions`)
			require.Greater(t, len(all)-len(protected), 1000, "the load must leave plenty to delete")
			questions := deployedQuestions(t, s)
			require.NotEmpty(t, questions)
			before := canIDeployAnswers(t, s, questions)

			rep, err := c.Run(t.Context())
			require.NoError(t, err)
			assert.Equal(t, len(all)-len(protected), len(rep.Plan.Delete), "dry run plans the unprotected versions")
			assert.Equal(t, len(all), count(t, s, `SELECT COUNT(*) FROM versions`), "a dry run deletes nothing")

			unlock, ok, err := s.CleanLock(t.Context())
			require.NoError(t, err)
			require.True(t, ok)
			rep, err = c.Run(t.Context())
			require.NoError(t, err)
			assert.True(t, rep.Skipped, "a second cleaner waits its turn")
			unlock()

			c.Config.DryRun = false
			rep, err = c.Run(t.Context())
			require.NoError(t, err)
			left := ids(t, s, `SELECT id FROM versions`)
			assert.Equal(t, protected, left, "exactly the protected versions remain")
			for what, q := range orphanSQL {
				assert.Zero(t, count(t, s, q), "orphan %s", what)
			}
			assert.Equal(t, before, canIDeployAnswers(t, s, questions), "can-i-deploy answers for deployed versions")

			rep, err = c.Run(t.Context())
			require.NoError(t, err)
			assert.Empty(t, rep.Plan.Delete, "a second clean finds nothing more")
		})
	}
}

// BenchmarkRetentionCleanReaders: a clean of matrix.LargeScale (200
// applications, 200,000 versions, 1,000,000 verification results; loaded
// fresh, a minute or two per backend) with the official default keep
// selectors and a deletion limit of 20,000 versions, while 4 readers ask
// can-i-deploy for deployed versions and look versions up. It reports the
// readers' p99 during the clean (goal: at most 50 ms, no errors) beside
// their p99 before it, on the same machine and load:
//
//	go test ./broker/loadgen -run '^$' -bench RetentionCleanReaders -benchtime 1x -timeout 30m
func BenchmarkRetentionCleanReaders(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := open(b, backend)
			start := time.Now()
			_, err := loadgen.Load(b.Context(), s, matrix.Synthetic(matrix.LargeScale))
			require.NoError(b, err)
			b.Logf("loaded in %s", time.Since(start).Round(time.Second))
			sc := matrix.LargeScale
			perApp := sc.Versions / sc.Pacticipants
			read := func(i int) error {
				if i%2 == 0 {
					_, err := matrix.Decide(b.Context(), s.MatrixFacts(), loadgen.CanIDeployQuery(sc, i))
					return err
				}
				_, err := s.GetVersion(b.Context(), fmt.Sprintf("app-%03d", i%sc.Pacticipants), fmt.Sprintf("1.%d.0", (i*7919)%perApp))
				if err != nil && broker.IsNotFound(err) {
					return nil // the clean deleted it
				}
				return err
			}
			baseline := readLatencies(b, read, func(stop <-chan struct{}) { <-time.After(5 * time.Second) })
			cfg := retention.Config{Keep: retention.DefaultKeep(), DeletionLimit: 20_000, OverwrittenMaxAge: 7 * 24 * time.Hour}
			c := &retention.Cleaner{Store: s, Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Now: func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }}
			var rep retention.Report
			var took time.Duration
			during := readLatencies(b, read, func(<-chan struct{}) {
				t0 := time.Now()
				rep, err = c.Run(b.Context())
				took = time.Since(t0)
			})
			require.NoError(b, err)
			b.ReportMetric(float64(len(rep.Plan.Delete)), "versions-deleted")
			b.ReportMetric(took.Seconds(), "clean-s")
			b.ReportMetric(ms(baseline.p99), "p99-ms-before")
			b.ReportMetric(ms(during.p99), "p99-ms-during")
			b.ReportMetric(float64(during.errors), "reader-errors")
			b.Logf("%s: clean deleted %d versions, %d verification results in %s; readers p99 %.1f ms during (%d reads, %d errors), %.1f ms before",
				backend, len(rep.Plan.Delete), len(rep.Verifications), took.Round(time.Millisecond), ms(during.p99), during.n, during.errors, ms(baseline.p99))
			if during.errors > 0 {
				b.Errorf("%d reader errors during the clean, first: %v", during.errors, during.first)
			}
			if during.p99 > 50*time.Millisecond {
				b.Errorf("readers' p99 %.1f ms during the clean is over the 50 ms goal", ms(during.p99))
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type latencies struct {
	p99       time.Duration
	n, errors int
	first     error
}

// readLatencies runs 4 readers while work runs, and measures them.
func readLatencies(b *testing.B, read func(int) error, work func(stop <-chan struct{})) latencies {
	stop := make(chan struct{})
	type result struct {
		ds   []time.Duration
		errs []error
	}
	results := make(chan result)
	for r := range 4 {
		go func() {
			var res result
			for i := r; ; i += 4 {
				select {
				case <-stop:
					results <- res
					return
				default:
				}
				t0 := time.Now()
				if err := read(i); err != nil {
					res.errs = append(res.errs, err)
				}
				res.ds = append(res.ds, time.Since(t0))
			}
		}()
	}
	work(stop)
	close(stop)
	var all []time.Duration
	var l latencies
	for range 4 {
		res := <-results
		all = append(all, res.ds...)
		l.errors += len(res.errs)
		if l.first == nil && len(res.errs) > 0 {
			l.first = res.errs[0]
		}
	}
	slices.Sort(all)
	l.n = len(all)
	if len(all) > 0 {
		l.p99 = all[min(len(all)-1, len(all)*99/100)]
	}
	return l
}
