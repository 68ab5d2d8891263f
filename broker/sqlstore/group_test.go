package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Concurrent SQLite writes share transactions (groupWrite): each still
// commits or fails alone, sees the writes before it, and is told of
// success only once its rows are committed.
func TestGroupedWritesCommitOrFailAlone(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "broker.sqlite3"), nil)
	require.NoError(t, err)
	defer s.Close()
	errOdd := errors.New("odd ones fail after writing")
	const n = 200
	var wg sync.WaitGroup
	results := make([]error, n)
	var mu sync.Mutex
	after := map[int]bool{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.write(ctx, func(r runner) error {
				if err := r.exec(ctx, `INSERT INTO pacticipants (name, created_at, updated_at) VALUES (?, 0, 0)`, fmt.Sprint("p", i)); err != nil {
					return err
				}
				r.afterCommit(func() { mu.Lock(); after[i] = true; mu.Unlock() })
				if i%2 == 1 {
					return errOdd
				}
				return nil
			})
			if results[i] == nil {
				// Acknowledged: committed, so another connection sees it.
				var c int
				assert.NoError(t, s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pacticipants WHERE name = ?`, fmt.Sprint("p", i)).Scan(&c))
				assert.Equal(t, 1, c, "p%d acknowledged but not committed", i)
			}
		}()
	}
	wg.Wait()
	for i, err := range results {
		var c int
		require.NoError(t, s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pacticipants WHERE name = ?`, fmt.Sprint("p", i)).Scan(&c))
		if i%2 == 1 {
			assert.ErrorIs(t, err, errOdd)
			assert.Zero(t, c, "p%d failed, its row must be rolled back", i)
			assert.False(t, after[i], "p%d: no after-commit for a failed write", i)
		} else {
			assert.NoError(t, err)
			assert.Equal(t, 1, c)
			assert.True(t, after[i], "p%d: after-commit ran", i)
		}
	}
	// A write that conflicts with one before it in the same batch sees it.
	var wg2 sync.WaitGroup
	dup := make([]error, 8)
	for i := range dup {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			dup[i] = s.write(ctx, func(r runner) error {
				var c int
				if err := r.row(ctx, `SELECT COUNT(*) FROM pacticipants WHERE name = 'once'`).Scan(&c); err != nil || c > 0 {
					return err
				}
				return r.exec(ctx, `INSERT INTO pacticipants (name, created_at, updated_at) VALUES ('once', 0, 0)`)
			})
		}()
	}
	wg2.Wait()
	for _, err := range dup {
		assert.NoError(t, err)
	}
}
