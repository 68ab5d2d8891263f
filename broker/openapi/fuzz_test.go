package openapi

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: whatever document is published as a provider contract, Parse
// either refuses it with a *DocumentError or returns a document that a pact
// can be checked against without panicking. The committed corpus is in
// testdata/fuzz/FuzzParse; the seeds below add the test documents.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a/{b}":{"get":{"parameters":[{"name":"b","in":"path","required":true,"schema":{"type":"integer"}}],"responses":{"200":{"description":"ok"}}}}}}`))
	f.Add([]byte("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"))
	f.Add([]byte("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	probe := pact("4.0",
		`{"type":"Synchronous/HTTP","description":"x","request":{"method":"GET","path":"/a/1","query":{"q":["1"]},"headers":{"X":["y"]}},"response":{"status":200,"headers":{"Content-Type":["application/json"]},"body":{"content":{"a":[1,{"b":null}]},"contentType":"application/json"}}}`,
		`{"type":"Synchronous/HTTP","description":"y","request":{"method":"POST","path":"/a","body":{"content":"x","contentType":"text/plain"}},"response":{"status":201}}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			t.Skip("larger than the fuzzer's budget, not than the broker's limit")
		}
		doc, err := Parse(data)
		if err != nil {
			var de *DocumentError
			if !errors.As(err, &de) || de.Reason == "" {
				t.Fatalf("Parse error %T %v is not a *DocumentError with a reason", err, err)
			}
			return
		}
		rep, err := doc.Check(probe)
		if err != nil {
			t.Fatal(err)
		}
		switch rep.Status {
		case Compatible, Incompatible, Unchecked:
		default:
			t.Fatalf("status %q", rep.Status)
		}
	})
}
