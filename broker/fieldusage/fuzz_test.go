package fieldusage

import (
	"reflect"
	"testing"
)

// FuzzParseLocation: whatever a person types as a location either is refused with the expected
// form or parses to a canonical form that parses back to itself.
func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{
		"response.body.$.name", "response.headers.content-type", "request.query.page", "request.headers.Accept",
		"request.body.$.items[0].sku", "message.body.$.orderId", `response.body.$['a b']["c\"d"]`, "response.body.$.prices.*",
		"response.body.$[", "request.body.$['x", "message.metadata.", "response.body.$..a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLocation(s)
		if err != nil {
			return
		}
		again, err := ParseLocation(l.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", l, s, err)
		}
		if again != l {
			t.Fatalf("%q parses to %+v, its canonical form %q to %+v", s, l, l.String(), again)
		}
		if !l.Covers(l) {
			t.Fatalf("%q does not cover itself", l)
		}
	})
}

// FuzzIndexPact: any document is indexed or refused without a panic, and every location the index
// writes is canonical (it parses back to itself), so questions can find it. Reading the document
// interaction by interaction indexes exactly what decoding it whole does.
func FuzzIndexPact(f *testing.F) {
	f.Add([]byte(webShopPact))
	f.Add([]byte(mobilePact))
	f.Add([]byte(`{"interactions":[{"type":"Synchronous/Messages","description":"d","request":{"contents":{"content":{"a":[1]}}},"response":[{"contents":{"content":"x","encoded":"base64"}}]}],"metadata":{"pactSpecification":{"version":"4.0"}}}`))
	f.Add([]byte(`{"messages":[{"description":"m","contents":{"a b":{"c":[]}},"matchingRules":{"$.body.x[0]":{"match":"type"}}}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		ix, err := IndexPact(doc)
		whole, werr := indexDecoded(doc)
		if (err == nil) != (werr == nil) {
			t.Fatalf("streamed: %v, decoded whole: %v", err, werr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(ix, whole) {
			t.Fatalf("streamed index differs from the decoded one:\n%+v\n%+v", ix, whole)
		}
		for _, in := range ix.Interactions {
			for _, loc := range in.Fields {
				l, err := ParseLocation(loc)
				if err != nil || l.String() != loc {
					t.Fatalf("indexed location %q is not canonical (%v, %q)", loc, err, l)
				}
			}
		}
	})
}
