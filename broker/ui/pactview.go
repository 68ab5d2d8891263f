package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// pactView is a pact document prepared for a person to read.
type pactView struct {
	Spec         string // "2.0.0", "3.0.0", "4.0" ... as the pact says
	Kind         string // "HTTP", "message" or "mixed"
	Interactions []interactionView
	// Unreadable is set when the content is not a pact this page can
	// render; the page then shows the raw JSON.
	Unreadable string
	// TooBig is set when the pact is too large or too deeply nested to
	// show (see bounds.go); the page then only links to the JSON.
	TooBig string
	Raw    string
}

type interactionView struct {
	ID          string // "_id", as stored by the broker
	Anchor      string
	Type        string // "HTTP", "Asynchronous message", "Synchronous message"
	Description string
	States      []stateView
	Pending     bool
	Comments    []string
	Request     *httpPart
	Response    *httpPart
	Message     *messagePart   // asynchronous message
	SyncRequest *messagePart   // synchronous message
	Responses   []*messagePart // synchronous message responses
	// Result is what the latest verification said about the interaction.
	Result *interactionResult
}

type stateView struct {
	Name   string
	Params []keyValue
}

type keyValue struct{ Key, Value string }

type httpPart struct {
	Method, Path, Query string
	Status              string
	Headers             []keyValue
	Body                string
	BodyNote            string
	Rules               []ruleView
	Generators          []ruleView
}

type messagePart struct {
	Contents   string
	BodyNote   string
	Metadata   []keyValue
	Rules      []ruleView
	Generators []ruleView
}

// ruleView is one matching rule in words: where it applies, what it demands.
type ruleView struct {
	Where, Text string
}

// attachResults marks each interaction with its verification result.
func (pv *pactView) attachResults(raw []byte) {
	if len(raw) == 0 {
		return
	}
	byID, byDescription := verificationResults(raw)
	for i := range pv.Interactions {
		in := &pv.Interactions[i]
		if r, ok := byID[in.ID]; ok && in.ID != "" {
			in.Result = &r
		} else if r, ok := byDescription[in.Description]; ok {
			in.Result = &r
		}
	}
}

// tooLarge is the view of a pact of n bytes, over the page's limit.
func tooLarge(n int) pactView {
	return pactView{TooBig: fmt.Sprintf("This pact is too large to show here (%s; pages show pacts up to %s).", size(n), size(maxViewBytes))}
}

// renderPact prepares content for the pact page. It never fails: content it
// cannot read is shown raw with the reason.
func renderPact(content []byte) pactView {
	if len(content) > maxViewBytes {
		return tooLarge(len(content))
	}
	if d := shape(content).depth; d > maxViewDepth {
		return pactView{TooBig: fmt.Sprintf("This pact is too deeply nested to show here (%d levels; pages show up to %d).", d, maxViewDepth)}
	}
	pv := pactView{Raw: indentBounded(content)}
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		pv.Unreadable = "The content is not a JSON object."
		return pv
	}
	pv.Spec = specVersion(doc)
	major := strings.SplitN(strings.TrimPrefix(pv.Spec, "V"), ".", 2)[0]
	items, key := doc["interactions"], "interactions"
	if items == nil {
		items, key = doc["messages"], "messages"
	}
	list, ok := items.([]any)
	if !ok {
		pv.Unreadable = "The pact has neither \"interactions\" nor \"messages\"."
		return pv
	}
	kinds := map[string]bool{}
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			pv.Unreadable = fmt.Sprintf("Interaction %d is not a JSON object.", i+1)
			return pv
		}
		iv := renderInteraction(m, key == "messages", major)
		iv.Anchor = fmt.Sprintf("i%d", i+1)
		kinds[iv.Type] = true
		pv.Interactions = append(pv.Interactions, iv)
	}
	switch {
	case len(kinds) > 1:
		pv.Kind = "mixed"
	case kinds["HTTP"]:
		pv.Kind = "HTTP"
	case len(kinds) == 1:
		pv.Kind = "message"
	}
	return pv
}

func specVersion(doc map[string]any) string {
	meta, _ := doc["metadata"].(map[string]any)
	for _, k := range []string{"pactSpecification", "pact-specification"} {
		if ps, ok := meta[k].(map[string]any); ok {
			if v, ok := ps["version"]; ok {
				return fmt.Sprint(v)
			}
		}
	}
	if v, ok := meta["pactSpecificationVersion"]; ok {
		return fmt.Sprint(v)
	}
	return "2.0.0" // what the Ruby broker assumes for a pact without metadata
}

func renderInteraction(m map[string]any, isMessage bool, major string) interactionView {
	iv := interactionView{ID: str(m["_id"]), Description: str(m["description"]), Type: "HTTP"}
	iv.Pending, _ = m["pending"].(bool)
	iv.States = states(m)
	if c, ok := m["comments"].(map[string]any); ok {
		if text, ok := c["text"].([]any); ok {
			for _, t := range text {
				iv.Comments = append(iv.Comments, str(t))
			}
		}
		if tn := str(c["testname"]); tn != "" {
			iv.Comments = append(iv.Comments, "Test: "+tn)
		}
	}
	typ := str(m["type"])
	switch {
	case typ == "Asynchronous/Messages" || isMessage || (typ == "" && m["contents"] != nil && m["request"] == nil):
		iv.Type = "Asynchronous message"
		metaKey := "metadata"
		if _, ok := m["metaData"]; ok {
			metaKey = "metaData" // V3 message pacts
		}
		iv.Message = &messagePart{Metadata: pairs(m[metaKey])}
		iv.Message.Contents, iv.Message.BodyNote = body(m["contents"])
		iv.Message.Rules = rules(m["matchingRules"])
		iv.Message.Generators = generators(m["generators"])
	case typ == "Synchronous/Messages":
		iv.Type = "Synchronous message"
		iv.SyncRequest = message(m["request"])
		if rs, ok := m["response"].([]any); ok {
			for _, r := range rs {
				iv.Responses = append(iv.Responses, message(r))
			}
		}
	default:
		req, _ := m["request"].(map[string]any)
		resp, _ := m["response"].(map[string]any)
		iv.Request = &httpPart{Method: strings.ToUpper(str(req["method"])), Path: str(req["path"]), Query: query(req["query"]), Headers: pairs(req["headers"])}
		iv.Request.Body, iv.Request.BodyNote = body(req["body"])
		iv.Request.Rules = rules(req["matchingRules"])
		iv.Request.Generators = generators(req["generators"])
		iv.Response = &httpPart{Status: str(resp["status"]), Headers: pairs(resp["headers"])}
		if iv.Response.Status == "" {
			iv.Response.Status = "200"
		}
		iv.Response.Body, iv.Response.BodyNote = body(resp["body"])
		iv.Response.Rules = rules(resp["matchingRules"])
		iv.Response.Generators = generators(resp["generators"])
		if major == "1" || major == "2" {
			// V2 keeps rules at the top level when written by old libraries.
			iv.Response.Rules = append(iv.Response.Rules, rules(m["matchingRules"])...)
		}
	}
	return iv
}

func message(v any) *messagePart {
	m, _ := v.(map[string]any)
	mp := &messagePart{Metadata: pairs(m["metadata"])}
	mp.Contents, mp.BodyNote = body(m["contents"])
	mp.Rules = rules(m["matchingRules"])
	mp.Generators = generators(m["generators"])
	return mp
}

func states(m map[string]any) []stateView {
	if s := str(m["providerState"]); s != "" { // V2
		return []stateView{{Name: s}}
	}
	list, _ := m["providerStates"].([]any)
	var out []stateView
	for _, it := range list {
		sm, _ := it.(map[string]any)
		out = append(out, stateView{Name: str(sm["name"]), Params: pairs(sm["params"])})
	}
	return out
}

// str renders a scalar; other values become compact JSON.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return fmt.Sprint(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// pairs lists an object's entries sorted by key; array values (V3/V4
// headers and query) are joined with ", ".
func pairs(v any) []keyValue {
	m, _ := v.(map[string]any)
	out := make([]keyValue, 0, len(m))
	for k, val := range m {
		if arr, ok := val.([]any); ok {
			parts := make([]string, len(arr))
			for i, a := range arr {
				parts[i] = str(a)
			}
			out = append(out, keyValue{k, strings.Join(parts, ", ")})
			continue
		}
		out = append(out, keyValue{k, str(val)})
	}
	slices.SortFunc(out, func(a, b keyValue) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// query renders a V2 query string or a V3/V4 query map.
func query(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		vals := url.Values{}
		for k, val := range x {
			if arr, ok := val.([]any); ok {
				for _, a := range arr {
					vals.Add(k, str(a))
				}
			} else {
				vals.Add(k, str(val))
			}
		}
		return vals.Encode()
	}
	return ""
}

// body pretty-prints a body. V4 bodies are {"content", "contentType",
// "encoded"}; earlier ones are the value itself.
func body(v any) (text, note string) {
	if v == nil {
		return "", ""
	}
	if m, ok := v.(map[string]any); ok {
		if c, has := m["content"]; has && (m["contentType"] != nil || m["encoded"] != nil) && len(m) <= 3 {
			ct := str(m["contentType"])
			if enc := m["encoded"]; enc != nil && enc != false {
				return str(c), fmt.Sprintf("%s, encoded (%s)", ct, str(enc))
			}
			text, _ := body(c)
			return text, ct
		}
	}
	if s, ok := v.(string); ok {
		return s, ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v), ""
	}
	return indentBounded(b), ""
}

// size writes a byte count for people: 2.0 MiB, 512 KiB.
func size(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)/1024)
}

// rules describes matching rules in words. V2 rules are flat
// ({"$.body.id": {"match": "type"}}); V3/V4 rules are grouped by category
// ({"body": {"$.id": {"matchers": [...], "combine": "AND"}}}, with path and
// status holding the matchers directly).
func rules(v any) []ruleView {
	m, _ := v.(map[string]any)
	var out []ruleView
	for _, cat := range sortedKeys(m) {
		val := m[cat]
		if strings.HasPrefix(cat, "$") { // V2
			out = append(out, ruleView{Where: v2Where(cat), Text: describeMatchers(val)})
			continue
		}
		cm, _ := val.(map[string]any)
		if _, direct := cm["matchers"]; direct {
			out = append(out, ruleView{Where: categoryName(cat), Text: describeMatchers(cm)})
			continue
		}
		for _, path := range sortedKeys(cm) {
			out = append(out, ruleView{Where: where(cat, path), Text: describeMatchers(cm[path])})
		}
	}
	return out
}

func categoryName(cat string) string {
	switch cat {
	case "header":
		return "header"
	case "status":
		return "status code"
	}
	return cat
}

func where(cat, path string) string {
	switch cat {
	case "body", "content":
		if path == "$" {
			return "the whole body"
		}
		return "body " + path
	case "header", "headers":
		return "header " + path
	case "query":
		return "query parameter " + path
	case "metadata":
		return "metadata " + path
	}
	return cat + " " + path
}

func v2Where(path string) string {
	rest := strings.TrimPrefix(path, "$.")
	for _, part := range []struct{ prefix, name string }{{"headers", "header "}, {"query", "query parameter "}} {
		if after, ok := strings.CutPrefix(rest, part.prefix+"."); ok {
			return part.name + after
		}
		if after, ok := strings.CutPrefix(rest, part.prefix+"["); ok { // $.headers['Content-Type']
			return part.name + strings.Trim(strings.TrimSuffix(after, "]"), `'"`)
		}
	}
	switch {
	case rest == "body":
		return "the whole body"
	case strings.HasPrefix(rest, "body"):
		return "body $" + strings.TrimPrefix(rest, "body")
	case rest == "path":
		return "path"
	}
	return path
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// describeMatchers turns {"matchers": [...], "combine": "OR"} or a single
// V2 matcher into a sentence.
func describeMatchers(v any) string {
	m, _ := v.(map[string]any)
	list, ok := m["matchers"].([]any)
	if !ok {
		return describeMatcher(m)
	}
	parts := make([]string, 0, len(list))
	for _, it := range list {
		mm, _ := it.(map[string]any)
		parts = append(parts, describeMatcher(mm))
	}
	joiner := " and "
	if strings.EqualFold(str(m["combine"]), "OR") {
		joiner = " or "
	}
	return strings.Join(parts, joiner)
}

func describeMatcher(m map[string]any) string {
	kind := str(m["match"])
	if kind == "" && m["regex"] != nil {
		kind = "regex"
	}
	if kind == "" && (m["min"] != nil || m["max"] != nil) {
		kind = "type"
	}
	size := func() string {
		minV, maxV := str(m["min"]), str(m["max"])
		switch {
		case minV != "" && maxV != "":
			return fmt.Sprintf(", with %s to %s items", minV, maxV)
		case minV != "":
			return fmt.Sprintf(", with at least %s item%s", minV, plural(minV))
		case maxV != "":
			return fmt.Sprintf(", with at most %s item%s", maxV, plural(maxV))
		}
		return ""
	}
	format := func(what string) string {
		f := str(m["format"])
		if f == "" {
			f = str(m[what])
		}
		if f == "" {
			return "a " + what
		}
		return fmt.Sprintf("a %s in the format %q", what, f)
	}
	switch kind {
	case "type":
		return "the same type as the example" + size()
	case "regex":
		return fmt.Sprintf("text matching the regular expression /%s/", str(m["regex"]))
	case "equality":
		return "equal to the example"
	case "include":
		return fmt.Sprintf("text including %q", str(m["value"]))
	case "integer":
		return "an integer" + size()
	case "decimal":
		return "a decimal number" + size()
	case "number":
		return "a number" + size()
	case "boolean":
		return "true or false"
	case "null":
		return "null"
	case "timestamp", "datetime":
		return format("timestamp")
	case "date":
		return format("date")
	case "time":
		return format("time")
	case "contentType", "content-type":
		return fmt.Sprintf("content of type %s", str(m["value"]))
	case "values":
		return "an object whose values match the example, whatever the keys"
	case "arrayContains":
		n := 0
		if vs, ok := m["variants"].([]any); ok {
			n = len(vs)
		}
		return fmt.Sprintf("an array containing items like each of the %d variant%s", n, plural(fmt.Sprint(n)))
	case "semver":
		return "a semantic version"
	case "statusCode":
		return fmt.Sprintf("a status code of the class %s", str(m["status"]))
	case "notEmpty":
		return "not empty, and the same type as the example"
	case "eachKey":
		return "an object whose every key is " + nested(m)
	case "eachValue":
		return "an object or array whose every value is " + nested(m)
	case "":
		return "as in the example"
	}
	return fmt.Sprintf("matched by %q", kind)
}

func nested(m map[string]any) string {
	rs, _ := m["rules"].([]any)
	var parts []string
	for _, r := range rs {
		rm, _ := r.(map[string]any)
		parts = append(parts, describeMatcher(rm))
	}
	if len(parts) == 0 {
		return "as in the example"
	}
	return strings.Join(parts, " and ")
}

func plural(n string) string {
	if n == "1" {
		return ""
	}
	return "s"
}

// generators lists the values the verifier or mock server generates.
func generators(v any) []ruleView {
	m, _ := v.(map[string]any)
	var out []ruleView
	for _, cat := range sortedKeys(m) {
		cm, _ := m[cat].(map[string]any)
		if _, direct := cm["type"]; direct {
			out = append(out, ruleView{Where: categoryName(cat), Text: describeGenerator(cm)})
			continue
		}
		for _, path := range sortedKeys(cm) {
			g, _ := cm[path].(map[string]any)
			out = append(out, ruleView{Where: where(cat, path), Text: describeGenerator(g)})
		}
	}
	return out
}

func describeGenerator(g map[string]any) string {
	switch t := str(g["type"]); t {
	case "ProviderState":
		return fmt.Sprintf("taken from the provider state: %s", str(g["expression"]))
	case "MockServerURL":
		return "the mock server's URL"
	case "":
		return "generated"
	default:
		extra := ""
		for _, k := range []string{"format", "regex", "digits", "min", "max", "size"} {
			if v := str(g[k]); v != "" {
				extra += fmt.Sprintf(" %s %s", k, v)
			}
		}
		return "generated: " + t + extra
	}
}
