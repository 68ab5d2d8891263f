package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/matrix/matrixtest"
)

// The store's matrix facts must lead matrix.Decide to the same answers as
// the in-memory reference, on both databases. The store keeps one
// publication per consumer version and provider, so the cases about pact
// revisions are left out.
func TestMatrixFactsConformance(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			matrixtest.Run(t, func(t *testing.T, d matrix.Data) matrix.Facts {
				s := newStore(t, backend)
				_, err := loadgen.Load(t.Context(), s, d)
				require.NoError(t, err)
				return s.MatrixFacts()
			}, matrixtest.Options{NoRevisions: true})
		})
	}
}

// CommittedState, read on its own, names the state a snapshot reads when
// nothing was written in between, and a committed write changes it (the
// answer caches serve a kept answer on that promise), on both databases.
func TestCommittedStateNamesTheSnapshotsState(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := newStore(t, backend)
			ctx := t.Context()
			snapshotState := func() (state string) {
				require.NoError(t, s.MatrixSnapshot(ctx, func(_ context.Context, st string, _ broker.MatrixView) error {
					state = st
					return nil
				}))
				return state
			}
			before, err := s.CommittedState(ctx)
			require.NoError(t, err)
			require.NotEmpty(t, before)
			assert.Equal(t, before, snapshotState(), "no write in between: the same state")
			again, err := s.CommittedState(ctx)
			require.NoError(t, err)
			assert.Equal(t, before, again, "reading changes nothing")

			_, _, err = s.AddTag(ctx, "Foo", "1.0.0", "prod")
			require.NoError(t, err)
			after, err := s.CommittedState(ctx)
			require.NoError(t, err)
			assert.NotEqual(t, before, after, "a committed write changes the state")
			assert.Equal(t, after, snapshotState())
		})
	}
}
