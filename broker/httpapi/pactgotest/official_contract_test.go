package pactgotest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pact-foundation/pact-go/v2/provider"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

const (
	officialConsumer = "Pact Broker Client V2"
	officialProvider = "Pact Broker"
	childEnv         = "ACCORD_OFFICIAL_CONTRACT_PACT_URL"
)

// minOfficialPasses is how many of the 67 interactions pass: all of them,
// since environments, deployments, releases and the matrix are built too.
const minOfficialPasses = 67

// laterIssues matches the interactions excused because a later broker issue
// builds them; none are left, so every interaction must pass.
func laterIssues(path string) bool { return false }

func officialPactFile(t *testing.T) string {
	// The official Ruby client's contract with the Pact Broker, copied from
	// pact_broker-client (MIT).
	p, err := filepath.Abs(filepath.Join("testdata", "pact-broker-client-v2__pact-broker.json"))
	if err == nil {
		_, err = os.Stat(p)
	}
	if err != nil {
		t.Fatalf("the official client's contract is missing: %v", err)
	}
	return p
}

// TestOfficialClientContract verifies the Ruby pact_broker-client's own
// contract with the Pact Broker against our broker. The verifier runs in a
// child process (this test binary again, in child mode) because pact-go
// fails the calling test on any mismatch and the later issues' interactions
// are expected to fail for now. The child publishes per-interaction results
// to a second broker, where this test reads them.
func TestOfficialClientContract(t *testing.T) {
	if url := os.Getenv(childEnv); url != "" {
		verifyOfficialContract(t, url)
		return
	}
	ctx := context.Background()
	results := brokertest.NewStore(t, "sqlite")
	resultsURL := brokertest.Serve(t, results, httpapi.Config{})
	content, err := os.ReadFile(officialPactFile(t))
	require.NoError(t, err)
	pact, _, err := results.PutPact(ctx, officialConsumer, officialProvider, "fixture", content, false)
	require.NoError(t, err)

	cmd := exec.Command(os.Args[0], "-test.run=^TestOfficialClientContract$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+resultsURL+"/pacts/provider/Pact%20Broker/consumer/Pact%20Broker%20Client%20V2/version/fixture")
	out, _ := cmd.CombinedOutput() // the child fails while later issues' interactions do

	v, err := results.LatestVerification(ctx, officialConsumer, officialProvider, pact.SHA)
	require.NoError(t, err, "the verifier published no results; its output:\n%s", out)
	var entries []struct {
		InteractionID string `json:"interactionId"`
		Success       bool   `json:"success"`
	}
	require.NoError(t, json.Unmarshal(v.TestResults, &entries))
	ok := map[string]bool{}
	for _, e := range entries {
		ok[e.InteractionID] = e.Success
	}
	doc, err := broker.ParsePact(pact.Content)
	require.NoError(t, err)
	interactions := doc["interactions"].([]any)
	require.Len(t, interactions, 67)

	var passed, failedInScope, remaining []string
	for _, it := range interactions {
		m := it.(map[string]any)
		req := m["request"].(map[string]any)
		name := fmt.Sprintf("%s %s — %s", req["method"], req["path"], m["description"])
		if st, _ := m["providerState"].(string); st != "" {
			name += " (given " + st + ")"
		}
		pass, seen := ok[m["_id"].(string)]
		switch {
		case seen && pass:
			passed = append(passed, name)
		case laterIssues(req["path"].(string)):
			remaining = append(remaining, name)
		default:
			failedInScope = append(failedInScope, name)
		}
	}
	sort.Strings(remaining)
	t.Logf("%d of %d interactions pass; %d remain for the later broker issues:\n  %s", len(passed), len(interactions), len(remaining), strings.Join(remaining, "\n  "))
	assert.Empty(t, failedInScope, "these interactions belong to this part of the broker and must pass; verifier output:\n%s", out)
	assert.GreaterOrEqual(t, len(passed), minOfficialPasses)
}

// swapBroker serves the broker under test over a store that is replaced
// by an empty one between interactions.
type swapBroker struct {
	t     *testing.T
	mu    sync.Mutex
	store *sqlstore.Store
	api   http.Handler
	n     int
}

func (b *swapBroker) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.store != nil {
		b.store.Close()
	}
	b.n++
	s, err := sqlstore.Open(context.Background(), "sqlite://"+filepath.Join(b.t.TempDir(), fmt.Sprintf("b%d.sqlite3", b.n)), nil)
	require.NoError(b.t, err)
	b.store = s
	// The Ruby broker's own verification uses this base URL; some
	// interactions expect it literally.
	b.api = brokertest.API(s, httpapi.Config{BaseURL: "http://example.org"})
}

func (b *swapBroker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	h := b.api
	b.mu.Unlock()
	h.ServeHTTP(w, r)
}

func (b *swapBroker) current() *sqlstore.Store {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.store
}

func verifyOfficialContract(t *testing.T, pactURL string) {
	b := &swapBroker{t: t}
	b.reset()
	t.Cleanup(func() { b.current().Close() })
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)

	states := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			State  string `json:"state"`
			Action string `json:"action"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if req.Action == "teardown" {
			b.reset()
		} else if err := seedState(b.current(), req.State); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(states.Close)

	_ = provider.NewVerifier().VerifyProvider(t, provider.VerifyRequest{
		Provider:                   officialProvider,
		ProviderBaseURL:            srv.URL,
		PactURLs:                   []string{pactURL},
		ProviderStatesSetupURL:     states.URL,
		ProviderVersion:            "accord",
		PublishVerificationResults: true,
		DisableColoredOutput:       true,
	})
}

// seedState puts the broker into a provider state of the official
// contract, following the Ruby broker's own state definitions.
func seedState(s *sqlstore.Store, state string) error {
	ctx := context.Background()
	emptyPact := func(consumer, provider string) []byte {
		b, _ := json.Marshal(map[string]any{"consumer": map[string]any{"name": consumer}, "provider": map[string]any{"name": provider},
			"interactions": []any{}, "metadata": map[string]any{"pactSpecification": map[string]any{"version": "2.0.0"}}})
		return b
	}
	pricing := func() error {
		url := "git@git.realestate.com.au:business-systems/pricing-service"
		if _, _, err := s.UpdatePacticipant(ctx, "Pricing Service", broker.PacticipantUpdate{RepositoryURL: &url}, true); err != nil {
			return err
		}
		_, _, err := s.PutVersion(ctx, "Pricing Service", "1.3.0", broker.VersionUpdate{})
		return err
	}
	condor := func() error {
		_, _, err := s.PutVersion(ctx, "Condor", "1.3.0", broker.VersionUpdate{})
		return err
	}
	pact := func(tags ...string) error {
		if _, _, err := s.PutPact(ctx, "Condor", "Pricing Service", "1.3.0", emptyPact("Condor", "Pricing Service"), false); err != nil {
			return err
		}
		for _, tag := range tags {
			if _, _, err := s.AddTag(ctx, "Condor", "1.3.0", tag); err != nil {
				return err
			}
		}
		return nil
	}
	fooVersion := func(envs ...broker.Environment) error {
		if _, _, err := s.PutVersion(ctx, "Foo", "5556b8149bf8bac76bc30f50a8a2dd4c22c85f30", broker.VersionUpdate{}); err != nil {
			return err
		}
		for _, e := range envs {
			if _, err := s.CreateEnvironment(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}
	testEnv := broker.Environment{Name: "test", DisplayName: "Test", UUID: "cb632df3-0a0d-4227-aac3-60114dd36479"}
	if handled, err := seedDeploymentState(s, state); handled {
		return err
	}
	switch state {
	case "'Condor' exists in the pact-broker":
		return condor()
	case "'Condor' exists in the pact-broker with the latest tagged 'production' version 1.2.3":
		if _, _, err := s.AddTag(ctx, "Condor", "1.2.3", "production"); err != nil {
			return err
		}
		_, _, err := s.PutVersion(ctx, "Condor", "2.0.0", broker.VersionUpdate{})
		return err
	case "'Condor' exists in the pact-broker with the latest version 1.2.3":
		_, _, err := s.PutVersion(ctx, "Condor", "1.2.3", broker.VersionUpdate{})
		return err
	case "'Condor' exists in the pact-broker with version 1.3.0, tagged with 'prod'":
		_, _, err := s.AddTag(ctx, "Condor", "1.3.0", "prod")
		return err
	case "a branch named main exists for pacticipant Foo":
		_, _, err := s.AddBranchVersion(ctx, "Foo", "main", "1")
		return err
	case "a latest pact between Condor and the Pricing Service exists",
		"a pact between Condor and the Pricing Service exists",
		"the 'Pricing Service' and 'Condor' already exist in the pact-broker, and Condor already has a pact published for version 1.3.0":
		return pact()
	case "a pact between Condor and the Pricing Service exists for the production version of Condor",
		"tagged as prod pact between Condor and the Pricing Service exists":
		return pact("prod")
	case "a pacticipant with name Foo exists":
		_, err := s.CreatePacticipant(ctx, "Foo", broker.PacticipantUpdate{})
		return err
	case "the 'Pricing Service' already exists in the pact-broker":
		return pricing()
	case "the 'Pricing Service' and 'Condor' already exist in the pact-broker":
		if err := pricing(); err != nil {
			return err
		}
		return condor()
	case "an environment with name test and UUID 16926ef3-590f-4e3f-838e-719717aa88c9 exists":
		_, err := s.CreateEnvironment(ctx, broker.Environment{Name: "test", DisplayName: "Test", UUID: "16926ef3-590f-4e3f-838e-719717aa88c9"})
		return err
	case "an environment exists", "an environment with name test exists":
		contacts := []byte(`[{"name": "foo", "details": {"emailAddress": "foo@bar.com"}}]`)
		_, err := s.CreateEnvironment(ctx, broker.Environment{Name: "test", DisplayName: "Test", Contacts: contacts})
		return err
	case "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with 2 environments that aren't test available for deployment":
		return fooVersion(broker.Environment{Name: "prod", DisplayName: "Production", Production: true}, broker.Environment{Name: "dev", DisplayName: "Development"})
	case "version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for deployment",
		"version 5556b8149bf8bac76bc30f50a8a2dd4c22c85f30 of pacticipant Foo exists with a test environment available for release":
		return fooVersion(testEnv)
	case "a webhook with the uuid 696c5f93-1b7f-44bc-8d03-59440fcaa9a0 exists":
		return seedWebhook(s, "696c5f93-1b7f-44bc-8d03-59440fcaa9a0")
	}
	// States of the matrix, webhook and deployment interactions, and those
	// that need nothing ("... does not exist", index relations).
	return nil
}
