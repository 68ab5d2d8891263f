package fieldusage

import (
	"encoding/json"
	"fmt"
	"github.com/accord-cdc/accord/broker/rawjson"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Kind is what an interaction is.
type Kind string

const (
	// HTTP is a request and its response.
	HTTP Kind = "http"
	// Message is an asynchronous message the consumer receives.
	Message Kind = "message"
	// SyncMessage is a synchronous request message and its response messages (pact V4).
	SyncMessage Kind = "sync-message"
)

// Interaction is what one interaction of a pact relies on.
type Interaction struct {
	Description string `json:"description"`
	Kind        Kind   `json:"kind"`
	// Method (upper case) and Path (concrete, as in the pact) of an HTTP interaction.
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	// Fields are the locations the interaction uses, canonical, sorted, each once.
	Fields []string `json:"fields"`
}

// Index is what one pact relies on, interaction by interaction.
type Index struct {
	// Spec is the pact specification version as the pact writes it ("" when it names none).
	Spec         string        `json:"spec"`
	Interactions []Interaction `json:"interactions"`
	// Unread counts interactions whose shape the index could not read; a question about a field
	// cannot be answered "nobody uses it" while a selected pact has any.
	Unread int `json:"unread,omitempty"`
	// Notices say what was read approximately or not at all, naming the interaction.
	Notices []string `json:"notices,omitempty"`
}

// IndexPact reads a pact document (specification 1 to 4: HTTP interactions, asynchronous and
// synchronous messages) and returns what each interaction relies on. A document that is not a
// JSON object is an error; anything else is indexed as far as its shape allows, and what could
// not be read is counted in Unread and said in Notices, never dropped silently.
func IndexPact(doc []byte) (Index, error) {
	start := rawjson.SkipSpace(doc, 0)
	if !json.Valid(doc) || doc[start] != '{' {
		return indexDecoded(doc)
	}
	// The document is read interaction by interaction: decoding a pact of
	// tens of MiB whole would cost ten times its size.
	t := &rawjson.Text{B: doc}
	parts := map[string][]byte{}
	t.Members(start, func(k, v rawjson.Span) bool {
		switch key := rawjson.Unquote(doc[k.Start:k.End]); key {
		case "metadata", "interactions", "messages":
			parts[key] = doc[v.Start:v.End] // the last of duplicate keys, as in a map
		}
		return true
	})
	pact := map[string]any{}
	if meta, ok := parts["metadata"]; ok {
		var m any
		_ = json.Unmarshal(meta, &m)
		pact["metadata"] = m
	}
	ix, r := newIndex(pact)
	for _, key := range []string{"interactions", "messages"} {
		raw, ok := parts[key]
		if !ok {
			continue
		}
		if raw[0] != '[' {
			r.notAList(key)
			continue
		}
		n := 0
		(&rawjson.Text{B: raw}).Elements(0, func(e rawjson.Span) bool {
			var v any
			_ = json.Unmarshal(raw[e.Start:e.End], &v)
			r.interaction(key, n, v, key == "messages")
			n++
			return true
		})
	}
	return *ix, nil
}

// indexDecoded indexes a document decoded whole (and reports what is
// wrong with one that is not a JSON object).
func indexDecoded(doc []byte) (Index, error) {
	var pact map[string]any
	if err := json.Unmarshal(doc, &pact); err != nil {
		return Index{}, fmt.Errorf("index pact: not a JSON object: %w", err)
	}
	if pact == nil {
		return Index{}, fmt.Errorf("index pact: not a JSON object")
	}
	ix, r := newIndex(pact)
	for _, key := range []string{"interactions", "messages"} {
		asMessage := key == "messages"
		raw, ok := pact[key]
		if !ok {
			continue
		}
		list, ok := raw.([]any)
		if !ok {
			r.notAList(key)
			continue
		}
		for n, v := range list {
			r.interaction(key, n, v, asMessage)
		}
	}
	return *ix, nil
}

func newIndex(pact map[string]any) (*Index, reader) {
	ix := &Index{Spec: specVersion(pact), Interactions: []Interaction{}}
	major := specMajor(ix.Spec)
	switch {
	case ix.Spec == "":
		ix.Notices = append(ix.Notices, "the pact names no specification version: read by its shape")
	case major == 0:
		ix.Notices = append(ix.Notices, fmt.Sprintf("pact specification version %q is not one the index knows (1 to 4): read as far as its shape allows", ix.Spec))
	}
	return ix, reader{major: major, ix: ix}
}

func (r reader) notAList(key string) {
	r.ix.Notices = append(r.ix.Notices, fmt.Sprintf("%q is not a list: nothing in it could be read", key))
	r.ix.Unread++
}

func specVersion(pact map[string]any) string {
	meta, _ := pact["metadata"].(map[string]any)
	for _, k := range []string{"pactSpecification", "pact-specification", "pactSpecificationVersion"} {
		switch v := meta[k].(type) {
		case map[string]any:
			if s, ok := v["version"].(string); ok {
				return s
			}
		case string:
			return v
		}
	}
	return ""
}

// specMajor is 1 to 4 for a version the index knows, else 0.
func specMajor(v string) int {
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "V")
	if v == "" || !strings.ContainsAny(v[:1], "1234") || (len(v) > 1 && v[1] != '.') {
		return 0
	}
	return int(v[0] - '0')
}

type reader struct {
	major int
	ix    *Index
}

func (r reader) unread(key string, n int, desc, why string) {
	r.ix.Unread++
	name := fmt.Sprintf("%s[%d]", key, n)
	if desc != "" {
		name += fmt.Sprintf(" (%q)", desc)
	}
	r.ix.Notices = append(r.ix.Notices, fmt.Sprintf("%s %s, so the index could not read it", name, why))
}

func (r reader) interaction(key string, n int, v any, asMessage bool) {
	in, ok := v.(map[string]any)
	if !ok {
		r.unread(key, n, "", "is not an object")
		return
	}
	desc, _ := in["description"].(string)
	t, _ := in["type"].(string)
	var kind Kind
	switch {
	case t == "Synchronous/HTTP":
		kind = HTTP
	case t == "Asynchronous/Messages":
		kind = Message
	case t == "Synchronous/Messages":
		kind = SyncMessage
	case t != "":
		r.unread(key, n, desc, fmt.Sprintf("has type %q", t))
		return
	case asMessage:
		kind = Message
	case isObject(in["request"]) && isObject(in["response"]):
		kind = HTTP
	case in["contents"] != nil || in["content"] != nil:
		kind = Message
	case isObject(in["request"]) && isList(in["response"]):
		kind = SyncMessage
	default:
		r.unread(key, n, desc, "is neither an HTTP interaction nor a message")
		return
	}
	f := fields{}
	out := Interaction{Description: desc, Kind: kind}
	switch kind {
	case HTTP:
		req, _ := in["request"].(map[string]any)
		method, _ := req["method"].(string)
		path, _ := req["path"].(string)
		if method == "" || !strings.HasPrefix(path, "/") {
			r.unread(key, n, desc, "has no request method or path")
			return
		}
		out.Method, out.Path = strings.ToUpper(method), path
		r.httpPart(f, "request", req)
		resp, _ := in["response"].(map[string]any)
		r.httpPart(f, "response", resp)
	case Message:
		r.messagePart(f, "message", in)
	case SyncMessage:
		if req, ok := in["request"].(map[string]any); ok {
			r.messagePart(f, "request", req)
		}
		resps, _ := in["response"].([]any)
		for _, v := range resps {
			if resp, ok := v.(map[string]any); ok {
				r.messagePart(f, "response", resp)
			}
		}
	}
	out.Fields = f.list()
	r.ix.Interactions = append(r.ix.Interactions, out)
}

func isObject(v any) bool { _, ok := v.(map[string]any); return ok }
func isList(v any) bool   { _, ok := v.([]any); return ok }

// httpPart collects a request's or response's query parameters, headers and body fields, from
// the example and from the matching rules: a field under a type matcher is used even though its
// value is not promised.
func (r reader) httpPart(f fields, part string, m map[string]any) {
	if m == nil {
		return
	}
	if part == "request" {
		switch q := m["query"].(type) {
		case string:
			vals, _ := url.ParseQuery(q) // a malformed pair is skipped, the others still count
			for k := range vals {
				f.add(Location{Part: part, Section: "query", Name: k})
			}
		case map[string]any:
			for k := range q {
				f.add(Location{Part: part, Section: "query", Name: k})
			}
		}
	}
	if h, ok := m["headers"].(map[string]any); ok {
		for k := range h {
			f.add(Location{Part: part, Section: "headers", Name: http.CanonicalHeaderKey(k)})
		}
	}
	rules, _ := m["matchingRules"].(map[string]any)
	dyn := r.rules(f, part, rules)
	if body, ok := m["body"]; ok {
		r.body(f, part, body, dyn)
	}
}

// messagePart collects a message's body (its contents) and metadata keys.
func (r reader) messagePart(f fields, part string, m map[string]any) {
	for _, k := range []string{"metadata", "metaData"} {
		if md, ok := m[k].(map[string]any); ok {
			for k := range md {
				f.add(Location{Part: part, Section: "metadata", Name: k})
			}
		}
	}
	rules, _ := m["matchingRules"].(map[string]any)
	dyn := r.rules(f, part, rules)
	for _, k := range []string{"contents", "content"} {
		if body, ok := m[k]; ok {
			r.body(f, part, body, dyn)
			break
		}
	}
}

// rules adds the locations matching rules name (V2: "$.body.a", "$.headers.X", "$.query.q"; V3 and
// V4: {"body": {"$.a": ...}, "header": {...}, "query": {...}, "metadata": {...}}) and returns the
// body paths whose keys are data, not fields (a values, eachKey or eachValue matcher on a map).
func (r reader) rules(f fields, part string, rules map[string]any) map[string]bool {
	dyn := map[string]bool{}
	body := func(p string, rule any) {
		cp, err := CanonicalPath(p)
		if err != nil {
			return
		}
		f.add(Location{Part: part, Section: "body", Path: cp})
		if keysAreData(rule) {
			dyn[cp] = true
		}
	}
	for k, v := range rules {
		if strings.HasPrefix(k, "$.") || k == "$" { // V2
			rest := strings.TrimPrefix(strings.TrimPrefix(k, "$"), ".")
			sec, name, _ := strings.Cut(rest, ".")
			switch sec {
			case "body":
				body("$"+strings.TrimPrefix(rest, "body"), v)
			case "headers", "header":
				if name != "" {
					f.add(Location{Part: part, Section: "headers", Name: http.CanonicalHeaderKey(name)})
				}
			case "query":
				if name != "" {
					f.add(Location{Part: part, Section: "query", Name: strings.TrimSuffix(strings.TrimPrefix(name, "['"), "']")})
				}
			}
			if strings.HasPrefix(rest, "body[") {
				body("$"+strings.TrimPrefix(rest, "body"), v)
			}
			continue
		}
		cat, _ := v.(map[string]any)
		for name, rule := range cat {
			switch k {
			case "body", "content":
				body(name, rule)
			case "header", "headers":
				f.add(Location{Part: part, Section: "headers", Name: http.CanonicalHeaderKey(trimPathName(name))})
			case "query":
				if part == "request" {
					f.add(Location{Part: part, Section: "query", Name: trimPathName(name)})
				}
			case "metadata", "metaData":
				f.add(Location{Part: part, Section: "metadata", Name: trimPathName(name)})
			}
		}
	}
	return dyn
}

// trimPathName reads a header or parameter name that a pact wrote as a path ("$.page", "$['a b']").
func trimPathName(n string) string {
	if !strings.HasPrefix(n, "$") {
		return n
	}
	if steps, err := parsePath(n); err == nil && len(steps) == 1 {
		s := steps[0]
		if strings.HasPrefix(s, "['") {
			return strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(s[2 : len(s)-2])
		}
		return strings.TrimPrefix(s, ".")
	}
	return n
}

// keysAreData: a rule whose matchers say the map's keys are data (values, eachKey, eachValue).
func keysAreData(rule any) bool {
	m, _ := rule.(map[string]any)
	matchers := []any{m}
	if list, ok := m["matchers"].([]any); ok {
		matchers = list
	}
	for _, x := range matchers {
		mm, _ := x.(map[string]any)
		switch mm["match"] {
		case "values", "eachKey", "eachValue":
			return true
		}
	}
	return false
}

// body adds the fields of a body example. A V4 body ({"content": ..., "contentType": ...,
// "encoded": ...}) is unwrapped; an encoded or non-JSON body is used as a whole ($).
func (r reader) body(f fields, part string, v any, dyn map[string]bool) {
	if v == nil {
		return
	}
	if w, ok := v.(map[string]any); ok && r.wrapped(w) {
		content := w["content"]
		encoded := w["encoded"]
		ct, _ := w["contentType"].(string)
		switch s, isString := content.(string); {
		case content == nil:
			return
		case encoded != nil && encoded != false:
			f.add(Location{Part: part, Section: "body", Path: "$"})
			return
		case isString && strings.Contains(ct, "json"):
			var parsed any
			if json.Unmarshal([]byte(s), &parsed) == nil {
				v = parsed
			} else {
				v = s
			}
		default:
			v = content
		}
	}
	walk(v, "$", dyn, func(p string) { f.add(Location{Part: part, Section: "body", Path: p}) })
}

// wrapped reports whether a body object is V4's wrapper rather than the example itself: always in
// a V4 pact, and by its shape in a pact of unknown version.
func (r reader) wrapped(w map[string]any) bool {
	if _, ok := w["content"]; !ok {
		return false
	}
	if r.major == 4 {
		return true
	}
	if r.major != 0 {
		return false
	}
	for k := range w {
		switch k {
		case "content", "contentType", "encoded", "contentTypeHint":
		default:
			return false
		}
	}
	return true
}

// walk adds every leaf of v: scalars, empty objects and empty arrays. Elements of an array are
// one field ([*]); the keys of a map whose keys are data are one field (.*).
func walk(v any, path string, dyn map[string]bool, add func(string)) {
	buf := []byte(path)
	walkPath(v, &buf, dyn, add)
}

// walkPath extends one path buffer as it descends: building a new string
// at every level costs the square of the depth (a pact nested 10,000
// levels deep made hundreds of MiB of paths).
func walkPath(v any, path *[]byte, dyn map[string]bool, add func(string)) {
	n := len(*path)
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			add(string(*path))
			return
		}
		keysAreData := dyn[string(*path)]
		for k, c := range x {
			if keysAreData {
				*path = append(*path, ".*"...)
			} else {
				*path = append(*path, keyStep(k)...)
			}
			walkPath(c, path, dyn, add)
			*path = (*path)[:n]
		}
	case []any:
		if len(x) == 0 {
			add(string(*path))
			return
		}
		for _, c := range x {
			*path = append(*path, "[*]"...)
			walkPath(c, path, dyn, add)
			*path = (*path)[:n]
		}
	default:
		add(string(*path))
	}
}

// fields is a set of locations.
type fields map[string]bool

// add records l; a header, parameter or key without a name (or with a line break, which no
// request can carry) names nothing a question could ask about.
func (f fields) add(l Location) {
	if l.Section != "body" && (l.Name == "" || strings.ContainsAny(l.Name, "\x00\r\n")) {
		return
	}
	f[l.String()] = true
}

// list returns the locations sorted, without body paths that only contain others: $.items is
// implied by $.items[*].sku (a matching rule on the array names it; the example's leaves say
// more).
func (f fields) list() []string {
	all := make([]string, 0, len(f))
	for k := range f {
		all = append(all, k)
	}
	slices.Sort(all)
	out := all[:0:0]
	for i, s := range all {
		if isBody(s) && containsMore(all[i+1:], s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

func isBody(s string) bool {
	return strings.HasPrefix(s, "request.body.$") || strings.HasPrefix(s, "response.body.$") || strings.HasPrefix(s, "message.body.$")
}

// containsMore: sorted strings with prefix s follow s contiguously.
func containsMore(after []string, s string) bool {
	for _, t := range after {
		if !strings.HasPrefix(t, s) {
			return false
		}
		if c := t[len(s)]; c == '.' || c == '[' {
			return true
		}
	}
	return false
}
