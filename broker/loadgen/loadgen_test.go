package loadgen_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/matrix/matrixtest"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

var pg storetest.SharedPostgres

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range large {
		s.Close()
	}
	pg.Stop()
	os.Exit(code)
}

func open(tb testing.TB, backend string) *sqlstore.Store {
	tb.Helper()
	u := "sqlite://" + filepath.Join(tb.TempDir(), "broker.sqlite3")
	if backend == "postgres" {
		u = pg.Database(tb)
	}
	s, err := sqlstore.Open(context.Background(), u, nil)
	require.NoError(tb, err)
	tb.Cleanup(func() { s.Close() })
	return s
}

// A small generated broker loaded into SQLite answers every question the
// benchmarks ask exactly as the in-memory reference does.
func TestLoadedStoreDecidesLikeMemory(t *testing.T) {
	sc := matrix.Scale{Pacticipants: 20, Versions: 600, Verifications: 3000, ProvidersEach: 2, Seed: 3}
	d := matrix.Synthetic(sc)
	s := open(t, "sqlite")
	st, err := loadgen.Load(t.Context(), s, d)
	require.NoError(t, err)
	assert.Equal(t, 600, st.Versions)
	assert.Equal(t, 3000, st.Verifications)
	ref, err := matrix.NewMemory(d)
	require.NoError(t, err)
	_, err = loadgen.Load(t.Context(), s, d)
	require.ErrorContains(t, err, "empty database", "loading twice must be refused")

	for i := range 40 {
		q := loadgen.CanIDeployQuery(sc, i)
		got, err := matrix.Decide(t.Context(), s.MatrixFacts(), q)
		require.NoError(t, err)
		want, err := matrix.Decide(t.Context(), ref, q)
		require.NoError(t, err)
		assert.Equal(t, matrixtest.RowStrings(want.Rows), matrixtest.RowStrings(got.Rows), "question %d: %+v", i, q.Selectors)
		assert.Equal(t, want.Summary.Reason, got.Summary.Reason)
		assert.Equal(t, want.Summary.Deployable, got.Summary.Deployable)
	}
}

func TestExplainShowsIndexedPlans(t *testing.T) {
	sc := matrix.Scale{Pacticipants: 20, Versions: 600, Verifications: 3000, ProvidersEach: 2, Seed: 3}
	s := open(t, "sqlite")
	_, err := loadgen.Load(t.Context(), s, matrix.Synthetic(sc))
	require.NoError(t, err)
	out, err := loadgen.Explain(t.Context(), s, loadgen.CanIDeployQuery(sc, 0))
	require.NoError(t, err)
	assert.Contains(t, out, "verifications_content_provider_version")
	for _, big := range []string{"SCAN versions", "SCAN verifications", "SCAN pact_publications", "SCAN v ", "SCAN ve ", "SCAN pp "} {
		assert.NotContains(t, out, big, "a full scan of a big table means an index is missing:\n%s", out)
	}
}

// The benchmark broker: matrix.LargeScale (200 applications, 200,000
// versions, 1,000,000 verification results), loaded once per backend and
// binary. Loading takes a minute or two; ACCORD_LOADGEN_SQLITE names a
// SQLite file to reuse across runs (made by accord-loadgen or a previous
// run).
var (
	largeMu sync.Mutex
	large   = map[string]*sqlstore.Store{}
)

func largeStore(b *testing.B, backend string) *sqlstore.Store {
	largeMu.Lock()
	defer largeMu.Unlock()
	if s, ok := large[backend]; ok {
		return s
	}
	ctx := context.Background()
	u := ""
	switch backend {
	case "postgres":
		u = pg.Database(b)
	default:
		u = os.Getenv("ACCORD_LOADGEN_SQLITE")
		if u == "" {
			dir, err := os.MkdirTemp("", "accord-loadgen")
			require.NoError(b, err)
			u = filepath.Join(dir, "large.sqlite3")
		}
		u = "sqlite://" + u
	}
	s, err := sqlstore.Open(ctx, u, nil)
	require.NoError(b, err)
	var n int
	require.NoError(b, s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM pacticipants`).Scan(&n))
	if n == 0 {
		start := time.Now()
		st, err := loadgen.Load(ctx, s, matrix.Synthetic(matrix.LargeScale))
		require.NoError(b, err)
		b.Logf("%s: loaded %+v in %s", backend, st, time.Since(start).Round(time.Millisecond))
	}
	large[backend] = s
	return s
}

// BenchmarkCanIDeployToEnvironment: one can-i-deploy decision (matrix.Decide
// over the store's indexed facts) of a recent version to production.
func BenchmarkCanIDeployToEnvironment(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := largeStore(b, backend)
			ctx := context.Background()
			res, err := matrix.Decide(ctx, s.MatrixFacts(), loadgen.CanIDeployQuery(matrix.LargeScale, 0))
			require.NoError(b, err)
			require.Len(b, res.Rows, 6, "app-000 has three providers with two production instances each")
			// ACCORD_LOADGEN_EXPLAIN=dir writes the plan of every query of
			// this decision to dir/explain-<backend>.txt.
			if dir := os.Getenv("ACCORD_LOADGEN_EXPLAIN"); dir != "" {
				plans, err := loadgen.Explain(ctx, s, loadgen.CanIDeployQuery(matrix.LargeScale, 0))
				require.NoError(b, err)
				require.NoError(b, os.WriteFile(filepath.Join(dir, "explain-"+backend+".txt"), []byte(plans), 0o644))
			}
			i := 0
			for b.Loop() {
				if _, err := matrix.Decide(ctx, s.MatrixFacts(), loadgen.CanIDeployQuery(matrix.LargeScale, i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkMatrixBrowse: the matrix page of one integration (every version
// of both applications, latest row per consumer and provider version, 100
// rows), what the Ruby broker's users most often see time out.
func BenchmarkMatrixBrowse(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			s := largeStore(b, backend)
			ctx := context.Background()
			q, err := matrix.ForIntegration("app-010", "app-017", "latestby=cvpv")
			require.NoError(b, err)
			res, err := matrix.Decide(ctx, s.MatrixFacts(), q)
			require.NoError(b, err)
			require.Len(b, res.Rows, matrix.DefaultLimit)
			for b.Loop() {
				if _, err := matrix.Decide(ctx, s.MatrixFacts(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCanIDeployHTTP: the same question as GET /can-i-deploy, with the
// JSON rendering (branches, tags and environments of every row's versions).
func BenchmarkCanIDeployHTTP(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			srv := httptest.NewServer(brokertest.API(largeStore(b, backend), httpapi.Config{}))
			defer srv.Close()
			perApp := matrix.LargeScale.Versions / matrix.LargeScale.Pacticipants
			i := 0
			for b.Loop() {
				url := fmt.Sprintf("%s/can-i-deploy?pacticipant=app-%03d&version=1.%d.0&environment=production", srv.URL, i%matrix.LargeScale.Pacticipants, perApp-1-i%5)
				resp, err := http.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				var body strings.Builder
				_, _ = fmt.Fprint(&body, resp.Status)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %s", url, body.String())
				}
				i++
			}
		})
	}
}
