package contracts

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// StubFrom says which interactions a stub answers with: those a provider
// version has been verified to honour (the broker's stub pact for an
// Environment or a Branch), or those of a pact file.
type StubFrom struct {
	// Environment: the provider version deployed there.
	Environment string
	// Branch: the latest provider version of the branch.
	Branch string
	// PactFile is a pact file to answer from instead of a broker.
	PactFile string
	// Broker is the broker's base URL and credentials (default:
	// PACT_BROKER_BASE_URL, PACT_BROKER_TOKEN or PACT_BROKER_USERNAME and
	// PACT_BROKER_PASSWORD).
	Broker     string
	BrokerAuth BrokerAuth
}

// StubOption changes how a stub chooses its answers.
type StubOption func(*stubConfig)

type stubConfig struct{ states []string }

// WithState makes the stub answer as the provider does in these provider
// states: among interactions matching a request, those given these states
// are chosen; interactions given other states are left out.
func WithState(names ...string) StubOption {
	return func(c *stubConfig) { c.states = append(c.states, names...) }
}

// Stub starts an in-process HTTP server that answers as the provider has
// been verified to answer, and returns its base URL; it stops when t
// ends. A request no interaction matches gets a 500 answer naming the
// closest interaction and what differs, also logged to t.
//
//	users := contracts.Stub(t, "users", contracts.StubFrom{Environment: "production"},
//		contracts.WithState("user 1 exists"))
func Stub(t testing.TB, provider string, from StubFrom, opts ...StubOption) string {
	t.Helper()
	var cfg stubConfig
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	raw, where, err := loadStubPact(ctx, provider, from)
	if err != nil {
		t.Fatalf("contracts: stub of %s: %v", provider, err)
	}
	s, err := newStubServer(raw, cfg.states)
	if err != nil {
		t.Fatalf("contracts: stub of %s from %s: %v", provider, where, err)
	}
	s.log = t.Logf
	srv := newLoopbackServer(t, s)
	t.Logf("contracts: stub of %s from %s (answering with %d interactions) at %s", provider, where, len(s.interactions), srv.URL)
	return srv.URL
}

// loadStubPact reads the stub pact from where from says.
func loadStubPact(ctx context.Context, provider string, from StubFrom) ([]byte, string, error) {
	set := 0
	for _, v := range []string{from.Environment, from.Branch, from.PactFile} {
		if v != "" {
			set++
		}
	}
	if set != 1 {
		return nil, "", fmt.Errorf("StubFrom needs exactly one of Environment, Branch or PactFile")
	}
	if from.PactFile != "" {
		b, err := os.ReadFile(from.PactFile)
		if err != nil {
			return nil, "", fmt.Errorf("read the pact file: %w (the consumer tests write it: go test -run '^TestConsumer' ./...)", err)
		}
		return b, from.PactFile, nil
	}
	base, auth := from.Broker, from.BrokerAuth
	if base == "" {
		base = os.Getenv("PACT_BROKER_BASE_URL")
		auth = BrokerAuth{Token: os.Getenv("PACT_BROKER_TOKEN"), Username: os.Getenv("PACT_BROKER_USERNAME"), Password: os.Getenv("PACT_BROKER_PASSWORD")}
	}
	if base == "" {
		return nil, "", fmt.Errorf("no broker: set StubFrom.Broker or PACT_BROKER_BASE_URL, or stub from a PactFile")
	}
	u := strings.TrimSuffix(base, "/") + "/stubs/provider/" + url.PathEscape(provider)
	if from.Environment != "" {
		u += "/environment/" + url.PathEscape(from.Environment)
	} else {
		u += "/branch/" + url.PathEscape(from.Branch)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/json")
	auth.apply(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w (is the broker running?)", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, "", fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := string(bytes.TrimSpace(b))
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		return nil, "", fmt.Errorf("the broker answered %s: %s", resp.Status, msg)
	}
	return b, u, nil
}

// stubServer answers requests from a pact's HTTP interactions.
type stubServer struct {
	interactions []*stubInteraction
	log          func(format string, args ...any)
}

type stubInteraction struct {
	consumer    string
	description string
	states      []string

	method    string
	path      string
	pathRe    *regexp.Regexp
	query     url.Values
	queryRe   map[string]*regexp.Regexp
	headers   map[string]string // lower-case name → value
	headerRe  map[string]*regexp.Regexp
	body      any // decoded JSON, or nil
	rawBody   []byte
	bodyRules map[string]string // JSON path → "type", "regex:...", "number", ...

	status      int
	respHeaders http.Header
	respBody    []byte
}

func (in *stubInteraction) label() string {
	if len(in.states) > 0 {
		return fmt.Sprintf("%q (given %s, from %s's pact)", in.description, strings.Join(in.states, ", "), in.consumer)
	}
	return fmt.Sprintf("%q (from %s's pact)", in.description, in.consumer)
}

func newStubServer(raw []byte, states []string) (*stubServer, error) {
	all, err := parseStubPact(raw)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("the pact has no HTTP interactions to answer with")
	}
	s := &stubServer{log: func(string, ...any) {}}
	if len(states) == 0 {
		// Without states asked for, interactions without states come first.
		for _, in := range all {
			if len(in.states) == 0 {
				s.interactions = append(s.interactions, in)
			}
		}
		for _, in := range all {
			if len(in.states) > 0 {
				s.interactions = append(s.interactions, in)
			}
		}
		return s, nil
	}
	known := map[string]bool{}
	for _, in := range all {
		for _, st := range in.states {
			known[st] = true
		}
	}
	want := map[string]bool{}
	for _, st := range states {
		if !known[st] {
			return nil, fmt.Errorf("no interaction is given the provider state %q; the stub knows: %s", st, quotedKeys(known))
		}
		want[st] = true
	}
	// Interactions given the states asked for come first, then those
	// without states; interactions given any other state are left out.
	var plain []*stubInteraction
	for _, in := range all {
		switch {
		case len(in.states) == 0:
			plain = append(plain, in)
		case !slices.ContainsFunc(in.states, func(st string) bool { return !want[st] }):
			s.interactions = append(s.interactions, in)
		}
	}
	s.interactions = append(s.interactions, plain...)
	return s, nil
}

func (s *stubServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 8<<20))
	}
	for _, in := range s.interactions {
		if len(in.differences(r, body, false)) == 0 {
			for k, v := range in.respHeaders {
				w.Header()[k] = v
			}
			w.WriteHeader(in.status)
			_, _ = w.Write(in.respBody)
			return
		}
	}
	// No match: find the closest interaction, the one with the fewest
	// differences, to say what to change.
	var (
		closest *stubInteraction
		diffs   []string
	)
	for _, in := range s.interactions {
		if d := in.differences(r, body, true); closest == nil || len(d) < len(diffs) {
			closest, diffs = in, d
		}
	}
	msg := fmt.Sprintf("no interaction matches %s %s; the closest is %s: %s", r.Method, r.URL.RequestURI(), closest.label(), strings.Join(diffs, "; "))
	s.log("contracts: stub: %s", msg)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error":       msg,
		"closest":     map[string]any{"description": closest.description, "providerStates": closest.states, "consumer": closest.consumer},
		"differences": diffs,
	})
}

// differences lists how r differs from what the interaction expects
// (none: it matches). all=false stops at the first difference.
func (in *stubInteraction) differences(r *http.Request, body []byte, all bool) []string {
	var d []string
	add := func(format string, args ...any) bool {
		d = append(d, fmt.Sprintf(format, args...))
		return !all
	}
	if !strings.EqualFold(r.Method, in.method) && add("method: expected %s, got %s", in.method, r.Method) {
		return d
	}
	if in.pathRe != nil {
		if !in.pathRe.MatchString(r.URL.Path) && add("path: expected one matching %s (like %s), got %s", in.pathRe, in.path, r.URL.Path) {
			return d
		}
	} else if r.URL.Path != in.path && add("path: expected %s, got %s", in.path, r.URL.Path) {
		return d
	}
	if len(in.query) > 0 || r.URL.RawQuery != "" {
		got := r.URL.Query()
		for k, want := range in.query {
			g, ok := got[k]
			switch {
			case !ok:
				if add("query: missing %s=%s", k, strings.Join(want, ",")) {
					return d
				}
			case in.queryRe[k] != nil:
				for _, v := range g {
					if !in.queryRe[k].MatchString(v) && add("query %s: %q does not match %s", k, v, in.queryRe[k]) {
						return d
					}
				}
			case !slices.Equal(g, want):
				if add("query %s: expected %s, got %s", k, strings.Join(want, ","), strings.Join(g, ",")) {
					return d
				}
			}
		}
		for k := range got {
			if _, ok := in.query[k]; !ok && add("query: unexpected parameter %s", k) {
				return d
			}
		}
	}
	for k, want := range in.headers {
		g := r.Header.Get(k)
		switch {
		case g == "":
			if add("header %s: missing (expected %q)", k, want) {
				return d
			}
		case in.headerRe[k] != nil:
			if !in.headerRe[k].MatchString(g) && add("header %s: %q does not match %s", k, g, in.headerRe[k]) {
				return d
			}
		case k == "content-type" || k == "accept":
			if !strings.HasPrefix(strings.ToLower(g), strings.ToLower(strings.Split(want, ";")[0])) && add("header %s: expected %q, got %q", k, want, g) {
				return d
			}
		case g != want:
			if add("header %s: expected %q, got %q", k, want, g) {
				return d
			}
		}
	}
	if in.body != nil {
		var got any
		if err := json.Unmarshal(body, &got); err != nil {
			add("body: expected JSON like %s, got %q", in.rawBody, truncate(body, 80))
			return d
		}
		for _, m := range matchJSON("$", in.body, got, in.bodyRules) {
			if add("body %s", m) {
				return d
			}
		}
	} else if in.rawBody != nil && !bytes.Equal(bytes.TrimSpace(body), bytes.TrimSpace(in.rawBody)) {
		add("body: expected %q, got %q", truncate(in.rawBody, 80), truncate(body, 80))
	}
	return d
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// matchJSON compares actual with the expected example, by type where a
// matching rule says so (the consumer allowed any value of that type) and
// by value elsewhere; extra keys in actual objects are allowed, as the
// verifier allows them.
func matchJSON(path string, expected, actual any, rules map[string]string) []string {
	rule := rules[path]
	if rule == "" {
		rule = rules[wildcardPath(path)]
	}
	switch {
	case strings.HasPrefix(rule, "regex:"):
		s, ok := actual.(string)
		if !ok || !regexp.MustCompile(strings.TrimPrefix(rule, "regex:")).MatchString(s) {
			return []string{fmt.Sprintf("%s: %v does not match %s", path, actual, strings.TrimPrefix(rule, "regex:"))}
		}
		return nil
	case rule == "number" || rule == "integer" || rule == "decimal":
		if _, ok := actual.(float64); !ok {
			return []string{fmt.Sprintf("%s: expected a number, got %v", path, actual)}
		}
		return nil
	}
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: expected an object, got %v", path, actual)}
		}
		var out []string
		for _, k := range sortedKeys(e) {
			av, ok := a[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			out = append(out, matchJSON(path+"."+k, e[k], av, rules)...)
		}
		return out
	case []any:
		a, ok := actual.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: expected an array, got %v", path, actual)}
		}
		if rule == "type" && len(e) > 0 {
			var out []string
			for i, av := range a {
				out = append(out, matchJSON(fmt.Sprintf("%s[%d]", path, i), e[0], av, rules)...)
			}
			return out
		}
		if len(a) != len(e) {
			return []string{fmt.Sprintf("%s: expected %d elements, got %d", path, len(e), len(a))}
		}
		var out []string
		for i := range e {
			out = append(out, matchJSON(fmt.Sprintf("%s[%d]", path, i), e[i], a[i], rules)...)
		}
		return out
	default:
		if rule == "type" {
			if fmt.Sprintf("%T", expected) != fmt.Sprintf("%T", actual) {
				return []string{fmt.Sprintf("%s: expected a %T, got %v", path, expected, actual)}
			}
			return nil
		}
		if !jsonEqual(expected, actual) {
			return []string{fmt.Sprintf("%s: expected %v, got %v", path, expected, actual)}
		}
		return nil
	}
}

var arrayIndex = regexp.MustCompile(`\[\d+\]`)

// wildcardPath turns $.items[3].id into $.items[*].id, the form pact's
// matching rules use for every element.
func wildcardPath(p string) string { return arrayIndex.ReplaceAllString(p, "[*]") }

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// parseStubPact reads the HTTP interactions of a V2, V3 or V4 pact.
func parseStubPact(raw []byte) ([]*stubInteraction, error) {
	var pact struct {
		Consumer struct {
			Name string `json:"name"`
		} `json:"consumer"`
		Interactions []struct {
			Type           string `json:"type"`
			Description    string `json:"description"`
			ProviderState  string `json:"providerState"`
			ProviderStates []struct {
				Name string `json:"name"`
			} `json:"providerStates"`
			Request  json.RawMessage `json:"request"`
			Response json.RawMessage `json:"response"`
			// A broker's stub pact merges several consumers' pacts, and
			// notes each interaction's consumer in its comments.
			Comments struct {
				Consumer string `json:"consumer"`
			} `json:"comments"`
		} `json:"interactions"`
	}
	if err := json.Unmarshal(raw, &pact); err != nil {
		return nil, fmt.Errorf("not a pact: %w", err)
	}
	var out []*stubInteraction
	for _, pi := range pact.Interactions {
		if pi.Type != "" && pi.Type != "Synchronous/HTTP" {
			continue // messages have no HTTP answer
		}
		in := &stubInteraction{consumer: pact.Consumer.Name, description: pi.Description}
		if pi.Comments.Consumer != "" {
			in.consumer = pi.Comments.Consumer
		}
		if pi.ProviderState != "" {
			in.states = append(in.states, pi.ProviderState)
		}
		for _, s := range pi.ProviderStates {
			in.states = append(in.states, s.Name)
		}
		if err := in.parseRequest(pi.Request); err != nil {
			return nil, fmt.Errorf("interaction %q: request: %w", pi.Description, err)
		}
		if err := in.parseResponse(pi.Response); err != nil {
			return nil, fmt.Errorf("interaction %q: response: %w", pi.Description, err)
		}
		out = append(out, in)
	}
	return out, nil
}

type pactHTTPPart struct {
	Method        string          `json:"method"`
	Path          string          `json:"path"`
	Query         json.RawMessage `json:"query"`
	Headers       json.RawMessage `json:"headers"`
	Body          json.RawMessage `json:"body"`
	Status        int             `json:"status"`
	MatchingRules json.RawMessage `json:"matchingRules"`
}

func (in *stubInteraction) parseRequest(raw json.RawMessage) error {
	var p pactHTTPPart
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	in.method, in.path = strings.ToUpper(p.Method), p.Path
	if in.path == "" {
		in.path = "/"
	}
	in.query = url.Values{}
	if len(p.Query) > 0 && string(p.Query) != "null" {
		var s string
		if json.Unmarshal(p.Query, &s) == nil { // V2: "a=1&b=2"
			q, err := url.ParseQuery(s)
			if err != nil {
				return err
			}
			in.query = q
		} else if err := json.Unmarshal(p.Query, &in.query); err != nil {
			return fmt.Errorf("query: %w", err)
		}
	}
	hs, err := decodeHeaders(p.Headers)
	if err != nil {
		return err
	}
	in.headers = map[string]string{}
	for k, v := range hs {
		in.headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	body, ct, err := decodeBody(p.Body, in.headers["content-type"])
	if err != nil {
		return err
	}
	if body != nil {
		in.rawBody = body
		if strings.Contains(ct, "json") || json.Valid(body) {
			_ = json.Unmarshal(body, &in.body)
		}
	}
	return in.parseRules(p.MatchingRules)
}

func (in *stubInteraction) parseResponse(raw json.RawMessage) error {
	var p pactHTTPPart
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	in.status = p.Status
	if in.status == 0 {
		in.status = http.StatusOK
	}
	hs, err := decodeHeaders(p.Headers)
	if err != nil {
		return err
	}
	in.respHeaders = http.Header{}
	for k, v := range hs {
		in.respHeaders[http.CanonicalHeaderKey(k)] = v
	}
	body, ct, err := decodeBody(p.Body, in.respHeaders.Get("Content-Type"))
	if err != nil {
		return err
	}
	in.respBody = body
	if body != nil && in.respHeaders.Get("Content-Type") == "" && ct != "" {
		in.respHeaders.Set("Content-Type", ct)
	}
	return nil
}

// decodeHeaders reads V2/V3 ("name": "value") and V4 ("name": ["value"])
// headers.
func decodeHeaders(raw json.RawMessage) (map[string][]string, error) {
	out := map[string][]string{}
	if len(raw) == 0 || string(raw) == "null" {
		return out, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("headers: %w", err)
	}
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = []string{s}
			continue
		}
		var ss []string
		if err := json.Unmarshal(v, &ss); err != nil {
			return nil, fmt.Errorf("header %s: %w", k, err)
		}
		out[k] = ss
	}
	return out, nil
}

// decodeBody reads a V4 body ({"content", "contentType", "encoded"}) or a
// V2/V3 one (the JSON value itself), returning its bytes and content type.
func decodeBody(raw json.RawMessage, contentType string) ([]byte, string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, contentType, nil
	}
	var v4 struct {
		Content     json.RawMessage `json:"content"`
		ContentType string          `json:"contentType"`
		Encoded     any             `json:"encoded"`
	}
	if json.Unmarshal(raw, &v4) == nil && v4.Content != nil {
		ct := v4.ContentType
		if ct == "" {
			ct = contentType
		}
		if enc, ok := v4.Encoded.(string); ok && enc != "" && enc != "false" {
			var s string
			if err := json.Unmarshal(v4.Content, &s); err != nil {
				return nil, ct, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			return b, ct, err
		}
		if !strings.Contains(ct, "json") {
			var s string
			if json.Unmarshal(v4.Content, &s) == nil {
				return []byte(s), ct, nil
			}
		}
		return []byte(v4.Content), ct, nil
	}
	if contentType == "" {
		contentType = "application/json"
	}
	return []byte(raw), contentType, nil
}

// parseRules reads the matching rules a stub honours: regular expressions
// on the path, query and headers, and type, number and regex rules in the
// body (V2 "$.body.x" and V3/V4 {"body": {"$.x": ...}} forms).
func (in *stubInteraction) parseRules(raw json.RawMessage) error {
	in.queryRe, in.headerRe, in.bodyRules = map[string]*regexp.Regexp{}, map[string]*regexp.Regexp{}, map[string]string{}
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("matchingRules: %w", err)
	}
	type matcher struct {
		Match string `json:"match"`
		Regex string `json:"regex"`
		Min   *int   `json:"min"`
	}
	first := func(raw json.RawMessage) (matcher, bool) {
		var rule struct {
			Matchers []matcher `json:"matchers"`
		}
		if json.Unmarshal(raw, &rule) == nil && len(rule.Matchers) > 0 {
			return rule.Matchers[0], true
		}
		var v2 matcher
		if json.Unmarshal(raw, &v2) == nil && (v2.Match != "" || v2.Regex != "" || v2.Min != nil) {
			if v2.Match == "" && v2.Regex != "" {
				v2.Match = "regex"
			}
			return v2, true
		}
		return matcher{}, false
	}
	bodyRule := func(path string, mt matcher) error {
		switch {
		case mt.Match == "regex":
			if _, err := regexp.Compile(mt.Regex); err != nil {
				return fmt.Errorf("body rule %s: %w", path, err)
			}
			in.bodyRules[path] = "regex:" + mt.Regex
		case mt.Match == "integer" || mt.Match == "decimal" || mt.Match == "number":
			in.bodyRules[path] = "number"
		default: // type, min/max type, datetime, ...: any value of the type
			in.bodyRules[path] = "type"
		}
		return nil
	}
	compile := func(mt matcher) (*regexp.Regexp, error) {
		if mt.Match != "regex" {
			return regexp.Compile(".*")
		}
		return regexp.Compile("^(?:" + mt.Regex + ")$")
	}
	for k, v := range m {
		switch {
		case k == "path" || k == "$.path":
			if mt, ok := first(v); ok {
				re, err := compile(mt)
				if err != nil {
					return err
				}
				in.pathRe = re
			}
		case k == "query" || k == "header" || k == "body":
			var sub map[string]json.RawMessage
			if err := json.Unmarshal(v, &sub); err != nil {
				return fmt.Errorf("matchingRules.%s: %w", k, err)
			}
			for name, rv := range sub {
				mt, ok := first(rv)
				if !ok {
					continue
				}
				switch k {
				case "body":
					if err := bodyRule(name, mt); err != nil {
						return err
					}
				case "query":
					re, err := compile(mt)
					if err != nil {
						return err
					}
					in.queryRe[name] = re
				case "header":
					re, err := compile(mt)
					if err != nil {
						return err
					}
					in.headerRe[strings.ToLower(name)] = re
				}
			}
		case strings.HasPrefix(k, "$.body"):
			if mt, ok := first(v); ok {
				if err := bodyRule("$"+strings.TrimPrefix(k, "$.body"), mt); err != nil {
					return err
				}
			}
		case strings.HasPrefix(k, "$.query."):
			if mt, ok := first(v); ok {
				re, err := compile(mt)
				if err != nil {
					return err
				}
				in.queryRe[strings.TrimPrefix(k, "$.query.")] = re
			}
		case strings.HasPrefix(k, "$.headers."):
			if mt, ok := first(v); ok {
				re, err := compile(mt)
				if err != nil {
					return err
				}
				in.headerRe[strings.ToLower(strings.TrimPrefix(k, "$.headers."))] = re
			}
		}
	}
	return nil
}
