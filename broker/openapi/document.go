package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// Document is a parsed, validated OpenAPI document that pacts can be checked
// against. It is safe for concurrent use: checking never changes it.
type Document struct {
	// Version is the document's own version field: "3.0.3", "3.1.0", or
	// "2.0" for a Swagger document (converted to OpenAPI 3.0 for checking).
	Version string
	// Title is info.title, for people.
	Title string

	spec *openapi3.T
	// view is a second copy of the document whose schemas describe what a
	// consumer may rely on in a response: no required properties (a consumer
	// may read a subset of a response) and anyOf for oneOf (a consumer's
	// partial example may fit several alternatives). Request checks use spec.
	view     *openapi3.T
	routes   []route
	viewOps  map[*openapi3.Operation]*openapi3.Operation
	bases    []string
	schema20 bool
	// compiled holds the response schemas of an OpenAPI 3.1 document.
	compiled *schemas2020
	// requests holds its request schemas (from spec, required properties
	// and all), compiled when the first request body is checked.
	requests     *schemas2020
	requestsErr  error
	requestsOnce sync.Once
	// spec30 is spec marked OpenAPI 3.0.3, for kin-openapi to validate
	// simple parameters of a 3.1 document without compiling them (see
	// Document.simple); nil for a 3.0 document.
	spec30 *openapi3.T
	// simpleSchemas: see Document.simple.
	simpleSchemas sync.Map // *openapi3.Schema -> bool
}

// DocumentError says why a document was refused, in words for the person who
// published it.
type DocumentError struct {
	Reason string
}

func (e *DocumentError) Error() string { return e.Reason }

func refuse(format string, args ...any) *DocumentError {
	return &DocumentError{Reason: fmt.Sprintf(format, args...)}
}

// Parse reads an OpenAPI 3.0 or 3.1 document, or a Swagger 2.0 one (converted
// to OpenAPI 3.0), in YAML or JSON. Anything else is a *DocumentError: text
// that is neither YAML nor JSON, a document that is not OpenAPI, one that does
// not validate, or one whose $refs point outside it, to nothing, or in a loop.
func Parse(data []byte) (doc *Document, err error) {
	// The parser is a third-party library fed with untrusted input; a panic
	// in it must refuse the document, not take the broker down.
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, refuse("the document could not be read (%v); check that it is a valid OpenAPI document", r)
		}
	}()
	spec, version, err := load(data)
	if err != nil {
		return nil, err
	}
	view, _, err := load(data)
	if err != nil {
		return nil, err
	}
	openView(view)
	d := &Document{Version: version, spec: spec, view: view, schema20: spec.IsOpenAPI31OrLater()}
	if spec.Info != nil {
		d.Title = spec.Info.Title
	}
	if err := d.index(); err != nil {
		return nil, err
	}
	if d.schema20 {
		spec30 := *spec
		spec30.OpenAPI = "3.0.3"
		d.spec30 = &spec30
		if d.compiled, err = newSchemas2020(view); err != nil {
			return nil, refuse("the document's schemas cannot be read as JSON Schema 2020-12: %s", oneLine(err.Error()))
		}
	}
	return d, nil
}

// load decodes and validates one copy of the document.
func load(data []byte) (*openapi3.T, string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "", refuse("the document is empty; publish an OpenAPI 3.0 or 3.1 document in YAML or JSON")
	}
	// JSON goes through encoding/json: YAML parsers take JSON too, but
	// kin-openapi's takes a quarter of a second over a 200-operation
	// document written on one line.
	isJSON := json.Valid(data)
	var head map[string]any
	if isJSON {
		if err := json.Unmarshal(data, &head); err != nil {
			return nil, "", refuse("the document is JSON but not an object (%s); publish an OpenAPI 3.0 or 3.1 document", oneLine(err.Error()))
		}
	} else if err := yaml.Unmarshal(data, &head); err != nil {
		return nil, "", refuse("the document is neither valid YAML nor valid JSON (%s); publish an OpenAPI 3.0 or 3.1 document", oneLine(err.Error()))
	}
	if head == nil {
		return nil, "", refuse("the document is not an object with an \"openapi\" field; publish an OpenAPI 3.0 or 3.1 document")
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	loader.Context = context.Background()
	var (
		spec    *openapi3.T
		version string
		err     error
	)
	switch {
	case head["openapi"] != nil:
		version = fmt.Sprint(head["openapi"])
		if !strings.HasPrefix(version, "3.0") && !strings.HasPrefix(version, "3.1") {
			return nil, "", refuse("the document is OpenAPI %s; the broker checks OpenAPI 3.0 and 3.1 (and converts Swagger 2.0)", version)
		}
		if isJSON {
			spec = &openapi3.T{}
			if err = json.Unmarshal(data, spec); err == nil {
				err = loader.ResolveRefsIn(spec, nil)
			}
		} else {
			spec, err = loader.LoadFromData(data)
		}
	case head["swagger"] != nil:
		version = fmt.Sprint(head["swagger"])
		if version != "2.0" {
			return nil, "", refuse("the document is Swagger %s; the broker converts only Swagger 2.0 (publish OpenAPI 3.0 or 3.1)", version)
		}
		spec, err = swagger(data, loader)
	case head["asyncapi"] != nil:
		return nil, "", refuse("the document is AsyncAPI %v; the broker checks HTTP interactions against OpenAPI 3.0 and 3.1 documents only", head["asyncapi"])
	default:
		return nil, "", refuse("the document has no \"openapi\" field (nor \"swagger\": \"2.0\"), so it is not an OpenAPI document; publish an OpenAPI 3.0 or 3.1 document")
	}
	if err != nil {
		return nil, "", refuseLoad(err)
	}
	if err := checkRefLoops(spec); err != nil {
		return nil, "", err
	}
	opts := []openapi3.ValidationOption{
		// Real documents often carry examples that drift from their schemas;
		// the examples are not what consumers are checked against.
		openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(),
	}
	if spec.IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.IsOpenAPI31OrLater())
	}
	if err := spec.Validate(loader.Context, opts...); err != nil {
		return nil, "", refuse("the document is not valid OpenAPI %s: %s", version, oneLine(err.Error()))
	}
	return spec, version, nil
}

// swagger converts a Swagger 2.0 document to OpenAPI 3.0.
func swagger(data []byte, loader *openapi3.Loader) (*openapi3.T, error) {
	var tree any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return nil, err
	}
	asJSON, err := json.Marshal(jsonable(tree))
	if err != nil {
		return nil, err
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(asJSON, &doc2); err != nil {
		return nil, err
	}
	return openapi2conv.ToV3WithLoader(&doc2, loader, nil)
}

// jsonable turns YAML's map[string]any trees (and any map[any]any a YAML
// 1.1 document makes) into values encoding/json can marshal.
func jsonable(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = jsonable(e)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = jsonable(e)
		}
		return v
	}
	return v
}

func refuseLoad(err error) *DocumentError {
	msg := oneLine(err.Error())
	switch {
	case strings.Contains(msg, "disallowed external reference"), strings.Contains(msg, "external reference"):
		return refuse("the document refers to another file or URL (%s); the broker checks a single self-contained document, so inline or bundle the referenced parts", msg)
	case strings.Contains(msg, "not found"), strings.Contains(msg, "failed to resolve"), strings.Contains(msg, "bad data in"):
		return refuse("the document has a $ref that points to nothing (%s); fix or remove the reference", msg)
	}
	return refuse("the document could not be read as OpenAPI: %s", msg)
}

// checkRefLoops refuses a schema that is nothing but a chain of $refs back to
// itself (A: {$ref: B}, B: {$ref: A}): it describes no value. Recursion
// through properties or items (a tree of nodes) is fine.
func checkRefLoops(spec *openapi3.T) error {
	if spec.Components == nil {
		return nil
	}
	for name, ref := range spec.Components.Schemas {
		seen := map[*openapi3.SchemaRef]bool{}
		for r := ref; r != nil && r.Value == nil; {
			if seen[r] {
				return refuse("the schema %q is a loop of $refs that never reaches a schema; make one of them a real schema", name)
			}
			seen[r] = true
			next, ok := spec.Components.Schemas[strings.TrimPrefix(r.Ref, "#/components/schemas/")]
			if !ok {
				return refuse("the schema %q has a $ref %q that points to nothing; fix or remove the reference", name, r.Ref)
			}
			r = next
		}
		if ref == nil || ref.Value == nil {
			return refuse("the schema %q has no value; fix or remove it", name)
		}
		if loop := selfLoop(ref.Value, map[*openapi3.Schema]bool{}); loop {
			return refuse("the schema %q is a loop of allOf/anyOf/oneOf references that never reaches a schema; make one of them a real schema", name)
		}
	}
	return nil
}

// selfLoop reports whether s composes itself through allOf/anyOf/oneOf alone,
// which no finite value can be checked against.
func selfLoop(s *openapi3.Schema, onPath map[*openapi3.Schema]bool) bool {
	if onPath[s] {
		return true
	}
	onPath[s] = true
	defer delete(onPath, s)
	for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
		for _, r := range group {
			if r != nil && r.Value != nil && selfLoop(r.Value, onPath) {
				return true
			}
		}
	}
	return false
}

// openView rewrites the schemas of view into what a consumer's example of a
// response may be checked against (see Document.view).
func openView(view *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(r *openapi3.SchemaRef)
	walk = func(r *openapi3.SchemaRef) {
		if r == nil || r.Value == nil || seen[r.Value] {
			return
		}
		s := r.Value
		seen[s] = true
		s.Required = nil
		if len(s.OneOf) > 0 {
			s.AnyOf = append(s.AnyOf, s.OneOf...)
			s.OneOf = nil
			s.Discriminator = nil
		}
		for _, p := range s.Properties {
			walk(p)
		}
		for _, group := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.PrefixItems} {
			for _, c := range group {
				walk(c)
			}
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
		for _, p := range s.PatternProperties {
			walk(p)
		}
	}
	if view.Components != nil {
		for _, r := range view.Components.Schemas {
			walk(r)
		}
	}
	for _, item := range view.Paths.Map() {
		for _, op := range item.Operations() {
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					walk(mt.Schema)
				}
				for _, h := range resp.Value.Headers {
					if h.Value != nil {
						walk(h.Value.Schema)
					}
				}
			}
		}
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// index builds the routing table from the document's paths and servers.
func (d *Document) index() error {
	d.viewOps = map[*openapi3.Operation]*openapi3.Operation{}
	viewPaths := d.view.Paths.Map()
	for path, item := range d.spec.Paths.Map() {
		segs, err := compileTemplate(path)
		if err != nil {
			return refuse("the path %q cannot be matched: %v", path, err)
		}
		vitem := viewPaths[path]
		for method, op := range item.Operations() {
			if vitem != nil {
				d.viewOps[op] = vitem.GetOperation(method)
			}
		}
		d.routes = append(d.routes, route{path: path, segments: segs, item: item})
	}
	d.bases = serverBases(d.spec)
	return nil
}

// serverBases are the path prefixes of the document's servers
// ("https://api.example.com/v1" → "/v1"), longest first, so that a pact
// calling /v1/orders matches the path /orders.
func serverBases(spec *openapi3.T) []string {
	var bases []string
	seen := map[string]bool{}
	for _, s := range spec.Servers {
		if s == nil {
			continue
		}
		raw := s.URL
		for name, v := range s.Variables {
			if v != nil {
				raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
			}
		}
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		p := strings.TrimRight(u.Path, "/")
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		bases = append(bases, p)
	}
	// Longest first: /api/v2 before /api.
	for i := 1; i < len(bases); i++ {
		for j := i; j > 0 && len(bases[j]) > len(bases[j-1]); j-- {
			bases[j], bases[j-1] = bases[j-1], bases[j]
		}
	}
	return bases
}

// Operations counts the operations the document declares.
func (d *Document) Operations() int {
	n := 0
	for _, r := range d.routes {
		n += len(r.item.Operations())
	}
	return n
}

var errNoRoute = errors.New("no route")
