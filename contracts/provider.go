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

	"github.com/pact-foundation/pact-go/v2/message"
	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/pact-foundation/pact-go/v2/provider"
)

// Provider is a service under verification.
type Provider struct {
	// Name is the provider's name as consumers wrote it in their pacts.
	Name string
	// Handler is the provider's real HTTP API; nil for a provider of
	// messages only.
	Handler http.Handler
	// Messages produce, by interaction description, the messages that
	// message pacts expect, from the provider's real code.
	Messages map[string]MessageProducer
	// States are the provider states this provider can be put in.
	States []State
	// Reset, if set, returns the provider's data to its starting point. It
	// runs between interactions whenever the previous one may have changed
	// data, so interactions never depend on each other's order.
	Reset func(ctx context.Context) error
	// Selectors replace the default consumer version selectors used with a
	// broker ({mainBranch}, {matchingBranch}, {deployedOrReleased}).
	Selectors []provider.ConsumerVersionSelector
	// WIPSince includes work-in-progress pacts published since then when
	// verifying from a broker (default: $ACCORD_WIP_SINCE, else 30 days ago).
	WIPSince time.Time
	// Routes are the provider's routes as ServeMux patterns ("GET /users/{id}");
	// the test output then says which no consumer contract covers (see RecordRoute).
	Routes []string
}

// VerifyProvider verifies p's real handler and message producers against
// the pacts that name p. Where the pacts come from is decided by the
// environment, so the same test serves a laptop and CI:
//
//   - PACT_URL set: exactly that pact (the build a broker webhook triggers);
//   - PACT_BROKER_BASE_URL set: the broker, with the recommended selectors,
//     pending pacts on and work-in-progress pacts since WIPSince; results
//     are published when CI=true or ACCORD_PUBLISH_VERIFICATION_RESULTS=true,
//     with the version and branch DetectBuild finds;
//   - otherwise: the pact files in PactDir.
//
// It fails t when a pact names a state or message p does not handle (for
// pending and WIP pacts from a broker it only reports it: those cannot
// break a provider's build), when no pact names p, or when an interaction
// does not match; the failure quotes the verifier's report, naming each
// broken interaction and what did not match.
func VerifyProvider(t *testing.T, p Provider) {
	t.Helper()
	configureLogging()
	if p.Name == "" || (p.Handler == nil && len(p.Messages) == 0) {
		t.Fatal("contracts: Provider needs a Name, and a Handler or Messages")
	}
	states := map[string]State{}
	for i, s := range p.States {
		switch {
		case s.Name == "":
			t.Fatalf("contracts: Provider.States[%d] has no Name", i)
		case s.Setup == nil:
			t.Fatalf("contracts: state %q has no Setup; build states with contracts.Given or contracts.GivenWith", s.Name)
		}
		if _, dup := states[s.Name]; dup {
			t.Fatalf("contracts: state %q is listed twice in Provider.States", s.Name)
		}
		states[s.Name] = s
	}
	run := newVerification(t, p, states)
	req := provider.VerifyRequest{
		Provider:               p.Name,
		ProviderBaseURL:        run.provider.URL,
		ProviderStatesSetupURL: run.states.URL + "/states",
		FailIfNoPactsFound:     true,
		DisableColoredOutput:   true,
		RequestTimeout:         30 * time.Second,
		MessageHandlers:        run.messageHandlers(),
	}
	if err := configureSource(t, p, states, &req, run); err != nil {
		t.Fatalf("contracts: %v", err)
	}
	run.verify(req)
}

// configureSource points req at the pacts the environment asks for.
func configureSource(t *testing.T, p Provider, states map[string]State, req *provider.VerifyRequest, run *verification) error {
	t.Helper()
	switch {
	case os.Getenv("PACT_URL") != "":
		url := os.Getenv("PACT_URL")
		pf, err := fetchPact(url)
		if err != nil {
			return err
		}
		if pf.Provider.Name != p.Name {
			return fmt.Errorf("PACT_URL=%s is a pact for the provider %q, and this is %q's verification.\n"+
				"Run the provider's own test (make verify-pact PACT_URL=... picks it), or unset PACT_URL", url, pf.Provider.Name, p.Name)
		}
		if err := checkHandled(t, p, states, pf); err != nil {
			return err
		}
		brokerURL := strings.TrimSuffix(os.Getenv("PACT_BROKER_BASE_URL"), "/")
		if brokerURL == "" {
			// pact-go adds $PACT_URL to the sources itself.
			t.Logf("verifying the one pact at PACT_URL=%s (no PACT_BROKER_BASE_URL: its pending status is unknown, so a failure fails)", url)
			return nil
		}
		build, err := configureBroker(req, p, brokerURL)
		if err != nil {
			return err
		}
		sel, pending, err := selectorFor(brokerURL, p.Name, build.Branch, url, pf)
		if err != nil {
			t.Logf("verifying the one pact at PACT_URL=%s; its pending status could not be read (%v), so a failure fails", url, err)
			req.BrokerURL = ""
			return nil
		}
		// Through the broker, with a selector that picks exactly this pact,
		// the verifier applies the pact's pending status: a consumer's new
		// expectation cannot fail the provider's build.
		t.Setenv("PACT_URL", "")
		req.ConsumerVersionSelectors = []provider.Selector{&sel}
		req.IncludeWIPPactsSince = nil
		run.lenient = true
		t.Logf("verifying the one pact at %s (consumer %s, branch %q; pending: %t) as %s %s; publishing results: %t",
			url, sel.Consumer, sel.Branch, pending, p.Name, build.Version, req.PublishVerificationResults)
	case os.Getenv("PACT_BROKER_BASE_URL") != "":
		build, err := configureBroker(req, p, strings.TrimSuffix(os.Getenv("PACT_BROKER_BASE_URL"), "/"))
		if err != nil {
			return err
		}
		selectors := p.Selectors
		if len(selectors) == 0 {
			selectors = []provider.ConsumerVersionSelector{{MainBranch: true}, {MatchingBranch: true}, {DeployedOrReleased: true}}
			if build.Branch == "" {
				// Without a branch (a detached HEAD) {matchingBranch} means nothing.
				selectors = []provider.ConsumerVersionSelector{{MainBranch: true}, {DeployedOrReleased: true}}
			}
		}
		for i := range selectors {
			req.ConsumerVersionSelectors = append(req.ConsumerVersionSelectors, &selectors[i])
		}
		run.lenient = true
		t.Logf("verifying pacts for %s from the broker %s as version %s (branch %q); publishing results: %t",
			p.Name, req.BrokerURL, build.Version, build.Branch, req.PublishVerificationResults)
	default:
		dir, err := PactDir()
		if err != nil {
			return err
		}
		pacts, err := pactsFor(dir, p.Name)
		if err != nil {
			return err
		}
		if len(pacts) == 0 {
			return fmt.Errorf("no pact in %s names the provider %q.\n"+
				"Run the consumer tests first, they write the pacts: go test -run '^TestConsumer' ./... (make test does this),"+
				" or set PACT_BROKER_BASE_URL to verify against a broker", dir, p.Name)
		}
		for _, pf := range pacts {
			if err := checkHandled(t, p, states, pf); err != nil {
				return err
			}
			req.PactFiles = append(req.PactFiles, pf.path)
		}
	}
	return nil
}

// checkHandled fails early, with the list of what p knows, when a pact needs
// a state or message p does not handle; and lists what will be verified.
func checkHandled(t *testing.T, p Provider, states map[string]State, pf pactFile) error {
	t.Helper()
	if missing := pf.unknownStates(states); len(missing) > 0 {
		return fmt.Errorf("the %s pact needs provider states that %s does not handle:\n  %s\n"+
			"Known states: %s.\nAdd a contracts.State for each to Provider.States.",
			pf.Consumer.Name, p.Name, strings.Join(missing, "\n  "), knownStates(states))
	}
	for _, in := range pf.all() {
		if in.isMessage() {
			if _, ok := p.Messages[in.Description]; !ok {
				return fmt.Errorf("the %s pact expects the message %q, which %s does not produce.\n"+
					"Known messages: %s.\nAdd a producer for it to Provider.Messages.",
					pf.Consumer.Name, in.Description, p.Name, knownMessages(p.Messages))
			}
		}
		t.Logf("verifying %s -> %s: %s", pf.Consumer.Name, p.Name, in.label())
	}
	return nil
}

// configureBroker points req at the broker with pending on, WIP since
// p.WIPSince, and this build's version and branch; results are published
// in CI or when asked.
func configureBroker(req *provider.VerifyRequest, p Provider, brokerURL string) (Build, error) {
	build, err := DetectBuild()
	if err != nil {
		return build, err
	}
	req.BrokerURL = brokerURL
	req.ProviderVersion = build.Version
	req.ProviderBranch = build.Branch
	req.BuildURL = build.URL
	req.EnablePending = true
	wip := p.WIPSince
	if wip.IsZero() {
		wip = time.Now().AddDate(0, 0, -30)
		if v := os.Getenv("ACCORD_WIP_SINCE"); v != "" {
			if wip, err = parseDate(v); err != nil {
				return build, fmt.Errorf("ACCORD_WIP_SINCE=%q: %w", v, err)
			}
		}
	}
	req.IncludeWIPPactsSince = &wip
	req.PublishVerificationResults = build.CI || os.Getenv("ACCORD_PUBLISH_VERIFICATION_RESULTS") == "true"
	return build, nil
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: use 2006-01-02 or RFC 3339")
}

// verification is one run of the verifier against a provider.
type verification struct {
	t        *testing.T
	p        Provider
	known    map[string]State
	provider *httptest.Server
	states   *httptest.Server

	lenient bool // problems are reported, not failures (pending/WIP pacts)
	routes  *routeRecorder

	mu         sync.Mutex
	dirty      bool // a request reached the provider since the last reset
	freshSetup bool // a state was set up since the last provider request
	problems   []string
}

func newVerification(t *testing.T, p Provider, known map[string]State) *verification {
	// dirty: data left by earlier tests is unknown, so start from a reset.
	v := &verification{t: t, p: p, known: known, dirty: true}
	if p.Handler == nil {
		p.Handler = http.NotFoundHandler()
		v.p = p
	}
	rr, err := newRouteRecorder(p.Routes)
	if err != nil {
		t.Fatalf("contracts: %v", err)
	}
	v.routes = rr
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

// messageHandlers adapts p.Messages to pact-go, with the same reset rules
// as HTTP requests.
func (v *verification) messageHandlers() message.Handlers {
	if len(v.p.Messages) == 0 {
		return nil
	}
	hs := message.Handlers{}
	for desc, produce := range v.p.Messages {
		hs[desc] = func([]models.ProviderState) (message.Body, message.Metadata, error) {
			ctx := context.Background()
			if err := v.beforeRequest(ctx); err != nil {
				return nil, nil, err
			}
			m, err := produce(ctx)
			if err != nil {
				v.mu.Lock()
				v.problems = append(v.problems, fmt.Sprintf("producing the message %q failed: %v", desc, err))
				v.mu.Unlock()
				return nil, nil, err
			}
			return m.Body, message.Metadata(m.Metadata), nil
		}
	}
	return hs
}

// beforeRequest resets data when the interaction about to run has no
// provider states of its own and the previous one may have written data.
func (v *verification) beforeRequest(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.freshSetup && v.dirty {
		if err := v.reset(ctx); err != nil {
			return err
		}
	}
	v.freshSetup = false
	v.dirty = true
	return nil
}

func (v *verification) serveProvider(w http.ResponseWriter, r *http.Request) {
	if err := v.beforeRequest(r.Context()); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	v.routes.serve(v.p.Handler, w, r)
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
	if call.State == "" {
		// The verifier announces an interaction without provider states
		// with an empty state: it only needs clean data.
		if call.Action == "setup" && v.dirty {
			if err := v.reset(r.Context()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		v.freshSetup = call.Action == "setup"
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
		return
	}
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
			v.dirty = true // it may have written half of its data
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
	if line, ok := v.routes.summary(); ok {
		t.Log("contracts: " + line)
	}
	v.mu.Lock()
	problems := slices.Clone(v.problems)
	v.mu.Unlock()
	for _, p := range problems {
		if v.lenient {
			t.Log("contracts: " + p + " (the verifier decides whether this fails the build: pending and WIP pacts cannot)")
		} else {
			t.Error("contracts: " + p)
		}
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

func knownStates(states map[string]State) string { return quotedKeys(states) }

func knownMessages(ms map[string]MessageProducer) string { return quotedKeys(ms) }

// quotedKeys lists m's keys, quoted and sorted, or "none".
func quotedKeys[V any](m map[string]V) string {
	if len(m) == 0 {
		return "none"
	}
	names := make([]string, 0, len(m))
	for n := range m {
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
	// Links are there when the pact came from a broker.
	Links struct {
		ConsumerVersion struct {
			Href string `json:"href"`
		} `json:"pb:consumer-version"`
	} `json:"_links"`
}

type pactInteraction struct {
	Type           string `json:"type"` // V4: "Synchronous/HTTP", "Asynchronous/Messages", ...
	Description    string `json:"description"`
	ProviderState  string `json:"providerState"` // V2
	ProviderStates []struct {
		Name string `json:"name"`
	} `json:"providerStates"` // V3, V4
}

func (in pactInteraction) isMessage() bool {
	return strings.Contains(in.Type, "Messages")
}

func (pf pactFile) all() []pactInteraction {
	return append(slices.Clone(pf.Interactions), pf.Messages...)
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
	seen := map[string]bool{}
	for _, in := range pf.all() {
		for _, s := range in.stateNames() {
			if _, ok := known[s]; !ok && !seen[s] {
				seen[s] = true
				missing = append(missing, fmt.Sprintf("%q (in %q)", s, in.Description))
			}
		}
	}
	return missing
}

// fetchPact reads the pact at url, with the broker credentials pact-go
// would use, to check states and list interactions before verifying.
func fetchPact(url string) (pactFile, error) {
	var pf pactFile
	if err := brokerJSON(http.MethodGet, url, nil, &pf); err != nil {
		return pactFile{}, fmt.Errorf("fetch the pact at PACT_URL: %w (check the URL and PACT_BROKER_TOKEN / PACT_BROKER_USERNAME)", err)
	}
	if pf.Consumer.Name == "" || pf.Provider.Name == "" {
		return pactFile{}, fmt.Errorf("PACT_URL=%s is not a pact: it names no consumer and provider", url)
	}
	return pf, nil
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
