package loadgen_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
	"github.com/accord-cdc/accord/broker/storetest"
)

// protectedSQL finds, independently of retention.Decide, the versions the
// test's keep selectors ([{"tag": "prod"}, {"branch": true, "latest":
// true}]) and the guards protect.
const protectedSQL = `SELECT id FROM versions v WHERE
	EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.name = 'prod')
	OR EXISTS (SELECT 1 FROM branch_versions bv WHERE bv.version_id = v.id AND bv.version_id = (SELECT MAX(h.version_id) FROM branch_versions h WHERE h.branch_id = bv.branch_id))
	OR EXISTS (SELECT 1 FROM deployed_versions d WHERE d.version_id = v.id AND d.undeployed_at IS NULL)
	OR EXISTS (SELECT 1 FROM released_versions r WHERE r.version_id = v.id AND r.support_ended_at IS NULL)`

// triggerWebhooks publishes four pacts of app-000 (tagged prod, so kept)
// that trigger a webhook, delivers the first three and leaves the last
// pending, and returns the triggered webhooks' ids, oldest first.
func triggerWebhooks(t *testing.T, s *sqlstore.Store) []int64 {
	ctx := t.Context()
	var provider string
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT p.name FROM pact_publications pp JOIN pacticipants c ON c.id = pp.consumer_id
		JOIN pacticipants p ON p.id = pp.provider_id WHERE c.name = 'app-000' LIMIT 1`).Scan(&provider))
	_, err := s.CreateWebhook(ctx, broker.Webhook{Description: "build", Consumer: &broker.WebhookPacticipant{Name: "app-000"},
		Provider: &broker.WebhookPacticipant{Name: provider}, Enabled: true, Events: []string{broker.EventContractPublished},
		Request: broker.WebhookRequest{Method: "POST", URL: "https://ci.example/hook"}})
	require.NoError(t, err)
	for i := range 4 {
		_, err := s.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "app-000", Version: fmt.Sprintf("9.%d.0", i), Tags: []string{"prod"},
			Contracts: []broker.Contract{{ConsumerName: "app-000", ProviderName: provider, Content: storetest.PactJSON("app-000", provider, fmt.Sprintf("call %d", i))}}})
		require.NoError(t, err)
		if i == 3 {
			break // left pending
		}
		claimed, err := s.ClaimDeliveries(ctx, "test", time.Minute, 10)
		require.NoError(t, err)
		require.Len(t, claimed, 1)
		held, err := s.FinishDelivery(ctx, "test", claimed[0].ID, broker.DeliveryOutcome{Success: true, Logs: "200 OK"})
		require.NoError(t, err)
		require.True(t, held)
	}
	return sortedKeys(ids(t, s, `SELECT id FROM triggered_webhooks`))
}

func sortedKeys(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// orphanSQL counts rows left pointing at nothing, or content nothing uses.
var orphanSQL = map[string]string{
	"unreferenced pact contents": `SELECT COUNT(*) FROM pact_versions pv WHERE NOT EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.pact_version_id = pv.id) AND NOT EXISTS (SELECT 1 FROM verifications v WHERE v.pact_version_id = pv.id)`,
	"publications":               `SELECT COUNT(*) FROM pact_publications pp WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = pp.consumer_version_id) OR NOT EXISTS (SELECT 1 FROM pact_versions pv WHERE pv.id = pp.pact_version_id)`,
	"verifications":              `SELECT COUNT(*) FROM verifications x WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = x.provider_version_id) OR NOT EXISTS (SELECT 1 FROM pact_versions pv WHERE pv.id = x.pact_version_id)`,
	"tags":                       `SELECT COUNT(*) FROM tags t WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = t.version_id)`,
	"branch versions":            `SELECT COUNT(*) FROM branch_versions bv WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = bv.version_id)`,
	"deployments":                `SELECT COUNT(*) FROM deployed_versions d WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = d.version_id)`,
	"releases":                   `SELECT COUNT(*) FROM released_versions r WHERE NOT EXISTS (SELECT 1 FROM versions v WHERE v.id = r.version_id)`,
	"webhook executions":         `SELECT COUNT(*) FROM webhook_executions x WHERE NOT EXISTS (SELECT 1 FROM triggered_webhooks tw WHERE tw.id = x.triggered_webhook_id)`,
	"triggered webhooks":         `SELECT COUNT(*) FROM triggered_webhooks tw WHERE tw.pact_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pact_versions pv WHERE pv.id = tw.pact_version_id)`,
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

			triggered := triggerWebhooks(t, s)
			require.Len(t, triggered, 4)
			require.Equal(t, 3, count(t, s, `SELECT COUNT(*) FROM webhook_executions`))
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
			assert.Equal(t, triggered[3:], sortedKeys(ids(t, s, `SELECT id FROM triggered_webhooks`)), "old delivery logs age out; the latest for the webhook and pair stays")
			assert.Zero(t, count(t, s, `SELECT COUNT(*) FROM webhook_executions`), "their attempts go with them")

			rep, err = c.Run(t.Context())
			require.NoError(t, err)
			assert.Empty(t, rep.Plan.Delete, "a second clean finds nothing more")
		})
	}
}

// BenchmarkRetentionCleanReaders: a clean of matrix.LargeScale (200
// applications, 200,000 versions, 1,000,000 verification results; loaded
// fresh, a few minutes per backend) with the official default keep
// selectors and a deletion limit of 20,000 versions, while 4 readers ask
// can-i-deploy for deployed versions and look versions up. It reports the
// readers' p99 during the clean (goal: at most 50 ms, no errors) beside
// their p99 before it, on the same machine and load, and the p99 of the
// two phases of the clean: planning (reading the facts) and deleting.
//
//	go test ./broker/loadgen -run '^$' -bench RetentionCleanReaders -benchtime 1x -timeout 30m
//
// ACCORD_RETENTION_SQLITE_TEMPLATE=/path/large.sqlite3 keeps the loaded
// SQLite database there and copies it for later runs (the clean changes
// its copy), so a run takes seconds to set up instead of minutes.
func BenchmarkRetentionCleanReaders(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := loadedForClean(b, backend)
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
			planned := &planClock{}
			c := &retention.Cleaner{Store: s, Config: cfg, Log: slog.New(planned),
				Now: func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }}
			var rep retention.Report
			var err error
			var took time.Duration
			during := readLatencies(b, read, func(<-chan struct{}) {
				t0 := time.Now()
				rep, err = c.Run(b.Context())
				took = time.Since(t0)
			})
			require.NoError(b, err)
			planning, deleting := during.split(planned.at())
			b.ReportMetric(float64(len(rep.Plan.Delete)), "versions-deleted")
			b.ReportMetric(took.Seconds(), "clean-s")
			b.ReportMetric(ms(baseline.p99), "p99-ms-before")
			b.ReportMetric(ms(during.p99), "p99-ms-during")
			b.ReportMetric(float64(during.errors), "reader-errors")
			b.Logf("%s: clean deleted %d versions, %d verification results in %s (planning %s); readers p99 %.1f ms during (%d reads, %d errors; %.1f ms while planning, %.1f ms while deleting), %.1f ms before (%d reads)",
				backend, len(rep.Plan.Delete), len(rep.Verifications), took.Round(time.Millisecond), planned.at().Sub(during.start).Round(time.Millisecond),
				ms(during.p99), during.n, during.errors, ms(planning), ms(deleting), ms(baseline.p99), baseline.n)
			if during.errors > 0 {
				b.Errorf("%d reader errors during the clean, first: %v", during.errors, during.first)
			}
			if during.p99 > 50*time.Millisecond {
				b.Errorf("readers' p99 %.1f ms during the clean is over the 50 ms goal", ms(during.p99))
			}
		})
	}
}

// loadedForClean returns a store loaded with matrix.LargeScale.
func loadedForClean(b *testing.B, backend string) *sqlstore.Store {
	tmpl := os.Getenv("ACCORD_RETENTION_SQLITE_TEMPLATE")
	if backend == "sqlite" && tmpl != "" {
		if _, err := os.Stat(tmpl); err == nil {
			dst := filepath.Join(b.TempDir(), "broker.sqlite3")
			copyFile(b, tmpl, dst)
			s, err := sqlstore.Open(b.Context(), "sqlite://"+dst, nil)
			require.NoError(b, err)
			b.Cleanup(func() { s.Close() })
			return s
		}
	}
	s := open(b, backend)
	start := time.Now()
	_, err := loadgen.Load(b.Context(), s, matrix.Synthetic(matrix.LargeScale))
	require.NoError(b, err)
	b.Logf("loaded in %s", time.Since(start).Round(time.Second))
	if backend == "sqlite" && tmpl != "" {
		_, err := s.DB().ExecContext(b.Context(), `VACUUM INTO ?`, tmpl)
		require.NoError(b, err)
	}
	return s
}

func copyFile(b *testing.B, src, dst string) {
	in, err := os.Open(src)
	require.NoError(b, err)
	defer in.Close()
	out, err := os.Create(dst)
	require.NoError(b, err)
	_, err = io.Copy(out, in)
	require.NoError(b, err)
	require.NoError(b, out.Close())
}

// planClock is a log handler that notes when the cleaner logged its plan:
// the end of planning and the start of deleting.
type planClock struct {
	mu sync.Mutex
	t  time.Time
}

func (p *planClock) Enabled(context.Context, slog.Level) bool { return true }
func (p *planClock) WithAttrs([]slog.Attr) slog.Handler       { return p }
func (p *planClock) WithGroup(string) slog.Handler            { return p }
func (p *planClock) Handle(_ context.Context, r slog.Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.t.IsZero() && strings.Contains(r.Message, "clean plan") {
		p.t = r.Time
	}
	return nil
}

func (p *planClock) at() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.t
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type latencies struct {
	p99       time.Duration
	n, errors int
	first     error
	start     time.Time
	samples   []timed
}

type timed struct {
	at time.Time
	d  time.Duration
}

// split returns the p99 of the reads that started before t and after it.
func (l latencies) split(t time.Time) (before, after time.Duration) {
	var a, b []time.Duration
	for _, s := range l.samples {
		if s.at.Before(t) {
			a = append(a, s.d)
		} else {
			b = append(b, s.d)
		}
	}
	return p99(a), p99(b)
}

func p99(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*99/100)]
}

// readLatencies runs 4 readers while work runs, and measures them.
func readLatencies(b *testing.B, read func(int) error, work func(stop <-chan struct{})) latencies {
	stop := make(chan struct{})
	type result struct {
		ds   []timed
		errs []error
	}
	results := make(chan result)
	l := latencies{start: time.Now()}
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
				res.ds = append(res.ds, timed{t0, time.Since(t0)})
			}
		}()
	}
	work(stop)
	close(stop)
	var all []time.Duration
	for range 4 {
		res := <-results
		for _, s := range res.ds {
			all = append(all, s.d)
		}
		l.samples = append(l.samples, res.ds...)
		l.errors += len(res.errs)
		if l.first == nil && len(res.errs) > 0 {
			l.first = res.errs[0]
		}
	}
	l.n = len(all)
	l.p99 = p99(all)
	return l
}
