package ui

import "testing"

// FuzzRenderPact: whatever content a pact holds, preparing its page never
// panics and the text it produces stays within a fixed multiple of the
// content (the raw JSON and each body at most indentFactor times their
// compact size, plus a little for tiny documents).
func FuzzRenderPact(f *testing.F) {
	for _, s := range []string{
		`{"interactions":[{"description":"a","request":{"method":"GET","path":"/","body":[[[[1,2,3]]]]},"response":{"status":200,"body":{"a":{"b":[1,2]}}}}]}`,
		`{"messages":[{"description":"m","contents":{"x":[{},{},{}]},"metaData":{"k":"v"}}],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`,
		`{"interactions":[{"type":"Synchronous/Messages","request":{"contents":{"content":{"a":1},"contentType":"application/json"}},"response":[{"contents":{"content":"x","encoded":"base64"}}]}]}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`{"a":"\"[{,:"}`, `{`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		pv := renderPact(content)
		total := len(pv.Raw)
		for _, in := range pv.Interactions {
			for _, p := range []*httpPart{in.Request, in.Response} {
				if p != nil {
					total += len(p.Body)
				}
			}
			for _, m := range append([]*messagePart{in.Message, in.SyncRequest}, in.Responses...) {
				if m != nil {
					total += len(m.Contents)
				}
			}
		}
		if limit := 4*indentFactor*len(content) + 64<<10; total > limit {
			t.Fatalf("a %d-byte pact became %d bytes of page text (limit %d)", len(content), total, limit)
		}
	})
}
