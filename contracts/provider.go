package contracts

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/provider"
)

// Provider is a service under verification.
type Provider struct {
	// Name is the provider's name as consumers wrote it in their pacts.
	Name string
	// Handler is the provider's real HTTP API.
	Handler http.Handler
	// States are the provider states this provider can be put in.
	States []State
	// Reset, if set, returns the provider's data to its starting point. It
	// runs between interactions whenever the previous one may have changed
	// data, so interactions never depend on each other's order.
	Reset func(ctx context.Context) error
}

// VerifyProvider verifies p's real handler against every pact in PactDir
// whose provider is p.Name. It fails t when a pact names a state p does not
// handle, when no pact names p, or when any interaction does not match; the
// failure quotes the verifier's report, naming each broken interaction and
// what did not match.
func VerifyProvider(t *testing.T, p Provider) {
	t.Helper()
	configureLogging()
	if p.Name == "" || p.Handler == nil {
		t.Fatal("contracts: Provider needs a Name and a Handler")
	}
	dir, err := PactDir()
	if err != nil {
		t.Fatalf("contracts: %v", err)
	}
	pacts, err := pactsFor(dir, p.Name)
	if err != nil {
		t.Fatalf("contracts: %v", err)
	}
	if len(pacts) == 0 {
		t.Fatalf("contracts: no pact in %s names the provider %q.\n"+
			"Run the consumer tests first, they write the pacts: go test -run '^TestConsumer' ./... (make test does this).",
			dir, p.Name)
	}
	states := map[string]State{}
	for _, s := range p.States {
		states[s.Name] = s
	}
	var files []string
	for _, pf := range pacts {
		files = append(files, pf.path)
		if missing := pf.unknownStates(states); len(missing) > 0 {
			t.Fatalf("contracts: the %s pact needs provider states that %s does not handle:\n  %s\n"+
				"Known states: %s.\nAdd a contracts.State for each to Provider.States.",
				pf.Consumer.Name, p.Name, strings.Join(missing, "\n  "), knownStates(states))
		}
		for _, in := range pf.Interactions {
			t.Logf("verifying %s -> %s: %s", pf.Consumer.Name, p.Name, in.label())
		}
	}
	run := newVerification(t, p, states)
	req := provider.VerifyRequest{
		Provider:               p.Name,
		ProviderBaseURL:        run.provider.URL,
		ProviderStatesSetupURL: run.states.URL + "/states",
		PactFiles:              files,
		FailIfNoPactsFound:     true,
		DisableColoredOutput:   true,
		RequestTimeout:         30 * time.Second,
	}
	run.verify(req)
}

// verification is one run of the verifier against a provider.
type verification struct {
	t        *testing.T
	p        Provider
	known    map[string]State
	provider *httptest.Server
	states   *httptest.Server

	mu         sync.Mutex
	dirty      bool // a request reached the provider since the last reset
	freshSetup bool // a state was set up since the last provider request
	problems   []string
}

func newVerification(t *testing.T, p Provider, known map[string]State) *verification {
	v := &verification{t: t, p: p, known: known}
	v.provider = newLoopbackServer(t, http.HandlerFunc(v.serveProvider))
	v.states = newLoopbackServer(t, http.HandlerFunc(v.serveState))
	return v
}

func newLoopbackServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("contracts: listen on loopback: %v", err)
	}
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func (v *verification) serveProvider(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	if !v.freshSetup && v.dirty {
		// An interaction without provider states follows one that may have
		// written data: start it from clean data too.
		if err := v.reset(r.Context()); err != nil {
			v.mu.Unlock()
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	v.freshSetup = false
	v.dirty = true
	v.mu.Unlock()
	v.p.Handler.ServeHTTP(w, r)
}

// serveState answers the verifier's provider-state calls:
// {"action": "setup"|"teardown", "state": "...", "params": {...}}.
func (v *verification) serveState(w http.ResponseWriter, r *http.Request) {
	var call struct {
		Action string         `json:"action"`
		State  string         `json:"state"`
		Params map[string]any `json:"params"`
	}
	if err := json.NewDecoder(r.Body).Decode(&call); err != nil {
		http.Error(w, "bad provider state call: "+err.Error(), http.StatusBadRequest)
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	st, ok := v.known[call.State]
	if !ok {
		msg := fmt.Sprintf("provider state %q is not handled by %s (known states: %s)", call.State, v.p.Name, knownStates(v.known))
		v.problems = append(v.problems, msg)
		http.Error(w, msg, http.StatusNotImplemented)
		return
	}
	ctx := r.Context()
	switch call.Action {
	case "setup":
		if v.dirty {
			if err := v.reset(ctx); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		v.freshSetup = true
		values, err := st.Setup(ctx, call.Params)
		if err != nil {
			msg := fmt.Sprintf("setting up provider state %q failed: %v", call.State, err)
			v.problems = append(v.problems, msg)
			http.Error(w, msg, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if values == nil {
			values = map[string]any{}
		}
		_ = json.NewEncoder(w).Encode(values)
	case "teardown":
		if st.Teardown != nil {
			if err := st.Teardown(ctx, call.Params); err != nil {
				msg := fmt.Sprintf("tearing down provider state %q failed: %v", call.State, err)
				v.problems = append(v.problems, msg)
				http.Error(w, msg, http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	default:
		http.Error(w, "unknown provider state action "+call.Action, http.StatusBadRequest)
	}
}

func (v *verification) reset(ctx context.Context) error {
	v.dirty = false
	if v.p.Reset == nil {
		return nil
	}
	if err := v.p.Reset(ctx); err != nil {
		msg := fmt.Sprintf("resetting %s's data between interactions failed: %v", v.p.Name, err)
		v.problems = append(v.problems, msg)
		return fmt.Errorf("%s", msg)
	}
	return nil
}

func (v *verification) verify(req provider.VerifyRequest) {
	t := v.t
	t.Helper()
	var err error
	report := captureStdout(func() {
		err = provider.NewVerifier().VerifyProvider(t, req)
	})
	v.mu.Lock()
	problems := slices.Clone(v.problems)
	v.mu.Unlock()
	for _, p := range problems {
		t.Error("contracts: " + p)
	}
	if err != nil {
		t.Errorf("contracts: %s does not honour its contracts (%v).\n%s\n"+
			"Fix the provider, or, if the consumer's expectation is wrong, change the consumer test and publish a new pact.",
			v.p.Name, err, failureSection(report))
	}
}

// failureSection returns the verifier's "Failures:" report, which names each
// broken interaction and each mismatch.
func failureSection(report string) string {
	if i := strings.Index(report, "Failures:"); i >= 0 {
		return strings.TrimSpace(report[i:])
	}
	return "(the verifier's report is printed above)"
}

func knownStates(states map[string]State) string {
	if len(states) == 0 {
		return "none"
	}
	names := make([]string, 0, len(states))
	for n := range states {
		names = append(names, strconvQuote(n))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// pactFile is the part of a pact file the library reads itself.
type pactFile struct {
	path     string
	Consumer struct {
		Name string `json:"name"`
	} `json:"consumer"`
	Provider struct {
		Name string `json:"name"`
	} `json:"provider"`
	Interactions []pactInteraction `json:"interactions"`
	Messages     []pactInteraction `json:"messages"` // V3 message pacts
}

type pactInteraction struct {
	Description    string `json:"description"`
	ProviderState  string `json:"providerState"` // V2
	ProviderStates []struct {
		Name string `json:"name"`
	} `json:"providerStates"` // V3, V4
}

func (in pactInteraction) stateNames() []string {
	var names []string
	if in.ProviderState != "" {
		names = append(names, in.ProviderState)
	}
	for _, s := range in.ProviderStates {
		names = append(names, s.Name)
	}
	return names
}

func (in pactInteraction) label() string {
	if s := in.stateNames(); len(s) > 0 {
		return fmt.Sprintf("%s (given %s)", in.Description, strings.Join(s, ", "))
	}
	return in.Description
}

func (pf pactFile) unknownStates(known map[string]State) []string {
	var missing []string
	for _, in := range append(pf.Interactions, pf.Messages...) {
		for _, s := range in.stateNames() {
			if _, ok := known[s]; !ok && !slices.Contains(missing, s) {
				missing = append(missing, fmt.Sprintf("%q (in %q)", s, in.Description))
			}
		}
	}
	return missing
}

// pactsFor reads every pact file in dir whose provider is name.
func pactsFor(dir, name string) ([]pactFile, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []pactFile
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read pact: %w", err)
		}
		var pf pactFile
		if err := json.Unmarshal(b, &pf); err != nil {
			return nil, fmt.Errorf("pact %s is not valid JSON: %w; delete it and re-run the consumer tests", path, err)
		}
		if pf.Provider.Name == name {
			pf.path = path
			out = append(out, pf)
		}
	}
	return out, nil
}
