package httpapi

import (
	"net/http"
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
// others, which can never be served again), in two halves of at most
// maxAnswerBytes/2 each: answers go into the newer half, and when it is
// full the older half is dropped and the newer becomes the older. An
// answer found in the older half moves to the newer, so the questions
// asked over and over stay while a flood of new questions passes through
// (before, a full cache was emptied and the next poll of every question
// missed at once).
type answers struct {
	mu          sync.Mutex
	state       string
	cur, old    map[string]answer
	bytes, oldb int
	// hits and misses count lookups, for tests and the benchmark.
	hits, misses atomic.Int64
}

type answer struct {
	contentType string
	body        []byte
}

const maxAnswerBytes = 12 << 20

// answer returns the answer kept under key for state, or computes, keeps
// and returns it. Call it inside the read snapshot that state describes.
func (a *answers) answer(state, key string, compute func() (answer, error)) (answer, error) {
	if ans, ok := a.get(state, key); ok {
		return ans, nil
	}
	ans, err := compute()
	if err != nil {
		return answer{}, err
	}
	a.put(state, key, ans)
	return ans, nil
}

// write sends the answer with status 200.
func (ans answer) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", ans.contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ans.body)
}

func (a *answers) get(state, key string) (answer, bool) {
	if state == "" {
		return answer{}, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if state == a.state {
		if ans, ok := a.cur[key]; ok {
			a.hits.Add(1)
			return ans, true
		}
		if ans, ok := a.old[key]; ok {
			a.hits.Add(1)
			delete(a.old, key)
			a.oldb -= len(ans.body)
			a.add(key, ans)
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
	if state != a.state {
		// Answers of another state are never right again.
		a.state, a.cur, a.old, a.bytes, a.oldb = state, map[string]answer{}, nil, 0, 0
	}
	if old, ok := a.cur[key]; ok {
		a.bytes -= len(old.body)
		delete(a.cur, key)
	}
	a.add(key, ans)
}

// add puts ans into the newer half, first making room (mu held).
func (a *answers) add(key string, ans answer) {
	if a.bytes+len(ans.body) > maxAnswerBytes/2 {
		a.old, a.oldb = a.cur, a.bytes
		a.cur, a.bytes = map[string]answer{}, 0
	}
	if o, ok := a.old[key]; ok {
		delete(a.old, key)
		a.oldb -= len(o.body)
	}
	a.cur[key] = ans
	a.bytes += len(ans.body)
}
