package openapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Outline is a document as a person reads it: its operations, each with
// its parameters, request body and responses, schemas written out as short
// type expressions ("object {id: integer, total?: number}"). The broker's
// pages show it.
type Outline struct {
	Title, Version string
	Operations     []OutlineOperation
}

// OutlineOperation is one operation of an Outline.
type OutlineOperation struct {
	Method, Path, Summary string
	Parameters            []OutlineParameter
	// RequestBody lists the accepted content types and their schemas.
	RequestBody         []OutlineContent
	RequestBodyRequired bool
	Responses           []OutlineResponse
}

// OutlineParameter is one path, query, header or cookie parameter.
type OutlineParameter struct {
	Name, In, Schema string
	Required         bool
}

// OutlineContent is a content type and its schema.
type OutlineContent struct {
	ContentType, Schema string
}

// OutlineResponse is one declared response status.
type OutlineResponse struct {
	Status, Description string
	Content             []OutlineContent
}

// maxOutlineDepth bounds how deep a schema is written out; deeper parts are "…".
const maxOutlineDepth = 4

// Outline returns the document's operations sorted by path and method.
func (d *Document) Outline() Outline {
	out := Outline{Title: d.Title, Version: d.Version}
	for _, r := range d.routes {
		for method, op := range r.item.Operations() {
			o := OutlineOperation{Method: strings.ToUpper(method), Path: r.path, Summary: oneLine(op.Summary)}
			params := append(slices.Clone(r.item.Parameters), op.Parameters...)
			for _, p := range params {
				if p == nil || p.Value == nil {
					continue
				}
				o.Parameters = append(o.Parameters, OutlineParameter{Name: p.Value.Name, In: p.Value.In, Required: p.Value.Required, Schema: schemaText(p.Value.Schema, 0)})
			}
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				o.RequestBodyRequired = rb.Value.Required
				o.RequestBody = contentOutline(rb.Value.Content)
			}
			if op.Responses != nil {
				for code, resp := range op.Responses.Map() {
					if resp == nil || resp.Value == nil {
						continue
					}
					desc := ""
					if resp.Value.Description != nil {
						desc = oneLine(*resp.Value.Description)
					}
					o.Responses = append(o.Responses, OutlineResponse{Status: code, Description: desc, Content: contentOutline(resp.Value.Content)})
				}
				slices.SortFunc(o.Responses, func(a, b OutlineResponse) int { return strings.Compare(a.Status, b.Status) })
			}
			out.Operations = append(out.Operations, o)
		}
	}
	slices.SortFunc(out.Operations, func(a, b OutlineOperation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.Method, b.Method)
	})
	return out
}

func contentOutline(c openapi3.Content) []OutlineContent {
	var out []OutlineContent
	for ct, mt := range c {
		s := ""
		if mt != nil {
			s = schemaText(mt.Schema, 0)
		}
		out = append(out, OutlineContent{ContentType: ct, Schema: s})
	}
	slices.SortFunc(out, func(a, b OutlineContent) int { return strings.Compare(a.ContentType, b.ContentType) })
	return out
}

// schemaText writes a schema as a short type expression: optional object
// properties end in "?", arrays are "array of …", enums list their values.
func schemaText(ref *openapi3.SchemaRef, depth int) string {
	if ref == nil || ref.Value == nil {
		return "any"
	}
	if depth > maxOutlineDepth {
		return "…"
	}
	s := ref.Value
	var alts []string
	for _, group := range []struct {
		word string
		refs openapi3.SchemaRefs
	}{{"all of", s.AllOf}, {"one of", s.OneOf}, {"any of", s.AnyOf}} {
		if len(group.refs) == 0 {
			continue
		}
		parts := make([]string, 0, len(group.refs))
		for _, r := range group.refs {
			parts = append(parts, schemaText(r, depth+1))
		}
		alts = append(alts, group.word+" ("+strings.Join(parts, " | ")+")")
	}
	typ := "any"
	if s.Type != nil && len(*s.Type) > 0 {
		typ = strings.Join(*s.Type, " or ")
	}
	text := typ
	switch {
	case s.Type != nil && s.Type.Is("array") || s.Items != nil:
		text = "array of " + schemaText(s.Items, depth+1)
	case len(s.Properties) > 0:
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		slices.Sort(names)
		fields := make([]string, 0, len(names))
		for _, n := range names {
			opt := "?"
			if slices.Contains(s.Required, n) {
				opt = ""
			}
			fields = append(fields, n+opt+": "+schemaText(s.Properties[n], depth+1))
		}
		text = "object {" + strings.Join(fields, ", ") + "}"
	}
	if s.Format != "" {
		text += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		vals := make([]string, 0, len(s.Enum))
		for _, v := range s.Enum {
			vals = append(vals, fmt.Sprint(v))
		}
		text += " one of " + strings.Join(vals, ", ")
	}
	if s.Pattern != "" {
		text += " matching " + s.Pattern
	}
	if len(alts) > 0 {
		if text == "any" {
			return strings.Join(alts, ", ")
		}
		text += ", " + strings.Join(alts, ", ")
	}
	return text
}
