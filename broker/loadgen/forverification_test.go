package loadgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
	"github.com/accord-cdc/accord/broker/verifiable"
)

// forVerificationBody is the loadgen's question: three selectors, pending.
const forVerificationBody = `{"consumerVersionSelectors":[{"mainBranch":true},{"deployedOrReleased":true},{"tag":"prod","latest":true}],"providerVersionBranch":"main","includePendingStatus":true}`

// pactsSummary is what a pacts-for-verification answer says, reduced to
// what the writer below changes: each pact's content and pending status,
// in order.
func pactsSummary(pacts []verifiable.Pact) string {
	var out []string
	for _, p := range pacts {
		out = append(out, fmt.Sprintf("%s %s pending=%t", p.Consumer, p.SHA, p.Pending))
	}
	return strings.Join(out, "; ")
}

// summaryOf reads the same from the HTTP answer.
func summaryOf(t *testing.T, body []byte) string {
	var res struct {
		Embedded struct {
			Pacts []struct {
				Props struct{ Pending bool }                     `json:"verificationProperties"`
				Links struct{ Self struct{ Href, Name string } } `json:"_links"`
			}
		} `json:"_embedded"`
	}
	require.NoError(t, json.Unmarshal(body, &res), "%s", body)
	var out []string
	for _, p := range res.Embedded.Pacts {
		consumer, _, _ := strings.Cut(strings.TrimPrefix(p.Links.Self.Name, "Pact between "), " (")
		_, rest, _ := strings.Cut(p.Links.Self.Href, "/pact-version/")
		sha, _, _ := strings.Cut(rest, "/")
		out = append(out, fmt.Sprintf("%s %s pending=%t", consumer, sha, p.Props.Pending))
	}
	return strings.Join(out, "; ")
}

// Pacts for verification stay right under concurrent writes: a writer
// alternately publishes new main-branch content (the main branch selector
// picks it, pending) and records its successful verification (no longer
// pending), and every answer readers get equals verifiable.Find over a
// state committed between the request and the response (computed straight
// from the store, no cache): never one a write acknowledged before the
// request was sent has made stale. It fails when httpapi's answer cache
// ignores the state.
func TestPactsForVerificationUnderConcurrentWrites(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := open(t, backend)
			ctx := t.Context()
			const provider = "Verified"
			for _, c := range []string{"Web", "Mobile"} {
				storetest.Publish(t, s, c, "1", "main", provider, []string{"prod"}, c+" 1")
			}
			base := brokertest.Serve(t, s, httpapi.Config{})
			client := &http.Client{Timeout: 20 * time.Second}
			latest := true
			q := verifiable.Query{ProviderBranch: "main", IncludePending: true, Selectors: []verifiable.ConsumerVersionSelector{
				{MainBranch: true}, {DeployedOrReleased: true}, {Tag: "prod", Latest: &latest}}}
			expected := func() string {
				pacts, err := verifiable.Find(ctx, s, provider, q)
				require.NoError(t, err)
				return pactsSummary(pacts)
			}
			var mu sync.Mutex
			states := []string{expected()}
			var started, acked atomic.Int64
			// Twelve writes, however long they take (PostgreSQL on a busy
			// machine takes up to a second for one).
			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the writer: one write at a time, the expectation after each
				defer wg.Done()
				defer cancel()
				for i := 1; i <= 12; i++ {
					started.Store(int64(i))
					k := (i - 1) / 2 // write 2k+1 publishes a version, 2k+2 verifies it
					c, version := []string{"Web", "Mobile"}[k%2], fmt.Sprint(k+2)
					if i%2 == 1 {
						storetest.Publish(t, s, c, version, "main", provider, nil, fmt.Sprintf("%s %d", c, i))
					} else {
						pact, err := s.GetPact(ctx, broker.PactRef{Consumer: c, Provider: provider, Version: version})
						if !assert.NoError(t, err) {
							return
						}
						_, err = s.RecordVerification(ctx, broker.VerificationRequest{Consumer: c, Provider: provider, SHA: pact.SHA,
							ProviderVersion: fmt.Sprintf("p%d", i), Success: true})
						if !assert.NoError(t, err) {
							return
						}
					}
					next := expected()
					mu.Lock()
					states = append(states, next)
					mu.Unlock()
					acked.Store(int64(i))
					time.Sleep(3 * time.Millisecond)
				}
			}()
			type asked struct {
				from, to int64
				summary  string
			}
			var askedMu sync.Mutex
			var answers []asked
			for range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for runCtx.Err() == nil {
						from := acked.Load()
						resp, err := client.Post(base+"/pacts/provider/"+provider+"/for-verification", "application/json", bytes.NewReader([]byte(forVerificationBody)))
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
						answers = append(answers, asked{from, to, summaryOf(t, b)})
						askedMu.Unlock()
					}
				}()
			}
			wg.Wait()
			require.Len(t, states, 13, "the writer made every write")
			require.Greater(t, len(answers), 20)
			distinct := map[string]bool{}
			stale := 0
			for _, a := range answers {
				distinct[a.summary] = true
				if !slices.Contains(states[a.from:min(a.to+1, int64(len(states)))], a.summary) {
					stale++
					if stale <= 3 {
						t.Errorf("answer sent after write %d was acknowledged and answered before write %d started matches none of the states between:\n%s",
							a.from, a.to+1, a.summary)
					}
				}
			}
			assert.Zero(t, stale, "stale or wrong answers out of %d", len(answers))
			assert.Greater(t, len(distinct), 3, "readers saw the answers change")
			t.Logf("%d writes, %d answers checked, %d distinct", len(states)-1, len(answers), len(distinct))
		})
	}
}
