package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/matrix/matrixtest"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

// The store's matrix facts must lead matrix.Decide to the same answers as
// the in-memory reference, on both databases. The store keeps one
// publication per consumer version and provider, so the cases about pact
// revisions are left out.
func TestMatrixFactsConformance(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			matrixtest.Run(t, func(t *testing.T, d matrix.Data) matrix.Facts {
				var s *sqlstore.Store
				if backend == "postgres" {
					s = newPostgres(t)
				} else {
					s = newSQLite(t)
				}
				_, err := loadgen.Load(t.Context(), s, d)
				require.NoError(t, err)
				return s.MatrixFacts()
			}, matrixtest.Options{NoRevisions: true})
		})
	}
}
