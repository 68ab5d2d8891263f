package openapi

import (
	"bytes"
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

// validate checks value against the schema at pointer (a JSON pointer into
// the document, like /paths/~1pets/get/responses/200/content/application~1json/schema).
func (s *schemas2020) validate(pointer string, value any) error {
	s.mu.Lock()
	sch, ok := s.compiled[pointer]
	if !ok {
		var err error
		sch, err = s.compiler.Compile(documentURL + "#" + pointer)
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("the schema at %s cannot be compiled: %w", pointer, err)
		}
		s.compiled[pointer] = sch
	}
	s.mu.Unlock()
	return sch.Validate(value)
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
