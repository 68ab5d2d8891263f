package loadgen_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// dump is every row the loader writes, table by table, in a fixed order.
func dump(t *testing.T, s *sqlstore.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for table, cols := range loadgen.Columns {
		rows, err := s.DB().QueryContext(context.Background(), fmt.Sprintf("SELECT %s FROM %s", strings.Join(cols, ", "), table))
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			out[table] = append(out[table], fmt.Sprint(vals...))
		}
		require.NoError(t, rows.Err())
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}

// schema is every index and constraint of the database, as PostgreSQL
// would create it again; on SQLite every index and trigger.
func schema(t *testing.T, s *sqlstore.Store) []string {
	t.Helper()
	q := `SELECT type || ' ' || name || ' ' || sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY 1`
	if s.Dialect() == sqlstore.Postgres {
		q = `
		SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
		UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`
	}
	rows, err := s.DB().QueryContext(context.Background(), q)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// LoadSynthetic computes the rows Load writes for matrix.Synthetic: the
// same rows, ids included, at scales of every shape (fewer versions than
// applications, applications without providers, tags every 50th version,
// feature branches, contents every fifth); on PostgreSQL the schema is
// the migrated one again afterwards.
func TestLoadSyntheticWritesWhatLoadWrites(t *testing.T) {
	defer loadgen.FixClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))()
	scales := []matrix.Scale{
		{Pacticipants: 20, Versions: 600, Verifications: 3000, ProvidersEach: 2, Seed: 3},
		{Pacticipants: 9, Versions: 1200, Verifications: 5000, ProvidersEach: 3, Seed: 1},
		{Pacticipants: 5, Versions: 3, Verifications: 10, ProvidersEach: 3, Seed: 2},
		{Pacticipants: 30, Versions: 30 * 61, Verifications: 0, ProvidersEach: 1, Seed: 4},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, sc := range scales {
			t.Run(fmt.Sprintf("%s/%d-%d-%d-%d", backend, sc.Pacticipants, sc.Versions, sc.Verifications, sc.ProvidersEach), func(t *testing.T) {
				want, got := open(t, backend), open(t, backend)
				migrated := schema(t, got)
				require.NotEmpty(t, migrated)
				generation := func() (n int64) {
					if backend == "sqlite" {
						require.NoError(t, got.DB().QueryRowContext(t.Context(), `SELECT n FROM matrix_generation`).Scan(&n))
					}
					return n
				}
				before := generation()
				wst, err := loadgen.Load(t.Context(), want, matrix.Synthetic(sc))
				require.NoError(t, err)
				gst, err := loadgen.LoadSynthetic(t.Context(), got, sc)
				require.NoError(t, err)
				wst.Took, gst.Took = 0, 0
				assert.Equal(t, wst, gst)
				w, g := dump(t, want), dump(t, got)
				for table := range loadgen.Columns {
					assert.Equal(t, w[table], g[table], "table %s", table)
				}
				assert.Equal(t, migrated, schema(t, got), "the indexes, constraints and triggers dropped during the load are back as migrated")
				if backend == "sqlite" {
					assert.Greater(t, generation(), before, "the load counts as a write to the matrix")
				}
				if backend == "postgres" {
					var next int64
					require.NoError(t, got.DB().QueryRowContext(t.Context(), `SELECT nextval('verifications_id_seq')`).Scan(&next))
					assert.Greater(t, next, int64(gst.Verifications), "the id sequences are past the loaded ids")
				}
				_, err = loadgen.LoadSynthetic(t.Context(), got, sc)
				require.ErrorContains(t, err, "empty database", "loading twice must be refused")
			})
		}
	}
}
