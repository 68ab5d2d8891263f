package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemas2020 validates against the schemas of an OpenAPI 3.1 document,
// whose dialect is JSON Schema 2020-12. kin-openapi compiles a schema anew
// for every value it validates under 3.1 (milliseconds each); this compiles
// each schema once, where it sits in the document, so that its $refs
// resolve within the document and recursion needs no unrolling.
type schemas2020 struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// documentURL names the document as a JSON Schema resource; it is never
// fetched (the compiler has no loader).
const documentURL = "urn:accord:provider-contract"

func newSchemas2020(view *openapi3.T) (*schemas2020, error) {
	data, err := view.MarshalJSON()
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	if err := c.AddResource(documentURL, doc); err != nil {
		return nil, err
	}
	return &schemas2020{compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
}

// schema compiles the schema at pointer (a JSON pointer into the document,
// like /paths/~1pets/get/responses/200/content/application~1json/schema),
// once.
func (s *schemas2020) schema(pointer string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sch, ok := s.compiled[pointer]; ok {
		return sch, nil
	}
	sch, err := s.compiler.Compile(documentURL + "#" + pointer)
	if err != nil {
		return nil, fmt.Errorf("the schema at %s cannot be compiled: %w", pointer, err)
	}
	s.compiled[pointer] = sch
	return sch, nil
}

func pointerOf(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteString("/")
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("the document refers to %s outside itself", url)
}

// simpleKeywords are the keywords a primitive schema may use and still
// mean the same to kin-openapi's OpenAPI 3.0 validator as to JSON Schema
// 2020-12 (kin-openapi checks formats with the same functions in both).
var simpleKeywords = map[string]bool{
	"type": true, "format": true, "enum": true, "minimum": true, "maximum": true,
	"minLength": true, "maxLength": true, "pattern": true, "default": true,
	"description": true, "example": true, "title": true,
}

// simple reports whether a parameter's or header's schema in an OpenAPI 3.1
// document is a primitive one that kin-openapi may validate without
// compiling it as JSON Schema 2020-12, which it does anew for every value
// (a millisecond each). The answer is kept per schema.
func (d *Document) simple(r *openapi3.SchemaRef) bool {
	if r == nil || r.Value == nil {
		return false
	}
	if v, ok := d.simpleSchemas.Load(r.Value); ok {
		return v.(bool)
	}
	ok := false
	if data, err := r.Value.MarshalJSON(); err == nil {
		var m map[string]any
		if json.Unmarshal(data, &m) == nil {
			t, _ := m["type"].(string)
			ok = t == "string" || t == "integer" || t == "number" || t == "boolean"
			for k := range m {
				ok = ok && simpleKeywords[k]
			}
		}
	}
	d.simpleSchemas.Store(r.Value, ok)
	return ok
}

// simpleParameters reports whether every parameter of the operation (its
// path item's too) has a simple schema.
func (d *Document) simpleParameters(item *openapi3.PathItem, op *openapi3.Operation) bool {
	for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range ps {
			if p == nil || p.Value == nil || !d.simple(p.Value.Schema) {
				return false
			}
		}
	}
	return true
}
