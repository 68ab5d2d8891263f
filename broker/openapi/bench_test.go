package openapi

import (
	"fmt"
	"strings"
	"testing"
)

// syntheticDocument is an OpenAPI document of 100 resources, each with a GET
// of one item and a POST of a new one: 200 operations over shared schemas.
func syntheticDocument(version string) []byte {
	var paths []string
	for i := range 100 {
		paths = append(paths, fmt.Sprintf(`"/things%d/{id}":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"integer"}}],
"get":{"parameters":[{"name":"fields","in":"query","schema":{"type":"string"}}],"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Thing"}}}},"404":{"description":"none"}}},
"post":{"requestBody":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/NewThing"}}}},"responses":{"201":{"description":"made","headers":{"Location":{"schema":{"type":"string"}}},"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Thing"}}}}}}}`, i))
	}
	return []byte(`{"openapi":"` + version + `","info":{"title":"Things","version":"1"},"paths":{` + strings.Join(paths, ",") + `},
"components":{"schemas":{
"Thing":{"type":"object","required":["id","name"],"properties":{"id":{"type":"integer"},"name":{"type":"string","maxLength":50},"tags":{"type":"array","items":{"type":"string"}},
  "owner":{"allOf":[{"$ref":"#/components/schemas/Party"},{"type":"object","properties":{"since":{"type":"string","format":"date-time"}}}]},
  "parts":{"type":"array","items":{"$ref":"#/components/schemas/Part"}}}},
"Part":{"type":"object","properties":{"sku":{"type":"string","pattern":"^[A-Z]+-[0-9]+$"},"quantity":{"type":"integer","minimum":1}}},
"Party":{"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string","format":"email"}}},
"NewThing":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"parts":{"type":"array","items":{"$ref":"#/components/schemas/Part"}}}}}}}`)
}

// syntheticPact has 50 interactions spread over the document's operations,
// every one compatible, with V3 matching rules.
func syntheticPact() []byte {
	var its []string
	for i := range 50 {
		if i%2 == 0 {
			its = append(its, fmt.Sprintf(`{"description":"get thing %d","providerStates":[{"name":"thing exists"}],"request":{"method":"GET","path":"/things%d/%d","query":{"fields":["name"]}},
"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":%d,"name":"thing","tags":["a","b"],"owner":{"name":"Ann","since":"2026-01-02T03:04:05Z"},"parts":[{"sku":"AB-1","quantity":2},{"sku":"CD-2","quantity":1}]},
"matchingRules":{"body":{"$.id":{"matchers":[{"match":"type"}]},"$.parts":{"matchers":[{"match":"type","min":1}]},"$.parts[*].sku":{"matchers":[{"match":"regex","regex":"^[A-Z]+-[0-9]+$"}]}}}}}`, i, i*2, i, i))
		} else {
			its = append(its, fmt.Sprintf(`{"description":"make thing %d","request":{"method":"POST","path":"/things%d/0","headers":{"Content-Type":"application/json"},"body":{"name":"new","parts":[{"sku":"AB-1","quantity":1}]}},
"response":{"status":201,"headers":{"Location":"/things/1","Content-Type":"application/json"},"body":{"id":1,"name":"new"}}}`, i, i*2))
		}
	}
	return pact("3.0.0", its...)
}

func TestSyntheticPactIsCompatible(t *testing.T) {
	for _, version := range []string{"3.0.3", "3.1.0"} {
		doc, err := Parse(syntheticDocument(version))
		if err != nil {
			t.Fatal(err)
		}
		if doc.Operations() != 200 {
			t.Fatalf("%d operations", doc.Operations())
		}
		rep, err := doc.Check(syntheticPact())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.Compatible() || len(rep.Interactions) != 50 {
			t.Fatalf("OpenAPI %s: %s: %q", version, rep.Summary(), rep.Reasons())
		}
	}
}

// BenchmarkCheck50Interactions200Operations: the goal is ≤ 20 ms per
// check of a 50-interaction pact against a 200-operation document.
func BenchmarkCheck50Interactions200Operations(b *testing.B) {
	for _, version := range []string{"3.0.3", "3.1.0"} {
		b.Run("openapi-"+version, func(b *testing.B) {
			doc, err := Parse(syntheticDocument(version))
			if err != nil {
				b.Fatal(err)
			}
			p := syntheticPact()
			b.ReportAllocs()
			for b.Loop() {
				rep, err := doc.Check(p)
				if err != nil || !rep.Compatible() {
					b.Fatal(err, rep.Reasons())
				}
			}
		})
	}
}

// BenchmarkParse200Operations is what publishing a provider contract costs
// before any pact is checked.
func BenchmarkParse200Operations(b *testing.B) {
	data := syntheticDocument("3.0.3")
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}
