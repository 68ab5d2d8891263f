package openapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// DeclaredOperation is an operation of the document with the response fields its successful
// responses declare, as field-usage locations (broker/fieldusage): "response.body.$.name",
// "response.body.$.items[*].sku", "response.headers.Location". Field usage lists what of them no
// consumer uses: what the provider may change safely.
type DeclaredOperation struct {
	Method, Path string
	Fields       []string
}

// maxFieldDepth bounds the walk of a deep schema: past it a field is listed whole.
const maxFieldDepth = 8

// DeclaredOperations lists every operation with the fields of its 2xx (or default) responses,
// sorted by path and method.
func (d *Document) DeclaredOperations() []DeclaredOperation {
	var out []DeclaredOperation
	for _, r := range d.routes {
		for method, op := range r.item.Operations() {
			fields := map[string]bool{}
			for code, resp := range op.Responses.Map() {
				if resp == nil || resp.Value == nil || !(strings.HasPrefix(code, "2") || code == "default") {
					continue
				}
				for name := range resp.Value.Headers {
					fields["response.headers."+http.CanonicalHeaderKey(name)] = true
				}
				for ct, mt := range resp.Value.Content {
					if mt == nil || mt.Schema == nil || !strings.Contains(ct, "json") {
						continue
					}
					schemaFields(mt.Schema.Value, "$", 0, map[*openapi3.Schema]bool{}, func(p string) { fields["response.body."+p] = true })
				}
			}
			list := make([]string, 0, len(fields))
			for f := range fields {
				list = append(list, f)
			}
			slices.Sort(list)
			out = append(out, DeclaredOperation{Method: strings.ToUpper(method), Path: r.path, Fields: list})
		}
	}
	slices.SortFunc(out, func(a, b DeclaredOperation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	return out
}

// schemaFields adds the leaf fields of s under path: the properties of objects (and of allOf,
// oneOf and anyOf alternatives), array items as [*], anything else as a leaf.
func schemaFields(s *openapi3.Schema, path string, depth int, onPath map[*openapi3.Schema]bool, add func(string)) {
	if s == nil {
		return
	}
	if onPath[s] || depth > maxFieldDepth {
		add(path) // a schema within itself is declared here; its fields are listed above
		return
	}
	onPath[s] = true
	defer delete(onPath, s)
	before := 0
	counting := func(p string) { before++; add(p) }
	for _, alts := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, a := range alts {
			if a != nil {
				schemaFields(a.Value, path, depth+1, onPath, counting)
			}
		}
	}
	switch {
	case len(s.Properties) > 0:
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			if p := s.Properties[n]; p != nil {
				schemaFields(p.Value, path+fieldStep(n), depth+1, onPath, counting)
			}
		}
	case s.Items != nil:
		schemaFields(s.Items.Value, path+"[*]", depth+1, onPath, counting)
	case before == 0 && path != "$":
		add(path)
	}
}

// fieldStep writes a property as broker/fieldusage writes it: dotted when plain, else quoted.
func fieldStep(k string) string {
	plain := k != ""
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			plain = false
		}
	}
	if plain {
		return "." + k
	}
	return "['" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(k) + "']"
}
