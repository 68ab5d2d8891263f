package contracts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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
	// Handler is the provider's real HTTP API; nil for a provider of
	// messages only.
	Handler http.Handler
	// Messages produce, by interaction description, the messages that
	// message pacts expect, from the provider's real code.
	Messages map[string]MessageProducer
	// SyncMessages answer, by interaction description, the synchronous
	// messages (V4 request/response messages) that pacts expect.
	SyncMessages map[string]SyncMessageHandler
	// States are the provider states this provider can be put in.
	States []State
	// Reset, if set, returns the provider's data to its starting point. It
	// runs between interactions whenever the previous one may have changed
	// data, so interactions never depend on each other's order.
	Reset func(ctx context.Context) error
	// URL is the base URL of a provider already running (a container, a
	// service in any language), verified instead of Handler.
	URL string
	// StateChangeURL is the provider's own state-change endpoint (pact's
	// provider-states URL, as in its other languages): states not in
	// States are POSTed there as {"action": "setup"|"teardown", "state",
	// "params"}. Then the pacts may name states States does not list.
	StateChangeURL string
	// RequestFilters change each request before it reaches the provider
	// or its StateChangeURL, e.g. to add the Authorization header a real
	// caller would have (not part of the contract, so use sparingly).
	RequestFilters []func(r *http.Request)
	// Source is where the pacts come from: PactFiles, PactURL or Broker.
	// Unset, SourceFromEnv() decides, as it always has.
	Source Source
	// Selectors replace the default consumer version selectors when
	// SourceFromEnv() picks a broker ({mainBranch}, {matchingBranch},
	// {deployedOrReleased}). With an explicit Source, use Broker.Selectors.
	Selectors []provider.ConsumerVersionSelector
	// WIPSince includes work-in-progress pacts published since then when
	// SourceFromEnv() picks a broker (default: $ACCORD_WIP_SINCE, else 30
	// days ago). With an explicit Source, use Broker.WIPSince.
	WIPSince time.Time
	// Routes are the provider's routes as ServeMux patterns ("GET /users/{id}"):
	// the list its mux is built from, or its OpenAPI document's (OpenAPI.Routes).
	// Unset, a Handler that lists its patterns (a route.Mux) gives them.
	// The test output then says which no consumer contract covers, and a run that
	// publishes verification results publishes the coverage (see RecordRoute).
	Routes []string
}

// VerifyProvider verifies p's real handler and message producers against
// the pacts that name p, read from p.Source (SourceFromEnv() when unset).
//
// Each interaction is its own subtest, named by consumer and description
// (TestProviderUsers/gateway/a_request_for_user_1), passing or failing with
// that interaction's mismatches only; a failure prints the command that
// re-runs just it. The verifier still runs once for all of them, so a
// broker gets one verification result per pact. When -run selects some
// interactions only, only those are verified, and nothing is published: a
// partial run says nothing about the pact as a whole.
//
// The subtests report when the calling test function returns (they are
// parallel subtests, which is how they can all be registered before the
// one verifier run): code after VerifyProvider sees the verifier's effects
// (resets, states), but t.Failed() does not yet include the subtests'
// failures.
//
// It fails t when a pact names a state or message p does not handle (for
// pending and WIP pacts from a broker it only reports it: those cannot
// break a provider's build), or when no pact names p.
func VerifyProvider(t *testing.T, p Provider) {
	t.Helper()
	if p.Name == "" || (p.Handler == nil && p.URL == "" && len(p.Messages) == 0 && len(p.SyncMessages) == 0) {
		t.Fatal("contracts: Provider needs a Name, and a Handler, a URL, Messages or SyncMessages")
	}
	if p.Handler != nil && p.URL != "" {
		t.Fatal("contracts: Provider has both a Handler and a URL; set one (Handler for a Go handler in the test, URL for a provider already running)")
	}
	if p.URL != "" {
		if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("contracts: Provider.URL %q is not an http(s) URL like http://127.0.0.1:8080", p.URL)
		}
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
	src := p.Source
	if src == nil {
		src = SourceFromEnv()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	plan, err := src.resolve(ctx, p)
	if err != nil {
		t.Fatalf("contracts: %v", err)
	}
	if os.Getenv(brokenVariantEnv) == "1" && plan.publish != nil {
		t.Logf("contracts: a broken variant (%s=1) never publishes its results", brokenVariantEnv)
		plan.publish = nil
	}
	t.Logf("verifying %s", plan.describe)
	for _, pf := range plan.pacts {
		if err := checkHandled(p, states, pf); err != nil {
			if !pf.pending {
				t.Fatalf("contracts: %v", err)
			}
			t.Logf("contracts: %v\n(the %s pact is pending or work in progress, so this cannot fail the build)", err, pf.Consumer.Name)
		}
	}

	items := planInteractions(plan.pacts)
	done := make(chan struct{})
	var closeOnce sync.Once
	finish := func() { closeOnce.Do(func() { close(done) }) }
	// A t.Fatal below must not leave the subtests waiting for ever.
	defer finish()
	for _, it := range items {
		t.Run(it.name, func(st *testing.T) {
			it.selected = true
			st.Parallel()
			<-done
			it.report(st, p.Name)
		})
	}
	var selected []*interactionRun
	for _, it := range items {
		if it.selected {
			selected = append(selected, it)
		}
	}
	if len(selected) == 0 {
		t.Logf("contracts: -run selects none of the %d interactions; nothing verified", len(items))
		return
	}
	run := newVerification(t, p, states)
	run.verify(plan, items, selected)
	finish()
}

// verification is one run of the verifier against a provider.
type verification struct {
	t        *testing.T
	p        Provider
	known    map[string]State
	provider *httptest.Server
	states   *httptest.Server
	messages *httptest.Server
	routes   *routeRecorder

	httpOrder []*interactionRun // the HTTP interactions the verifier will run, in order

	mu         sync.Mutex
	dirty      bool // a request reached the provider since the last reset
	freshSetup bool // a state was set up since the last provider request
	problems   []string
	served     int // provider requests so far
}

func newVerification(t *testing.T, p Provider, known map[string]State) *verification {
	// dirty: data left by earlier tests is unknown, so start from a reset.
	v := &verification{t: t, p: p, known: known, dirty: true}
	switch {
	case p.URL != "":
		// A running provider is reached through a reverse proxy, so
		// resets, request filters and route records work as for a handler.
		u, _ := url.Parse(p.URL)
		p.Handler = httputil.NewSingleHostReverseProxy(u)
		v.p = p
	case p.Handler == nil:
		p.Handler = http.NotFoundHandler()
		v.p = p
	}
	routes := p.Routes
	if lister, ok := p.Handler.(interface{ Patterns() []string }); ok && len(routes) == 0 {
		routes = lister.Patterns() // a route.Mux lists what was registered on it
	}
	rr, err := newRouteRecorder(routes)
	if err != nil {
		t.Fatalf("contracts: %v", err)
	}
	v.routes = rr
	v.provider = newLoopbackServer(t, http.HandlerFunc(v.serveProvider))
	v.states = newLoopbackServer(t, http.HandlerFunc(v.serveState))
	if len(p.Messages) > 0 || len(p.SyncMessages) > 0 {
		v.messages = newLoopbackServer(t, http.HandlerFunc(v.serveMessage))
	}
	return v
}

func newLoopbackServer(t testing.TB, h http.Handler) *httptest.Server {
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

// serveMessage answers the verifier's message requests (the "message"
// transport): {"description": "...", "providerStates": [...]} for an
// asynchronous message, plus "request" for a synchronous one. The answer's
// body is the message, its metadata in the Pact-Message-Metadata header
// (base64 JSON), with the same reset rules as HTTP requests.
func (v *verification) serveMessage(w http.ResponseWriter, r *http.Request) {
	var call struct {
		Description string          `json:"description"`
		Request     json.RawMessage `json:"request"`
	}
	if err := json.NewDecoder(r.Body).Decode(&call); err != nil {
		http.Error(w, "bad message request: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	fail := func(what string, err error) {
		msg := fmt.Sprintf("%s %q failed: %v", what, call.Description, err)
		v.mu.Lock()
		v.problems = append(v.problems, msg)
		v.mu.Unlock()
		http.Error(w, msg, http.StatusInternalServerError)
	}
	var m Message
	if len(call.Request) > 0 && string(call.Request) != "null" {
		handle, ok := v.p.SyncMessages[call.Description]
		if !ok {
			http.Error(w, fmt.Sprintf("%s answers no synchronous message %q (known: %s)", v.p.Name, call.Description, quotedKeys(v.p.SyncMessages)), http.StatusNotFound)
			return
		}
		req, err := decodeSyncRequest(call.Request)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := v.beforeRequest(ctx); err != nil {
			fail("answering the synchronous message", err)
			return
		}
		if m, err = handle(ctx, req); err != nil {
			fail("answering the synchronous message", err)
			return
		}
	} else {
		produce, ok := v.p.Messages[call.Description]
		if !ok {
			http.Error(w, fmt.Sprintf("%s produces no message %q (known: %s)", v.p.Name, call.Description, knownMessages(v.p.Messages)), http.StatusNotFound)
			return
		}
		if err := v.beforeRequest(ctx); err != nil {
			fail("producing the message", err)
			return
		}
		var err error
		if m, err = produce(ctx); err != nil {
			fail("producing the message", err)
			return
		}
	}
	writeMessage(w, m)
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
	// The per-interaction hook: interactionOf(r) says which interaction
	// this request verifies, for whatever records per interaction.
	r = r.WithContext(context.WithValue(r.Context(), interactionKey{}, v.nextHTTPInteraction()))
	for _, f := range v.p.RequestFilters {
		f(r)
	}
	v.routes.serve(v.p.Handler, w, r)
}

// forwardState sends a state call the provider handles itself to its
// StateChangeURL, and relays the answer (its values feed
// fromProviderState), resetting first as for local states. v.mu is held.
func (v *verification) forwardState(w http.ResponseWriter, r *http.Request, action, state string, params map[string]any) {
	if action == "setup" {
		if v.dirty {
			if err := v.reset(r.Context()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		v.freshSetup = true
	}
	if params == nil {
		params = map[string]any{}
	}
	body, _ := json.Marshal(map[string]any{"action": action, "state": state, "params": params})
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, v.p.StateChangeURL, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	for _, f := range v.p.RequestFilters {
		f(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		msg := fmt.Sprintf("provider state %q: %s's state-change URL %s: %v", state, v.p.Name, v.p.StateChangeURL, err)
		v.problems = append(v.problems, msg)
		http.Error(w, msg, http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		msg := fmt.Sprintf("provider state %q (%s): %s's state-change URL answered %s: %s", state, action, v.p.Name, resp.Status, bytes.TrimSpace(out))
		v.problems = append(v.problems, msg)
		http.Error(w, msg, resp.StatusCode)
		return
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	_, _ = w.Write(out)
}

type interactionKey struct{}

// interactionOf is the interaction a provider request verifies (nil when
// unknown).
func interactionOf(r *http.Request) *interactionRun {
	it, _ := r.Context().Value(interactionKey{}).(*interactionRun)
	return it
}

// nextHTTPInteraction is the interaction the next provider request
// verifies: the verifier runs the HTTP interactions in order, sending one
// request for each.
func (v *verification) nextHTTPInteraction() *interactionRun {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.served >= len(v.httpOrder) {
		return nil
	}
	it := v.httpOrder[v.served]
	v.served++
	return it
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
	if !ok && v.p.StateChangeURL != "" {
		v.forwardState(w, r, call.Action, call.State, call.Params)
		return
	}
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
	pending  bool // pending or work in progress for this provider build
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

func (in pactInteraction) isMessage() bool { return in.Type == "Asynchronous/Messages" }

func (in pactInteraction) isSyncMessage() bool { return in.Type == "Synchronous/Messages" }

// all lists the pact's interactions in the order the verifier runs them.
func (pf pactFile) all() []pactInteraction {
	all := slices.Clone(pf.Interactions)
	for _, m := range pf.Messages {
		if m.Type == "" {
			m.Type = "Asynchronous/Messages" // a V3 message pact
		}
		all = append(all, m)
	}
	return all
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

// fetchPact reads the pact at url, to check states and list interactions
// before verifying.
func fetchPact(ctx context.Context, url string, auth BrokerAuth) (pactFile, error) {
	var pf pactFile
	if err := brokerJSON(ctx, http.MethodGet, url, auth, nil, &pf); err != nil {
		return pactFile{}, fmt.Errorf("fetch the pact at %s: %w (check the URL and the broker credentials)", url, err)
	}
	if pf.Consumer.Name == "" || pf.Provider.Name == "" {
		return pactFile{}, fmt.Errorf("%s is not a pact: it names no consumer and provider", url)
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

// checkHandled fails early, with the list of what p knows, when a pact needs
// a state or message p does not handle.
func checkHandled(p Provider, states map[string]State, pf pactFile) error {
	if missing := pf.unknownStates(states); len(missing) > 0 && p.StateChangeURL == "" {
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
		if in.isSyncMessage() {
			if _, ok := p.SyncMessages[in.Description]; !ok {
				return fmt.Errorf("the %s pact expects the synchronous message %q, which %s does not answer.\n"+
					"Known synchronous messages: %s.\nAdd a handler for it to Provider.SyncMessages.",
					pf.Consumer.Name, in.Description, p.Name, quotedKeys(p.SyncMessages))
			}
		}
	}
	return nil
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: use 2006-01-02 or RFC 3339")
}

// verify runs the verifier once over the plan's pacts, limited to the
// selected interactions when -run picked only some, and gives each
// interaction its outcome.
func (v *verification) verify(plan *sourcePlan, items, selected []*interactionRun) {
	t := v.t
	t.Helper()
	fv := newFFIVerifier()
	defer fv.close()
	u, _ := url.Parse(v.provider.URL)
	port, _ := strconv.Atoi(u.Port())
	fv.providerInfo(v.p.Name, u.Scheme, u.Hostname(), port, u.Path)
	if v.messages != nil {
		mu, _ := url.Parse(v.messages.URL)
		mport, _ := strconv.Atoi(mu.Port())
		fv.transport("message", mport, "/", "http")
	}
	fv.stateChangeURL(v.states.URL + "/states")
	fv.options(30_000, stdoutIsTerminal())
	plan.configure(fv)

	ran := func(*interactionRun) bool { return true }
	if len(selected) < len(items) {
		descs := map[string]bool{}
		consumers := map[string]bool{}
		var alts, names []string
		for _, it := range selected {
			if !descs[it.in.Description] {
				descs[it.in.Description] = true
				alts = append(alts, regexp.QuoteMeta(it.in.Description))
			}
			if !consumers[it.pact.Consumer.Name] {
				consumers[it.pact.Consumer.Name] = true
				names = append(names, it.pact.Consumer.Name)
			}
		}
		fv.filterDescriptions("^(?:" + strings.Join(alts, "|") + ")$")
		fv.consumers(names)
		// The filter may let through an unselected twin (the same
		// description in another pact of a selected consumer): it runs,
		// and its subtest, not selected, does not report.
		ran = func(it *interactionRun) bool { return consumers[it.pact.Consumer.Name] && descs[it.in.Description] }
		if plan.publish != nil {
			t.Logf("contracts: -run selects %d of %d interactions, so the results are not published (a partial run says nothing of the whole pact)",
				len(selected), len(items))
		}
	} else if b := plan.publish; b != nil {
		fv.publish(b.Version, b.URL, b.Branch)
		defer v.publishCoverage(plan)
	}

	for _, it := range items {
		if ran(it) && !it.in.isMessage() && !it.in.isSyncMessage() {
			v.httpOrder = append(v.httpOrder, it)
		}
	}
	var (
		status int
		js     string
	)
	withPlainStdout(func() { status, js = fv.execute() })
	res, err := decodeVerifierResult(js)
	if err != nil {
		t.Errorf("contracts: %v", err)
	}
	left := attribute(items, res, v.p.Name, ran)
	if line, ok := v.routes.summary(); ok {
		t.Log("contracts: " + line)
	}
	for _, it := range selected {
		if !it.outcome.verified {
			it.outcome.note = "the verifier did not run it (see the errors of " + t.Name() + ")"
		}
	}

	v.mu.Lock()
	problems := slices.Clone(v.problems)
	v.mu.Unlock()
	for _, p := range problems {
		t.Log("contracts: " + p)
	}
	switch {
	case status == 2:
		t.Errorf("contracts: the verifier could not run:\n%s", strings.Join(res.Output, "\n"))
	case len(left) > 0:
		t.Errorf("contracts: the verification of %s failed outside any interaction:\n%s", v.p.Name, strings.Join(left, "\n"))
	}
}

// stdoutIsTerminal says whether the verifier's report, which it prints to
// standard output, may use colours.
func stdoutIsTerminal() bool {
	fi, err := os.Stdout.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
