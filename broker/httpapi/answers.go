package httpapi

import (
	"sync"
	"sync/atomic"
)

// answers keeps rendered matrix and can-i-deploy answers for the state of
// the database they were computed in (broker.Matrix.MatrixSnapshot): a
// request is answered from here only when the state it reads, in its own
// read transaction, is the state the answer was computed in, so no answer
// is served after a write that changed it has committed (the write changes
// the state, in the writing transaction on SQLite and by definition of the
// snapshot on PostgreSQL). Polling CI jobs ask the same few hundred
// questions over and over between writes; each is decided once per state.
//
// It holds the answers of one state at a time (a new state drops the
// others, which can never be served again) and at most maxAnswerBytes.
type answers struct {
	mu    sync.Mutex
	state string
	m     map[string]answer
	bytes int
	// hits and misses count lookups, for tests and the benchmark.
	hits, misses atomic.Int64
}

type answer struct {
	contentType string
	body        []byte
}

const maxAnswerBytes = 12 << 20

func (a *answers) get(state, key string) (answer, bool) {
	if state == "" {
		return answer{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if state == a.state {
		if ans, ok := a.m[key]; ok {
			a.hits.Add(1)
			return ans, true
		}
	}
	a.misses.Add(1)
	return answer{}, false
}

func (a *answers) put(state, key string, ans answer) {
	if state == "" || len(ans.body) > maxAnswerBytes/64 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if state != a.state || a.bytes+len(ans.body) > maxAnswerBytes {
		// Answers of another state are never right again; over the
		// bound, start over rather than keep track of use.
		a.state, a.m, a.bytes = state, map[string]answer{}, 0
	}
	if old, ok := a.m[key]; ok {
		a.bytes -= len(old.body)
	}
	a.m[key] = ans
	a.bytes += len(ans.body)
}
