package openapi

import (
	"errors"
	"strings"
	"testing"
)

func TestParseVersions(t *testing.T) {
	cases := []struct {
		file    string
		version string
		ops     int
	}{
		{"orders.yaml", "3.0.3", 6},
		{"pets31.json", "3.1.0", 1},
		{"petstore-swagger2.yaml", "2.0", 1},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			doc := mustParseFile(t, tc.file)
			if doc.Version != tc.version || doc.Operations() != tc.ops {
				t.Fatalf("version %q with %d operations, want %q with %d", doc.Version, doc.Operations(), tc.version, tc.ops)
			}
		})
	}
}

func TestCheckOpenAPI31(t *testing.T) {
	doc := mustParseFile(t, "pets31.json")
	cases := []struct {
		name, body string
		want       Status
		location   string
	}{
		{"type array allows null", `{"name":"Rex","age":null}`, Compatible, ""},
		{"oneOf read as anyOf for a partial example", `{"kind":{"legs":4}}`, Compatible, ""},
		{"const of 3.1", `{"kind":{"meows":true,"legs":3}}`, Incompatible, "response.body.$.kind"},
		{"minimum under a type array", `{"age":-1}`, Incompatible, "response.body.$.age"},
		{"undeclared property", `{"name":"Rex","owner":"Ann"}`, Incompatible, "response.body.$.owner"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := doc.Check(pact("3.0.0", `{"description":"get pet","request":{"method":"GET","path":"/pets/rex"},"response":{"status":200,"body":`+tc.body+`}}`))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Status != tc.want {
				t.Fatalf("status %s, want %s: %q", rep.Status, tc.want, rep.Reasons())
			}
			if tc.location != "" && !strings.HasPrefix(rep.Interactions[0].Problems[0].Location, tc.location) {
				t.Fatalf("problems %q, want one at %s", rep.Reasons(), tc.location)
			}
		})
	}
}

func TestCheckSwagger2Converted(t *testing.T) {
	doc := mustParseFile(t, "petstore-swagger2.yaml")
	rep, err := doc.Check(pact("2.0.0",
		`{"description":"pet","request":{"method":"GET","path":"/v2/pets/1"},"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":1,"name":"Rex"}}}`,
		`{"description":"pet colour","request":{"method":"GET","path":"/pets/1"},"response":{"status":200,"body":{"colour":"red"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interactions[0].Status != Compatible || rep.Interactions[1].Status != Incompatible {
		t.Fatalf("got %+v", rep)
	}
}

func TestParseRefuses(t *testing.T) {
	const paths = `"paths":{"/a":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}}`
	cases := []struct {
		name, doc, says string
	}{
		{"empty", "  \n", "empty"},
		{"not YAML or JSON", "openapi: [3.0\n  x: : :", "neither valid YAML nor valid JSON"},
		{"a list, not an object", "- 1\n- 2", "neither valid YAML nor valid JSON"},
		{"not OpenAPI", `{"name":"x"}`, "not an OpenAPI document"},
		{"AsyncAPI", `asyncapi: 2.6.0`, "AsyncAPI"},
		{"unknown OpenAPI version", `{"openapi":"4.0.0","info":{"title":"t","version":"1"},"paths":{}}`, "OpenAPI 4.0.0"},
		{"Swagger 1.2", `{"swagger":"1.2"}`, "only Swagger 2.0"},
		{"unresolvable $ref", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},` + paths + `}`, "points to nothing"},
		{"cyclic $ref", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},` + paths +
			`,"components":{"schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"}}}}`, "loop"},
		{"allOf loop", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},` + paths +
			`,"components":{"schemas":{"A":{"allOf":[{"$ref":"#/components/schemas/A"}]}}}}`, "loop"},
		{"external $ref", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"other.yaml#/A"}}}}}}}}}`, "another file"},
		{"invalid document", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{}}}}`, "not valid OpenAPI"},
		{"no info", `{"openapi":"3.0.3","paths":{}}`, "not valid OpenAPI"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse([]byte(tc.doc))
			var de *DocumentError
			if !errors.As(err, &de) {
				t.Fatalf("Parse = %v, %v; want a *DocumentError", doc, err)
			}
			if !strings.Contains(de.Reason, tc.says) || strings.Contains(de.Reason, "\n") {
				t.Fatalf("reason %q does not say %q on one line", de.Reason, tc.says)
			}
		})
	}
}

func TestOutline(t *testing.T) {
	doc, err := Parse([]byte(`openapi: 3.0.3
info: {title: Orders, version: "1"}
paths:
  /orders/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get:
      summary: Get an order
      parameters: [{name: expand, in: query, schema: {type: string, enum: [items]}}]
      responses:
        "200":
          description: an order
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: integer}, items: {type: array, items: {type: string}}}}
        "404": {description: no such order}
`))
	if err != nil {
		t.Fatal(err)
	}
	o := doc.Outline()
	if o.Title != "Orders" || len(o.Operations) != 1 {
		t.Fatalf("outline %+v", o)
	}
	op := o.Operations[0]
	if op.Method != "GET" || op.Path != "/orders/{id}" || op.Summary != "Get an order" || len(op.Parameters) != 2 || len(op.Responses) != 2 {
		t.Fatalf("operation %+v", op)
	}
	if p := op.Parameters[1]; p.Name != "expand" || p.In != "query" || p.Required || p.Schema != "string one of items" {
		t.Fatalf("parameter %+v", p)
	}
	if got, want := op.Responses[0].Content[0].Schema, "object {id: integer, items?: array of string}"; got != want {
		t.Fatalf("response schema %q, want %q", got, want)
	}
}
