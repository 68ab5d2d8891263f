package httpapi

import (
	"container/list"
	"context"
	"net/http"
	"sync"
	"sync/atomic"
)

// answers keeps rendered matrix and can-i-deploy answers for the state of
// the database they were computed in (broker.Matrix.MatrixSnapshot): a
// request is answered from here only when the state it reads is the state
// the answer was computed in, so no answer is served after a write that
// changed it has committed (the write changes the state, in the writing
// transaction on SQLite and by definition of the snapshot on PostgreSQL).
// The state is read either in the request's own read transaction or, before
// opening one, on its own (CommittedState): both are read after the request
// arrived, so both include every write acknowledged before it. Polling CI
// jobs ask the same few hundred questions over and over between writes;
// each is decided once per state.
//
// It holds the answers of one state at a time (a new state drops the
// others, which can never be served again), at most max bytes of them; when
// full, the answer asked least recently goes first, so the questions asked
// over and over stay while a flood of new questions passes through.
// Requests that miss the same answer at the same time compute it once: the
// others wait for it (in their own snapshot of the same state) instead of
// asking the database the same queries.
type answers struct {
	// max bounds the bytes of the answers kept (defaultAnswerBytes if 0).
	max int

	mu      sync.Mutex
	state   string
	byKey   map[string]*list.Element // of *entry
	recent  list.List                // most recently asked first
	bytes   int
	pending map[string]*computing // by key, for state
	// hits, misses and shared count lookups (shared: a miss that waited
	// for another request's computation), for tests and /metrics.
	hits, misses, shared atomic.Int64
}

type entry struct {
	key string
	ans answer
}

type computing struct {
	done    chan struct{}
	waiters int // requests waiting for it (mu held)
	ans     answer
	ok      bool
}

type answer struct {
	contentType string
	body        []byte
}

// defaultAnswerBytes holds every answer of several hundred can-i-deploy
// questions at the large benchmark scale (about 22 KiB each: some 700):
// the older two-halves cache of 12 MiB could keep only 6 MiB of answers
// asked again, fewer than 300 of them, and on PostgreSQL each answer pushed
// out cost 10-100 ms to compute again under load. At 32 MiB (and 16 for
// pacts-for-verification) the broker's peak RSS in the standard table
// reached 140 MB of the 150 MB it is held to; at 16 and 8 it stays lower.
const defaultAnswerBytes = 16 << 20

func (a *answers) limit() int {
	if a.max > 0 {
		return a.max
	}
	return defaultAnswerBytes
}

// answer returns the answer kept under key for state, or computes, keeps
// and returns it. Call it inside the read snapshot that state describes.
// While one request computes an answer, others asking for the same key in
// the same state wait for it; if it fails they compute their own.
func (a *answers) answer(state, key string, compute func() (answer, error)) (answer, error) {
	if state == "" {
		a.misses.Add(1)
		return compute()
	}
	a.mu.Lock()
	if ans, ok := a.getLocked(state, key); ok {
		a.mu.Unlock()
		a.hits.Add(1)
		return ans, nil
	}
	if c, ok := a.pending[key]; ok && state == a.state {
		c.waiters++
		a.mu.Unlock()
		<-c.done
		if c.ok {
			a.shared.Add(1)
			return c.ans, nil
		}
		a.misses.Add(1)
		return compute()
	}
	a.misses.Add(1)
	c := &computing{done: make(chan struct{})}
	a.resetLocked(state)
	a.pending[key] = c
	a.mu.Unlock()

	// Deferred, so that the waiters are released (to compute their own)
	// even if compute panics.
	defer func() {
		a.mu.Lock()
		if a.pending[key] == c {
			delete(a.pending, key)
		}
		if c.ok {
			a.putLocked(state, key, c.ans)
		}
		a.mu.Unlock()
		close(c.done)
	}()
	ans, err := compute()
	if err == nil {
		c.ans, c.ok = ans, true
	}
	return ans, err
}

// lookup returns the answer kept under key for state, counting a hit. A
// miss is not counted: the caller goes on to answer, which counts it.
func (a *answers) lookup(state, key string) (answer, bool) {
	if state == "" {
		return answer{}, false
	}
	a.mu.Lock()
	ans, ok := a.getLocked(state, key)
	a.mu.Unlock()
	if ok {
		a.hits.Add(1)
	}
	return ans, ok
}

// AnswerLookups are one answer cache's counts since the server started.
type AnswerLookups struct {
	Cache                string // matrix or for_verification
	Hits, Misses, Shared int64
}

// AnswerLookups reports the lookups of the can-i-deploy/matrix and the
// pacts-for-verification answer caches, for the broker's metrics.
func (s *Server) AnswerLookups() []AnswerLookups {
	return []AnswerLookups{s.answers.lookups("matrix"), s.verifyAnswers.lookups("for_verification")}
}

func (a *answers) lookups(name string) AnswerLookups {
	return AnswerLookups{Cache: name, Hits: a.hits.Load(), Misses: a.misses.Load(), Shared: a.shared.Load()}
}

// kept returns the answer kept under key for the committed state now,
// read by state on its own (one query, no transaction). On a miss, or when
// the state cannot be read, the caller answers in a snapshot of its own
// (which reports the database's error, if any).
func kept(ctx context.Context, a *answers, state func(context.Context) (string, error), key string) (answer, bool) {
	st, err := state(ctx)
	if err != nil {
		return answer{}, false
	}
	return a.lookup(st, key)
}

// write sends the answer with status 200.
func (ans answer) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", ans.contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ans.body)
}

// getLocked finds key's answer for state and makes it the most recent.
func (a *answers) getLocked(state, key string) (answer, bool) {
	if state == "" || state != a.state {
		return answer{}, false
	}
	e, ok := a.byKey[key]
	if !ok {
		return answer{}, false
	}
	a.recent.MoveToFront(e)
	return e.Value.(*entry).ans, true
}

// resetLocked makes state the one kept, dropping another state's answers:
// they are never right again.
func (a *answers) resetLocked(state string) {
	if state == a.state && a.byKey != nil {
		return
	}
	a.state, a.byKey, a.bytes = state, map[string]*list.Element{}, 0
	a.recent.Init()
	a.pending = map[string]*computing{}
}

// putLocked keeps ans for state under key, pushing out the answers asked
// least recently to stay within the limit. An answer over a 64th of the
// limit is not kept (it would push out too many others).
func (a *answers) putLocked(state, key string, ans answer) {
	limit := a.limit()
	if state == "" || len(ans.body) > limit/64 {
		return
	}
	a.resetLocked(state)
	if e, ok := a.byKey[key]; ok {
		a.bytes -= len(e.Value.(*entry).ans.body)
		a.recent.Remove(e)
		delete(a.byKey, key)
	}
	for a.bytes+len(ans.body) > limit {
		e := a.recent.Back()
		k := e.Value.(*entry)
		a.bytes -= len(k.ans.body)
		a.recent.Remove(e)
		delete(a.byKey, k.key)
	}
	a.byKey[key] = a.recent.PushFront(&entry{key, ans})
	a.bytes += len(ans.body)
}
