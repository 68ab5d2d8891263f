package openapi

import (
	"bytes"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

func mustParseFile(tb testing.TB, name string) *Document {
	tb.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := Parse(data)
	if err != nil {
		tb.Fatalf("Parse(%s): %v", name, err)
	}
	return doc
}

// pact wraps interactions (JSON objects) in a pact of the given
// specification version ("2.0.0", "3.0.0", "4.0").
func pact(version string, interactions ...string) []byte {
	key := "interactions"
	if strings.HasPrefix(version, "messages") {
		key, version = "messages", "3.0.0"
	}
	return []byte(`{"consumer":{"name":"web"},"provider":{"name":"orders"},"` + key + `":[` +
		strings.Join(interactions, ",") + `],"metadata":{"pactSpecification":{"version":"` + version + `"}}}`)
}

const orderBody = `{"id":1,"status":"open","lines":[{"sku":"ABC-1","quantity":2}]}`

// TestCheckRules runs each case against orders.yaml as OpenAPI 3.0 and as
// 3.1 (the same document, which uses nothing the two read differently):
// the schemas are validated by different code (kin-openapi's, and JSON
// Schema 2020-12 compiled once per document), and the answer must be the
// same; only inMessage, which quotes the validator, is checked under 3.0.
func TestCheckRules(t *testing.T) {
	data, err := os.ReadFile("testdata/orders.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []string{"3.0.3", "3.1.0"} {
		doc, err := Parse(bytes.Replace(data, []byte("openapi: 3.0.3"), []byte("openapi: "+version), 1))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Version != version {
			t.Fatalf("version %s, want %s", doc.Version, version)
		}
		t.Run(version, func(t *testing.T) { checkRules(t, doc, version == "3.0.3") })
	}
}

func checkRules(t *testing.T, doc *Document, messages bool) {
	cases := []struct {
		name string
		pact []byte
		want Status
		// locations of the problems, in order; op is the operation matched.
		locations []string
		op        string
		// inMessage must appear in the first problem's message.
		inMessage string
	}{
		{
			name: "v2 compatible get",
			pact: pact("2.0.0", `{"description":"get order 1","providerState":"order 1 exists","request":{"method":"GET","path":"/orders/1"},
				"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":`+orderBody+`}}`),
			want: Compatible, op: "GET /orders/{id}",
		},
		{
			name: "v2 expects a field the schema does not declare",
			pact: pact("2.0.0", `{"description":"get order 1","request":{"method":"GET","path":"/orders/1"},
				"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":1,"name":"Ann"}}}`),
			want: Incompatible, locations: []string{"response.body.$.name"}, inMessage: `property "name"`,
		},
		{
			name: "undeclared field deep in an array item",
			pact: pact("3.0.0", `{"description":"list","request":{"method":"GET","path":"/orders"},
				"response":{"status":200,"body":[{"id":1,"lines":[{"sku":"ABC-1","colour":"red"}]}]}}`),
			want: Incompatible, locations: []string{"response.body.$[0].lines[0].colour"},
		},
		{
			name: "a subset of a response's required properties is enough",
			pact: pact("3.0.0", `{"description":"ids","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"body":{"id":1}}}`),
			want: Compatible,
		},
		{
			name: "v3 calls an undeclared path",
			pact: pact("3.0.0", `{"description":"get invoice","request":{"method":"GET","path":"/invoices/1"},"response":{"status":200}}`),
			want: Incompatible, locations: []string{"request.path"}, inMessage: "no path",
		},
		{
			name: "undeclared method on a declared path",
			pact: pact("3.0.0", `{"description":"replace","request":{"method":"PUT","path":"/orders/1"},"response":{"status":200}}`),
			want: Incompatible, locations: []string{"request.method"}, inMessage: "DELETE, GET",
		},
		{
			name: "v3 request body the schema rejects",
			pact: pact("3.0.0", `{"description":"order nothing","request":{"method":"POST","path":"/orders","headers":{"Content-Type":"application/json"},"body":{"lines":[{"sku":"abc","quantity":0}]}},
				"response":{"status":201}}`),
			want: Incompatible, locations: []string{"request.body.$.lines[0].quantity", "request.body.$.lines[0].sku"},
		},
		{
			name: "request body missing where required",
			pact: pact("3.0.0", `{"description":"empty post","request":{"method":"POST","path":"/orders"},"response":{"status":201}}`),
			want: Incompatible, locations: []string{"request.body"},
		},
		{
			name: "request body to an operation without one",
			pact: pact("3.0.0", `{"description":"delete with body","request":{"method":"DELETE","path":"/orders/1","headers":{"Content-Type":"application/json"},"body":{"why":"x"}},"response":{"status":204}}`),
			want: Incompatible, locations: []string{"request.body"}, inMessage: "declares no request body",
		},
		{
			name: "request content type the operation does not accept",
			pact: pact("3.0.0", `{"description":"post text","request":{"method":"POST","path":"/orders","headers":{"Content-Type":"text/plain"},"body":"ABC-1 x2"},"response":{"status":201}}`),
			want: Incompatible, locations: []string{"request.body"},
		},
		{
			name: "v4 compatible post with a body wrapper and a declared header",
			pact: pact("4.0", `{"type":"Synchronous/HTTP","key":"k1","description":"place","providerStates":[{"name":"stock"}],
				"request":{"method":"POST","path":"/orders","headers":{"Content-Type":["application/json"]},"body":{"content":{"lines":[{"sku":"ABC-1","quantity":1}]},"contentType":"application/json","encoded":false}},
				"response":{"status":201,"headers":{"Location":["/orders/1"]},"body":{"content":`+orderBody+`,"contentType":"application/json","encoded":false}}}`),
			want: Compatible, op: "POST /orders",
		},
		{
			name: "v4 json-encoded body text",
			pact: pact("4.0", `{"type":"Synchronous/HTTP","description":"get","request":{"method":"GET","path":"/orders/1"},
				"response":{"status":200,"body":{"content":"{\"id\":1,\"nick\":\"x\"}","contentType":"application/json","encoded":"json"}}}`),
			want: Incompatible, locations: []string{"response.body.$.nick"},
		},
		{
			name: "v4 undeclared status",
			pact: pact("4.0", `{"type":"Synchronous/HTTP","description":"teapot","request":{"method":"GET","path":"/orders/1"},"response":{"status":418}}`),
			want: Incompatible, locations: []string{"response.status"}, inMessage: "200, 404",
		},
		{
			name: "status range 2XX",
			pact: pact("3.0.0", `{"description":"health","request":{"method":"GET","path":"/health"},"response":{"status":204}}`),
			want: Compatible,
		},
		{
			name: "text body against a string schema",
			pact: pact("3.0.0", `{"description":"health","request":{"method":"GET","path":"/health"},"response":{"status":200,"headers":{"Content-Type":"text/plain"},"body":"up"}}`),
			want: Compatible,
		},
		{
			name: "path parameter of the wrong type",
			pact: pact("3.0.0", `{"description":"bad id","request":{"method":"GET","path":"/orders/abc"},"response":{"status":404}}`),
			want: Incompatible, locations: []string{"request.path.id"},
		},
		{
			name: "undeclared query parameter",
			pact: pact("3.0.0", `{"description":"red","request":{"method":"GET","path":"/orders","query":{"colour":["red"]}},"response":{"status":200}}`),
			want: Incompatible, locations: []string{"request.query.colour"},
		},
		{
			name: "v2 query string outside the enum",
			pact: pact("2.0.0", `{"description":"lost","request":{"method":"GET","path":"/orders","query":"status=lost&limit=2"},"response":{"status":200}}`),
			want: Incompatible, locations: []string{"request.query.status"},
		},
		{
			name: "header parameter too long",
			pact: pact("3.0.0", `{"description":"tenant","request":{"method":"GET","path":"/orders/1","headers":{"X-Tenant":"a-very-long-tenant"}},"response":{"status":404}}`),
			want: Incompatible, locations: []string{"request.header.X-Tenant"},
		},
		{
			name: "concrete path before the template",
			pact: pact("3.0.0", `{"description":"latest","request":{"method":"GET","path":"/orders/latest"},"response":{"status":200,"body":`+orderBody+`}}`),
			want: Compatible, op: "GET /orders/latest",
		},
		{
			name: "server base path prefixes the pact's path",
			pact: pact("3.0.0", `{"description":"via base","request":{"method":"GET","path":"/api/orders/1"},"response":{"status":200,"body":{"id":1}}}`),
			want: Compatible, op: "GET /orders/{id}",
		},
		{
			name: "allOf declares the union of its parts",
			pact: pact("3.0.0", `{"description":"vip","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"body":{"customer":{"name":"Ann","vip":true}}}}`),
			want: Compatible,
		},
		{
			name: "allOf does not declare what none of its parts does",
			pact: pact("3.0.0", `{"description":"nick","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"body":{"customer":{"nickname":"A"}}}}`),
			want: Incompatible, locations: []string{"response.body.$.customer.nickname"},
		},
		{
			name: "free-form object and additionalProperties stay open",
			pact: pact("3.0.0", `{"description":"meta","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"body":{"metadata":{"any":{"thing":1}},"tags":{"team":"a"}}}}`),
			want: Compatible,
		},
		{
			name: "additionalProperties schema still applies",
			pact: pact("3.0.0", `{"description":"tags","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"body":{"tags":{"team":1}}}}`),
			want: Incompatible, locations: []string{"response.body.$.tags.team"},
		},
		{
			name: "recursive schema",
			pact: pact("3.0.0", `{"description":"parent","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"body":{"parent":{"parent":{"id":1,"oops":2}}}}}`),
			want: Incompatible, locations: []string{"response.body.$.parent.parent.oops"},
		},
		{
			name: "v3 type matcher whose example does not fit",
			pact: pact("3.0.0", `{"description":"typed","request":{"method":"GET","path":"/orders/1"},
				"response":{"status":200,"body":{"id":"one"},"matchingRules":{"body":{"$.id":{"matchers":[{"match":"type"}]}}}}}`),
			want: Incompatible, locations: []string{"response.body.$.id"}, inMessage: "type matcher",
		},
		{
			name: "v3 regex matcher is judged by its example that fits",
			pact: pact("3.0.0", `{"description":"regex ok","request":{"method":"GET","path":"/orders/1"},
				"response":{"status":200,"body":{"status":"open"},"matchingRules":{"body":{"$.status":{"matchers":[{"match":"regex","regex":"open|lost"}]}}}}}`),
			want: Compatible,
		},
		{
			name: "v2 regex matcher whose example does not fit",
			pact: pact("2.0.0", `{"description":"regex bad","request":{"method":"GET","path":"/orders/1"},
				"response":{"status":200,"body":{"lines":[{"sku":"x"}]},"matchingRules":{"$.body.lines[*].sku":{"match":"regex","regex":".*"}}}}`),
			want: Incompatible, locations: []string{"response.body.$.lines[0].sku"}, inMessage: "regex matcher",
		},
		{
			name: "v4 eachLike with min keeps the example judged",
			pact: pact("4.0", `{"type":"Synchronous/HTTP","description":"list","request":{"method":"GET","path":"/orders","query":{"status":["open"]}},
				"response":{"status":200,"body":{"content":[`+orderBody+`],"contentType":"application/json","encoded":false},
				"matchingRules":{"body":{"$":{"combine":"AND","matchers":[{"match":"type","min":1}]}}}}}`),
			want: Compatible, op: "GET /orders",
		},
		{
			name: "undeclared response header",
			pact: pact("3.0.0", `{"description":"trace","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"headers":{"X-Trace":"1"}}}`),
			want: Incompatible, locations: []string{"response.header.X-Trace"},
		},
		{
			name: "undeclared response content type",
			pact: pact("3.0.0", `{"description":"xml","request":{"method":"GET","path":"/orders/1"},"response":{"status":200,"headers":{"Content-Type":"application/xml"},"body":"<order/>"}}`),
			want: Incompatible, locations: []string{"response.header.Content-Type"},
		},
		{
			name: "a body expected where none is declared",
			pact: pact("3.0.0", `{"description":"gone","request":{"method":"DELETE","path":"/orders/1"},"response":{"status":204,"body":{"ok":true}}}`),
			want: Incompatible, locations: []string{"response.body"},
		},
		{
			name: "v3 message pact cannot be checked",
			pact: pact("messages", `{"description":"order placed","contents":{"id":1}}`),
			want: Unchecked, locations: []string{"interaction"},
		},
		{
			name: "v4 message interaction beside a compatible HTTP one",
			pact: pact("4.0", `{"type":"Asynchronous/Messages","description":"order placed","contents":{"content":{"id":1}}}`,
				`{"type":"Synchronous/HTTP","description":"get","request":{"method":"GET","path":"/orders/1"},"response":{"status":404}}`),
			want: Unchecked, locations: []string{"interaction"},
		},
		{
			name: "an incompatible interaction outweighs an unchecked one",
			pact: pact("4.0", `{"type":"Synchronous/Messages","description":"ask","request":{"contents":{}}}`,
				`{"type":"Synchronous/HTTP","description":"get","request":{"method":"GET","path":"/nope"},"response":{"status":404}}`),
			want: Incompatible, locations: []string{"interaction", "request.path"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := doc.Check(tc.pact)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Status != tc.want {
				t.Fatalf("status %s, want %s; reasons:\n%s", rep.Status, tc.want, strings.Join(rep.Reasons(), "\n"))
			}
			var locs []string
			for _, it := range rep.Interactions {
				for _, p := range it.Problems {
					locs = append(locs, p.Location)
					if p.Message == "" {
						t.Errorf("problem at %s has no message", p.Location)
					}
				}
			}
			slices.Sort(locs)
			want := slices.Clone(tc.locations)
			slices.Sort(want)
			if !slices.Equal(locs, want) {
				t.Errorf("problem locations %q, want %q; reasons:\n%s", locs, want, strings.Join(rep.Reasons(), "\n"))
			}
			if tc.op != "" && rep.Interactions[0].Operation != tc.op {
				t.Errorf("operation %q, want %q", rep.Interactions[0].Operation, tc.op)
			}
			if tc.inMessage != "" && messages {
				var first string
				for _, it := range rep.Interactions {
					if len(it.Problems) > 0 {
						first = it.Problems[0].Message
						break
					}
				}
				if !strings.Contains(first, tc.inMessage) {
					t.Errorf("message %q does not say %q", first, tc.inMessage)
				}
			}
			if (rep.Status == Compatible) != rep.Compatible() {
				t.Errorf("Compatible() disagrees with the status")
			}
			for _, r := range rep.Reasons() {
				if !strings.HasPrefix(r, `"`) {
					t.Errorf("reason %q does not name its interaction", r)
				}
			}
		})
	}
}

func TestCheckRefusesAPactThatIsNotJSON(t *testing.T) {
	doc := mustParseFile(t, "orders.yaml")
	if _, err := doc.Check([]byte("{not json")); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("err = %v", err)
	}
}

func TestCheckResponseIsStrict(t *testing.T) {
	doc := mustParseFile(t, "orders.yaml")
	json := http.Header{"Content-Type": {"application/json"}, "Date": {"today"}}
	cases := []struct {
		name         string
		method, path string
		status       int
		body         string
		locations    []string
	}{
		{"fits", "GET", "/orders/1", 200, orderBody, nil},
		{"a required property missing", "GET", "/orders/1", 200, `{"id":1,"status":"open"}`, []string{"response.body.$.lines"}},
		{"an undeclared property", "GET", "/orders/1", 200, `{"id":1,"status":"open","lines":[],"secret":"x"}`, []string{"response.body.$.secret"}},
		{"an undeclared status", "GET", "/orders/1", 500, `{"error":"x"}`, []string{"response.status"}},
		{"an undeclared path answered 404 is a test's business", "GET", "/nope", 404, `{"error":"x"}`, nil},
		{"an undeclared path answered 200", "GET", "/nope", 200, `{}`, []string{"request.path"}},
		{"not JSON", "GET", "/orders/1", 200, `{`, []string{"response.body"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var locs []string
			for _, p := range doc.CheckResponse(tc.method, tc.path, tc.status, json, []byte(tc.body)) {
				locs = append(locs, p.Location)
				if !strings.Contains(p.Message, "provider") {
					t.Errorf("message %q does not speak of the provider", p.Message)
				}
			}
			if !slices.Equal(locs, tc.locations) {
				t.Fatalf("problems at %q, want %q", locs, tc.locations)
			}
		})
	}
}

// TestCheck31ParametersAndBodies: under OpenAPI 3.1 a request body and a
// parameter whose schema uses JSON Schema 2020-12 are judged by it, and
// primitive parameters (validated without compiling them) still are judged;
// a body schema behind a $ref'd requestBody is found where it sits.
func TestCheck31ParametersAndBodies(t *testing.T) {
	doc, err := Parse([]byte(`{"openapi":"3.1.0","info":{"title":"t","version":"1"},
"paths":{"/things":{"post":{
  "parameters":[{"name":"limit","in":"query","schema":{"type":"integer","exclusiveMinimum":0}},
    {"name":"kind","in":"query","schema":{"type":"string","enum":["a","b"]}},
    {"name":"tag","in":"query","schema":{"type":["string","null"],"const":"x"}}],
  "requestBody":{"$ref":"#/components/requestBodies/New"},
  "responses":{"201":{"description":"made"}}}}},
"components":{"requestBodies":{"New":{"required":true,"content":{"application/json":{"schema":{
  "type":"object","required":["name"],"additionalProperties":false,"properties":{"name":{"type":["string","null"]},"size":{"const":3}}}}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	post := func(query, body string) []byte {
		return pact("3.0.0", `{"description":"make","request":{"method":"POST","path":"/things","query":`+query+`,
			"headers":{"Content-Type":"application/json"},"body":`+body+`},"response":{"status":201}}`)
	}
	for _, tc := range []struct {
		name, query, body string
		locations         []string
	}{
		{"fits", `{"limit":["1"],"kind":["a"],"tag":["x"]}`, `{"name":null,"size":3}`, nil},
		{"exclusiveMinimum as a number", `{"limit":["0"]}`, `{"name":"n"}`, []string{"request.query.limit"}},
		{"enum of a primitive parameter", `{"kind":["c"]}`, `{"name":"n"}`, []string{"request.query.kind"}},
		{"const of a 2020-12 parameter", `{"tag":["y"]}`, `{"name":"n"}`, []string{"request.query.tag"}},
		{"body misses a required property", `{}`, `{"size":3}`, []string{"request.body.$"}},
		{"body breaks a const", `{}`, `{"name":"n","size":4}`, []string{"request.body.$.size"}},
		{"body sends an undeclared property", `{}`, `{"name":"n","colour":"red"}`, []string{"request.body.$"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := doc.Check(post(tc.query, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var locs []string
			for _, p := range rep.Interactions[0].Problems {
				locs = append(locs, p.Location)
			}
			if !slices.Equal(locs, tc.locations) {
				t.Errorf("problems at %q, want %q: %q", locs, tc.locations, rep.Reasons())
			}
		})
	}
	// The body was judged by the schema compiled once, where the $ref
	// leads, not by kin-openapi compiling it for every body.
	if _, ok := doc.requests.compiled["/components/requestBodies/New/content/application~1json/schema"]; !ok {
		t.Errorf("the request body schema was not compiled once: %v", doc.requests.compiled)
	}
	if !doc.simple(doc.spec.Paths.Find("/things").Post.Parameters[1].Value.Schema) || doc.simple(doc.spec.Paths.Find("/things").Post.Parameters[0].Value.Schema) {
		t.Error("an enum of strings is simple; exclusiveMinimum, read differently by 3.0 and 3.1, is not")
	}
}

// TestCheck31ResponseByRef: under OpenAPI 3.1 a response declared by $ref
// (components/responses) is judged by its schema too. It was not: the
// schema was looked for under the operation, where only the $ref sits, and
// the failure to compile it let every body pass.
func TestCheck31ResponseByRef(t *testing.T) {
	for _, version := range []string{"3.0.3", "3.1.0"} {
		doc, err := Parse([]byte(`{"openapi":"` + version + `","info":{"title":"t","version":"1"},
"paths":{"/x":{"get":{"responses":{"400":{"$ref":"#/components/responses/Err"}}}}},
"components":{"responses":{"Err":{"description":"e","content":{"application/json":{"schema":{"type":"object","properties":{"error":{"type":"string"}}}}}}}}}`))
		if err != nil {
			t.Fatal(err)
		}
		for body, want := range map[string]Status{`{"error":"no"}`: Compatible, `{"error":5}`: Incompatible} {
			rep, err := doc.Check(pact("3.0.0", `{"description":"x","request":{"method":"GET","path":"/x"},
				"response":{"status":400,"headers":{"Content-Type":"application/json"},"body":`+body+`}}`))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Status != want {
				t.Errorf("OpenAPI %s, body %s: %s, want %s: %q", version, body, rep.Status, want, rep.Reasons())
			}
		}
	}
}
