package httpapi

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (a *answers) put(t *testing.T, state, key string, ans answer) {
	t.Helper()
	got, err := a.answer(state, key, func() (answer, error) { return ans, nil })
	require.NoError(t, err)
	require.Equal(t, ans, got)
}

// A flood of new questions does not push out an answer asked over and
// over; the cache stays within its bound; another state is never served.
func TestAnswersKeepWhatIsAskedAgain(t *testing.T) {
	a := answers{max: 1 << 20}
	body := make([]byte, a.max/100)
	a.put(t, "s1", "hot", answer{"x", body})
	for i := range 1000 {
		a.put(t, "s1", fmt.Sprint("new ", i), answer{"x", body})
		if i%20 == 0 {
			_, ok := a.lookup("s1", "hot")
			require.True(t, ok, "the answer asked every 20 new ones is kept (after %d)", i)
		}
		require.LessOrEqual(t, a.bytes, a.max)
	}
	_, ok := a.lookup("s1", "new 0")
	assert.False(t, ok, "an answer never asked again went")
	_, ok = a.lookup("s1", "new 999")
	assert.True(t, ok)
	_, ok = a.lookup("s2", "hot")
	assert.False(t, ok, "another state's answer is not served")
	a.put(t, "s2", "other", answer{"x", body})
	_, ok = a.lookup("s1", "hot")
	assert.False(t, ok, "a new state drops the old state's answers")
	_, ok = a.lookup("", "other")
	assert.False(t, ok, "an unknown state is never served")
	a.put(t, "s2", "huge", answer{"x", make([]byte, a.max/64+1)})
	_, ok = a.lookup("s2", "huge")
	assert.False(t, ok, "an answer over a 64th of the limit is not kept")
}

// Every answer of a working set that fits the limit stays, however the
// questions are interleaved (the two-halves cache this replaced kept only
// half its bytes of answers asked again).
func TestAnswersKeepAWorkingSetThatFits(t *testing.T) {
	a := answers{max: 1 << 20}
	body := make([]byte, a.max/310) // 300 answers: 97 % of the limit
	computed := 0
	for round := range 5 {
		for i := range 300 {
			k := fmt.Sprint((i*7 + round*13) % 300)
			_, err := a.answer("s", k, func() (answer, error) { computed++; return answer{"x", body}, nil })
			require.NoError(t, err)
		}
	}
	assert.Equal(t, 300, computed, "each answer computed once")
	assert.Equal(t, int64(1200), a.hits.Load())
}

// Requests missing the same answer at once compute it once; when that
// computation fails, the waiting requests compute their own.
func TestAnswersComputedOnceForConcurrentMisses(t *testing.T) {
	var a answers
	var calls atomic.Int64
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]answer, 8)
	for i := range results {
		wg.Go(func() {
			ans, err := a.answer("s", "q", func() (answer, error) {
				calls.Add(1)
				<-release
				return answer{"x", []byte("yes")}, nil
			})
			assert.NoError(t, err)
			results[i] = ans
		})
	}
	require.Eventually(t, func() bool { return calls.Load() == 1 && a.waiting("q") == 7 }, 5*time.Second, time.Millisecond,
		"one computes, seven wait")
	close(release)
	wg.Wait()
	assert.Equal(t, int64(1), calls.Load())
	for _, r := range results {
		assert.Equal(t, "yes", string(r.body))
	}
	assert.Equal(t, int64(7), a.shared.Load())

	failing := make(chan struct{})
	var second atomic.Int64
	wg.Go(func() {
		_, err := a.answer("s", "f", func() (answer, error) { <-failing; return answer{}, errors.New("cancelled") })
		assert.Error(t, err)
	})
	require.Eventually(t, func() bool { return a.waiting("f") == 0 && a.isPending("f") }, 5*time.Second, time.Millisecond)
	wg.Go(func() {
		ans, err := a.answer("s", "f", func() (answer, error) { second.Add(1); return answer{"x", []byte("own")}, nil })
		assert.NoError(t, err)
		assert.Equal(t, "own", string(ans.body), "a waiter computes its own answer when the first computation failed")
	})
	require.Eventually(t, func() bool { return a.waiting("f") == 1 }, 5*time.Second, time.Millisecond)
	close(failing)
	wg.Wait()
	assert.Equal(t, int64(1), second.Load())
}

// A computation that panics releases the requests waiting for it: they
// compute their own answer instead of waiting for ever.
func TestAnswersReleaseWaitersWhenTheComputationPanics(t *testing.T) {
	var a answers
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() { assert.NotNil(t, recover(), "the panic reaches the caller") }()
		_, _ = a.answer("s", "q", func() (answer, error) { <-release; panic("bug") })
	})
	require.Eventually(t, func() bool { return a.isPending("q") }, 5*time.Second, time.Millisecond)
	done := make(chan answer)
	go func() {
		ans, err := a.answer("s", "q", func() (answer, error) { return answer{"x", []byte("own")}, nil })
		assert.NoError(t, err)
		done <- ans
	}()
	require.Eventually(t, func() bool { return a.waiting("q") == 1 }, 5*time.Second, time.Millisecond)
	close(release)
	select {
	case ans := <-done:
		assert.Equal(t, "own", string(ans.body))
	case <-time.After(5 * time.Second):
		t.Fatal("the waiting request was not released")
	}
	wg.Wait()
	assert.False(t, a.isPending("q"))
}

func (a *answers) isPending(key string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.pending[key]
	return ok
}

func (a *answers) waiting(key string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.pending[key]; ok {
		return c.waiters
	}
	return 0
}
