package openapi_test

import (
	"reflect"
	"testing"

	"github.com/accord-cdc/accord/broker/fieldusage"
	"github.com/accord-cdc/accord/broker/openapi"
)

func TestDeclaredOperations(t *testing.T) {
	doc, err := openapi.Parse([]byte(`{"openapi":"3.0.3","info":{"title":"Users","version":"1"},"paths":{
	  "/users/{id}":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
	    "get":{"responses":{"200":{"description":"a user","headers":{"etag":{"schema":{"type":"string"}}},
	      "content":{"application/json":{"schema":{"$ref":"#/components/schemas/User"}}}},
	      "404":{"description":"none","content":{"application/json":{"schema":{"type":"object","properties":{"error":{"type":"string"}}}}}}}},
	    "delete":{"responses":{"204":{"description":"gone"}}}},
	  "/users":{"get":{"responses":{"200":{"description":"all","content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/User"}}}}}}}}},
	  "components":{"schemas":{"User":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},
	    "address":{"allOf":[{"type":"object","properties":{"city":{"type":"string"}}}]},"tags":{"type":"array","items":{"type":"string"}},
	    "display name":{"type":"string"},"manager":{"$ref":"#/components/schemas/User"}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	ops := doc.DeclaredOperations()
	var got []string
	for _, op := range ops {
		got = append(got, op.Method+" "+op.Path)
		for _, f := range op.Fields {
			if l, err := fieldusage.ParseLocation(f); err != nil || l.String() != f {
				t.Errorf("%s: field %q is not a canonical location (%v)", op.Path, f, err)
			}
		}
	}
	if want := []string{"GET /users", "DELETE /users/{id}", "GET /users/{id}"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("operations %q, want %q", got, want)
	}
	wantUser := []string{"response.body.$.address.city", "response.body.$.id", "response.body.$.name", "response.body.$.tags[*]", "response.body.$['display name']", "response.headers.Etag"}
	user := ops[2].Fields
	for _, f := range wantUser {
		if !contains(user, f) {
			t.Errorf("GET /users/{id} lacks %s: %q", f, user)
		}
	}
	if contains(user, "response.body.$.error") {
		t.Error("a 404's fields are not what the operation promises")
	}
	if !contains(user, "response.body.$.manager") || contains(user, "response.body.$.manager.id") {
		t.Errorf("a schema within itself is one field, not walked again: %q", user)
	}
	if !contains(ops[0].Fields, "response.body.$[*].name") || len(ops[1].Fields) != 0 {
		t.Errorf("array response or empty response: %q %q", ops[0].Fields, ops[1].Fields)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
