package contracts_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/pact-foundation/pact-go/v2/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/contracts"
	"github.com/accord-cdc/accord/contracts/route"
)

// notesProvider is a fresh notes service (its own data) with the state the
// notes pact names; resets counts the resets VerifyProvider made.
func notesProvider(src contracts.Source, resets *atomic.Int32) contracts.Provider {
	n := &notes{}
	return contracts.Provider{
		Name:    "notes",
		Handler: n,
		Source:  src,
		Reset: func(context.Context) error {
			resets.Add(1)
			n.mu.Lock()
			n.items = nil
			n.mu.Unlock()
			return nil
		},
		States: []contracts.State{contracts.Given("one note exists", func(context.Context) error {
			n.mu.Lock()
			n.items = []string{"seeded"}
			n.mu.Unlock()
			return nil
		})},
	}
}

// newBroker serves this repository's broker, on SQLite, on a loopback port.
func newBroker(t *testing.T) string {
	t.Helper()
	store, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "broker.sqlite3"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(brokertest.API(store, httpapi.Config{}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// publish publishes pact as version of its consumer on branch, as
// `accord publish` does.
func publish(t *testing.T, brokerURL string, pact []byte, consumer, version, branch string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": branch,
		"contracts": []map[string]any{{"consumerName": consumer, "providerName": "notes", "specification": "pact",
			"contentType": "application/json", "content": base64.StdEncoding.EncodeToString(pact)}},
	})
	resp, err := http.Post(brokerURL+"/contracts/publish", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
}

// TestEverySourceInParallel verifies the same provider from each form of
// Source at once, each with its own data: the library changes no process
// state (no environment, no global logger), so they cannot interfere.
func TestEverySourceInParallel(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ACCORD_PACT_DIR", dir) // where the consumer test below writes
	writeNotesPact(t)
	pact, err := os.ReadFile(filepath.Join(dir, contracts.PactFileName("notes-ui", "notes")))
	require.NoError(t, err)

	pactServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(pact)
	}))
	t.Cleanup(pactServer.Close)

	brokerURL := newBroker(t)
	publish(t, brokerURL, pact, "notes-ui", "1.0.0", "main")

	for _, tc := range []struct {
		name string
		src  contracts.Source
	}{
		{"files", contracts.PactFiles(dir)},
		{"url", contracts.PactURL(pactServer.URL + "/notes-ui-notes.json")},
		{"broker", contracts.Broker{
			URL:       brokerURL,
			Selectors: []provider.ConsumerVersionSelector{{Branch: "main"}},
			Publish:   true,
			Build:     contracts.Build{Version: "notes-1", Branch: "main"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var resets atomic.Int32
			p := notesProvider(tc.src, &resets)
			p.Routes = []string{"GET /notes", "POST /notes", "DELETE /notes/{id}"}
			contracts.VerifyProvider(t, p)
			assert.Equal(t, int32(4), resets.Load(), "the four interactions ran against this subtest's provider only")
		})
	}
	t.Cleanup(func() {
		// After the subtests: the broker holds exactly one verification
		// of the pact, by notes-1, with a result per interaction.
		pair := brokerURL + "/pacts/provider/notes/consumer/notes-ui"
		var v struct {
			Success         bool   `json:"success"`
			ProviderVersion string `json:"providerApplicationVersion"`
			TestResults     []any  `json:"testResults"`
			Links           struct {
				Self struct {
					Href string `json:"href"`
				} `json:"self"`
			} `json:"_links"`
		}
		getJSON(t, pair+"/latest/verification-results/latest", &v)
		assert.True(t, v.Success)
		assert.Equal(t, "notes-1", v.ProviderVersion)
		assert.Len(t, v.TestResults, 4)
		assert.Regexp(t, `/verification-results/1$`, v.Links.Self.Href, "the first and only verification")
		// The route coverage was published with the results, for notes-1.
		var cov contracts.RouteCoverage
		getJSON(t, brokerURL+"/pacticipants/notes/versions/notes-1/route-coverage", &cov)
		assert.Equal(t, []string{"GET /notes", "POST /notes"}, cov.Covered)
		assert.Equal(t, []string{"DELETE /notes/{id}"}, cov.NotCovered)
	})
}

func getJSON(t *testing.T, u string, out any) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", u, b)
	require.NoError(t, json.Unmarshal(b, out), "%s", b)
}

// TestRequestFiltersReachAHandler: a filter changes each request before the
// provider's handler sees it (a token the pact does not carry).
func TestRequestFiltersReachAHandler(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ACCORD_PACT_DIR", dir)
	writeNotesPact(t)
	var resets atomic.Int32
	p := notesProvider(contracts.PactFiles(dir), &resets)
	next := p.Handler
	p.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer let-me-in" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
	p.RequestFilters = []func(*http.Request){func(r *http.Request) { r.Header.Set("Authorization", "Bearer let-me-in") }}
	contracts.VerifyProvider(t, p)
	assert.Equal(t, int32(4), resets.Load())
}

// TestRoutesFromTheMux: a provider served by a route.Mux lists no Routes; the verification
// reads them from the mux and publishes which the consumer contract covers.
func TestRoutesFromTheMux(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ACCORD_PACT_DIR", dir)
	writeNotesPact(t)
	pact, err := os.ReadFile(filepath.Join(dir, contracts.PactFileName("notes-ui", "notes")))
	require.NoError(t, err)
	brokerURL := newBroker(t)
	publish(t, brokerURL, pact, "notes-ui", "1.0.0", "main")

	var resets atomic.Int32
	p := notesProvider(contracts.Broker{URL: brokerURL, Selectors: []provider.ConsumerVersionSelector{{Branch: "main"}},
		Publish: true, Build: contracts.Build{Version: "notes-mux", Branch: "main"}}, &resets)
	mux := route.NewMux()
	for _, pattern := range []string{"GET /notes", "POST /notes", "DELETE /notes/{id}"} {
		mux.Handle(pattern, p.Handler)
	}
	p.Handler = mux
	contracts.VerifyProvider(t, p)

	var cov contracts.RouteCoverage
	getJSON(t, brokerURL+"/pacticipants/notes/versions/notes-mux/route-coverage", &cov)
	assert.Equal(t, []string{"GET /notes", "POST /notes", "DELETE /notes/{id}"}, cov.Routes, "the mux's patterns")
	assert.Equal(t, []string{"GET /notes", "POST /notes"}, cov.Covered)
	assert.Equal(t, []string{"DELETE /notes/{id}"}, cov.NotCovered)
}
