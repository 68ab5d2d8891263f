package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

// expected renders matrix.Decide over what s has committed now, read
// straight from the store (no HTTP, no answer cache), as the API would.
func expected(t *testing.T, s *sqlstore.Store, base, raw string) string {
	t.Helper()
	q, err := matrix.ParseCanIDeploy(raw)
	require.NoError(t, err)
	res, err := matrix.Decide(context.Background(), s.MatrixFacts(), q)
	require.NoError(t, err)
	var ids []int64
	for _, row := range res.Rows {
		ids = append(ids, row.Pact.ConsumerVersion.ID)
		if row.ProviderVersion != nil {
			ids = append(ids, row.ProviderVersion.ID)
		}
	}
	details, err := s.MatrixVersionDetails(context.Background(), ids)
	require.NoError(t, err)
	b, err := json.Marshal(matrix.NewBody(res, matrix.RenderOptions{BaseURL: base,
		Details: func(_ string, v matrix.Version) matrix.VersionDetails { return details[v.ID] }}))
	require.NoError(t, err)
	return canonical(t, b)
}

func canonical(t *testing.T, b []byte) string {
	var v any
	require.NoError(t, json.Unmarshal(b, &v), "%s", b)
	out, _ := json.Marshal(v)
	return string(out)
}

// Correctness under concurrency: while the load mix runs (publishers,
// verification results, pacts for verification, matrix, get pact) and a
// writer keeps turning the answers of four can-i-deploy questions from yes
// to no and back, every can-i-deploy answer equals matrix.Decide over a
// state committed between its request and its response: never one that a
// write acknowledged before the request was sent has made stale (the
// answer cache of httpapi must see every write, on both databases).
func TestCanIDeployUnderConcurrentWrites(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			sc := matrix.Scale{Pacticipants: 30, Versions: 900, Verifications: 3000, ProvidersEach: 3, Seed: 1}
			s := open(t, backend)
			_, err := loadgen.Load(t.Context(), s, matrix.Synthetic(sc))
			require.NoError(t, err)
			base := brokertest.Serve(t, s, httpapi.Config{})
			client := &http.Client{Timeout: 20 * time.Second}

			// Four questions whose answer the writer flips: consumer
			// Flip-Ck version 1 against Flip-Pk p1 in production.
			const pairs = 4
			questions := make([]string, pairs)
			results := make([]string, pairs) // where verification results are posted
			for k := range pairs {
				c, p := fmt.Sprintf("Flip-C%d", k), fmt.Sprintf("Flip-P%d", k)
				storetest.Publish(t, s, c, "1", "main", p, nil, "flip")
				questions[k] = "pacticipant=" + c + "&version=1&environment=production"
				resp, err := client.Get(base + "/pacts/provider/" + p + "/consumer/" + c + "/version/1")
				require.NoError(t, err)
				var pact struct {
					Links map[string]json.RawMessage `json:"_links"`
				}
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&pact))
				resp.Body.Close()
				var link struct{ Href string }
				require.NoError(t, json.Unmarshal(pact.Links["pb:publish-verification-results"], &link))
				results[k] = link.Href
				require.NotEmpty(t, results[k])
				resp, err = client.Post(results[k], "application/json", bytes.NewReader([]byte(`{"success":true,"providerApplicationVersion":"p1"}`)))
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, http.StatusCreated, resp.StatusCode)
				storetest.Deploy(t, s, p, "p1", "production", "")
			}

			// states[j] are the expected answers after write j (0: before any).
			var mu sync.Mutex
			states := [][]string{make([]string, pairs)}
			for k := range pairs {
				states[0][k] = expected(t, s, base, questions[k])
			}
			var fixed sync.Map // the mix's questions: their answers do not change
			for i := range 40 {
				a, v := loadgen.Question(sc, i)
				raw := "pacticipant=" + url.QueryEscape(a) + "&version=" + url.QueryEscape(v) + "&environment=production"
				q, err := matrix.ParseCanIDeploy(raw)
				require.NoError(t, err)
				fixed.Store(fmt.Sprint(q.Selectors, q.Environment), expected(t, s, base, raw))
			}
			var started, acked atomic.Int64
			ctx, cancel := context.WithTimeout(t.Context(), 4*time.Second)
			defer cancel()
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the writer: one write at a time, expectations between
				defer wg.Done()
				for i := 1; ctx.Err() == nil; i++ {
					k := i % pairs
					body := fmt.Sprintf(`{"success":%t,"providerApplicationVersion":"p1"}`, (i/pairs)%2 == 1)
					started.Store(int64(i))
					resp, err := client.Post(results[k], "application/json", bytes.NewReader([]byte(body)))
					if !assert.NoError(t, err) {
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if !assert.Equal(t, http.StatusCreated, resp.StatusCode) {
						return
					}
					next := make([]string, pairs)
					for k := range pairs {
						next[k] = expected(t, s, base, questions[k])
					}
					mu.Lock()
					states = append(states, next)
					mu.Unlock()
					acked.Store(int64(i))
					time.Sleep(5 * time.Millisecond)
				}
			}()
			type asked struct {
				k        int
				from, to int64
				body     string
			}
			var askedMu sync.Mutex
			var answers []asked
			for range 6 { // readers of the flipping questions
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := 0; ctx.Err() == nil; n++ {
						k := n % pairs
						from := acked.Load()
						resp, err := client.Get(base + "/can-i-deploy?" + questions[k])
						if ctx.Err() != nil {
							return
						}
						if !assert.NoError(t, err) {
							return
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						to := started.Load()
						if !assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", b) {
							return
						}
						askedMu.Lock()
						answers = append(answers, asked{k, from, to, canonical(t, b)})
						askedMu.Unlock()
					}
				}()
			}
			// The load mix beside them; its can-i-deploy questions are about
			// versions the mix's writes do not change, and are checked too.
			mix, err := loadgen.ParseMix("can-i-deploy=4,for-verification,publish,verification,get-pact,matrix")
			require.NoError(t, err)
			d := loadgen.Driver{BaseURL: base, Scale: sc, Clients: 6, Duration: 4 * time.Second, Mix: mix, Questions: 40, Seed: 2,
				Check: func(q matrix.Query, _ time.Time, body []byte) error {
					key := fmt.Sprint(q.Selectors, q.Environment)
					want, ok := fixed.Load(key)
					if !ok {
						return nil
					}
					if got := canonical(t, body); got != want {
						return fmt.Errorf("answer changed for %s", key)
					}
					return nil
				}}
			rep, err := d.Run(ctx)
			require.NoError(t, err)
			wg.Wait()
			assert.Zero(t, rep.Errors(), "\n%s", rep.Table())
			assert.Positive(t, rep.Get(loadgen.Publish).N, "\n%s", rep.Table())

			require.Greater(t, len(states), 3, "the writer flipped the answers often")
			require.Greater(t, len(answers), 100)
			stale, checked := 0, 0
			for _, a := range answers {
				ok := false
				for j := a.from; j <= a.to && j < int64(len(states)); j++ {
					if states[j][a.k] == a.body {
						ok = true
						break
					}
				}
				checked++
				if !ok {
					stale++
					if stale <= 3 {
						t.Errorf("answer to %s sent after write %d was acknowledged and answered before write %d started matches none of the states between:\n%s",
							questions[a.k], a.from, a.to+1, a.body)
					}
				}
			}
			assert.Zero(t, stale, "stale or wrong answers out of %d", checked)
			t.Logf("%d writes, %d flipping answers checked, mix:\n%s", len(states)-1, checked, rep.Table())
		})
	}
}

// Two brokers on one database, each with its own answer cache: an answer
// broker A has cached is not served once broker B has committed a write
// that changes it (the state A reads in its own transaction changed).
func TestAnswerCacheSeesAnotherBrokersWrites(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			u := "sqlite://" + t.TempDir() + "/shared.sqlite3"
			if backend == "postgres" {
				u = pg.Database(t)
			}
			var stores [2]*sqlstore.Store
			var urls [2]string
			for i := range stores {
				s, err := sqlstore.Open(t.Context(), u, nil)
				require.NoError(t, err)
				t.Cleanup(func() { s.Close() })
				stores[i], urls[i] = s, brokertest.Serve(t, s, httpapi.Config{})
			}
			storetest.Publish(t, stores[1], "Web", "1", "main", "Orders", nil, "get order")
			storetest.Publish(t, stores[1], "Orders", "o1", "main", "Stock", nil, "x")
			_, err := stores[1].CreateEnvironment(t.Context(), broker.Environment{Name: "production", Production: true})
			require.NoError(t, err)
			storetest.Deploy(t, stores[1], "Orders", "o1", "production", "")
			deployable := func() any {
				resp, err := http.Get(urls[0] + "/can-i-deploy?pacticipant=Web&version=1&environment=production")
				require.NoError(t, err)
				defer resp.Body.Close()
				var body struct{ Summary struct{ Deployable any } }
				require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
				return body.Summary.Deployable
			}
			assert.Nil(t, deployable(), "no verification yet")
			assert.Nil(t, deployable(), "asked again (answered from A's cache)")
			pactURL := urls[1] + "/pacts/provider/Orders/consumer/Web/version/1"
			resp, err := http.Get(pactURL)
			require.NoError(t, err)
			var pact struct {
				Links map[string]json.RawMessage `json:"_links"`
			}
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&pact))
			resp.Body.Close()
			var link struct{ Href string }
			require.NoError(t, json.Unmarshal(pact.Links["pb:publish-verification-results"], &link))
			for _, success := range []bool{true, false, true} {
				// B acknowledges the result; A's very next answer shows it.
				resp, err := http.Post(link.Href, "application/json", bytes.NewReader(fmt.Appendf(nil, `{"success":%t,"providerApplicationVersion":"o1"}`, success)))
				require.NoError(t, err)
				resp.Body.Close()
				require.Equal(t, http.StatusCreated, resp.StatusCode)
				assert.Equal(t, success, deployable(), "after B recorded success=%t", success)
				assert.Equal(t, success, deployable(), "asked again")
			}
		})
	}
}
