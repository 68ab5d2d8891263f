package pactdiff_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/accord-cdc/accord/broker/pactdiff"
)

const v2a = `{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[
 {"_id":"1","description":"list orders","providerState":"orders exist","request":{"method":"GET","path":"/orders"},"response":{"status":200,"body":[{"id":1}]}},
 {"_id":"2","description":"get order","request":{"method":"GET","path":"/orders/1"},"response":{"status":200}}],
 "metadata":{"pactSpecification":{"version":"2.0.0"}}}`

// The same interactions in the other order, with other _ids: no change.
const v2aReordered = `{"metadata":{"pactSpecification":{"version":"2.0.0"}},"provider":{"name":"Orders"},"consumer":{"name":"Web"},"interactions":[
 {"_id":"9","response":{"status":200},"description":"get order","request":{"path":"/orders/1","method":"GET"}},
 {"description":"list orders","providerState":"orders exist","request":{"method":"GET","path":"/orders"},"response":{"status":200,"body":[{"id":1}]}}]}`

const v2b = `{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[
 {"description":"list orders","providerState":"orders exist","request":{"method":"GET","path":"/orders"},"response":{"status":200,"body":[{"id":1,"total":"9.99"}]}},
 {"description":"get order","request":{"method":"GET","path":"/orders/1"},"response":{"status":200}}],
 "metadata":{"pactSpecification":{"version":"2.0.0"}}}`

const v3a = `{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[
 {"description":"list orders","providerStates":[{"name":"orders exist","params":{"n":2}}],"request":{"method":"GET","path":"/orders","query":{"page":["1"]}},"response":{"status":200}}],
 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

const v3b = `{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[
 {"description":"list orders","providerStates":[{"name":"orders exist","params":{"n":3}}],"request":{"method":"GET","path":"/orders","query":{"page":["1"]}},"response":{"status":200}}],
 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

const v3msgA = `{"consumer":{"name":"Billing"},"provider":{"name":"Orders"},"messages":[
 {"description":"order placed","providerStates":[{"name":"an order"}],"contents":{"id":1},"metaData":{"contentType":"application/json"}}],
 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

const v3msgB = `{"consumer":{"name":"Billing"},"provider":{"name":"Orders"},"messages":[
 {"description":"order cancelled","contents":{"id":1,"reason":"x"},"metaData":{"contentType":"application/json"}},
 {"description":"order placed","providerStates":[{"name":"an order"}],"contents":{"id":1},"metaData":{"contentType":"application/json"}}],
 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

const v4a = `{"consumer":{"name":"Billing"},"provider":{"name":"Orders"},"interactions":[
 {"type":"Synchronous/HTTP","key":"a1","description":"get order","request":{"method":"GET","path":"/orders/1"},"response":{"status":200}},
 {"type":"Asynchronous/Messages","key":"m1","description":"order placed","contents":{"content":{"id":1},"contentType":"application/json","encoded":false}}],
 "metadata":{"pactSpecification":{"version":"4.0"}}}`

const v4b = `{"consumer":{"name":"Billing"},"provider":{"name":"Orders"},"interactions":[
 {"type":"Synchronous/HTTP","key":"a1","description":"get order","request":{"method":"GET","path":"/orders/1"},"response":{"status":200}},
 {"type":"Asynchronous/Messages","key":"m1","description":"order placed","contents":{"content":{"id":"1"},"contentType":"application/json","encoded":false}}],
 "metadata":{"pactSpecification":{"version":"4.0"}}}`

func TestDiff(t *testing.T) {
	for name, tc := range map[string]struct {
		old, new string
		want     []string // lines the diff must contain
		not      []string // lines it must not
	}{
		"V2 reordered is no change":   {v2a, v2aReordered, nil, nil},
		"V2 field added":              {v2a, v2b, []string{`+          "total": "9.99"`, `-          "id": 1`, `+          "id": 1,`}, []string{`"_id"`, `-      "description": "get order"`}},
		"V3 provider state params":    {v3a, v3b, []string{`-              "n": 2`, `+              "n": 3`}, []string{`"query"`}},
		"V3 message added":            {v3msgA, v3msgB, []string{`+      "description": "order cancelled",`, `+        "reason": "x"`}, []string{`-      "description": "order placed",`}},
		"V4 message contents changed": {v4a, v4b, []string{`-          "id": 1`, `+          "id": "1"`}, []string{`"Synchronous/HTTP"`}},
		"V4 from V3 messages":         {v3msgA, v4a, []string{`-  "messages": [`, `+      "type": "Asynchronous/Messages"`, `-      "version": "3.0.0"`, `+      "version": "4.0"`}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			d, err := pactdiff.Diff("old", []byte(tc.old), "new", []byte(tc.new))
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if d != "" {
					t.Fatalf("want no diff, got:\n%s", d)
				}
				return
			}
			got := strings.Split(d, "\n")
			if got[0] != "--- old" || got[1] != "+++ new" || !strings.HasPrefix(got[2], "@@ -") {
				t.Fatalf("headers:\n%s", d)
			}
			for _, w := range tc.want {
				if !contains(got, w) {
					t.Errorf("missing line %q in:\n%s", w, d)
				}
			}
			for _, n := range tc.not {
				for _, l := range got {
					if strings.Contains(l, n) {
						t.Errorf("line %q should not be there:\n%s", l, d)
					}
				}
			}
			checkApplies(t, tc.old, tc.new, d)
		})
	}
}

// contains finds a line by its kind and text, whatever its indentation.
func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l != "" && l[0] == s[0] && strings.TrimSpace(l[1:]) == strings.TrimSpace(s[1:]) {
			return true
		}
	}
	return false
}

// checkApplies applies the unified diff to the canonical old pact and
// demands the canonical new one: the hunks' ranges and lines are right.
func checkApplies(t *testing.T, old, new, diff string) {
	t.Helper()
	a, _ := pactdiff.Canonical([]byte(old))
	b, _ := pactdiff.Canonical([]byte(new))
	if got := apply(t, strings.Split(a, "\n"), diff); got != b {
		t.Fatalf("diff does not turn old into new:\n%s\ngot:\n%s\nwant:\n%s", diff, got, b)
	}
}

func apply(t *testing.T, a []string, diff string) string {
	t.Helper()
	var out []string
	pos := 0 // next line of a to copy
	for _, l := range strings.Split(strings.TrimSuffix(diff, "\n"), "\n")[2:] {
		switch {
		case strings.HasPrefix(l, "@@ -"):
			var start, count int
			spec := strings.Fields(l)[1][1:]
			if n, _ := fmt.Sscanf(spec, "%d,%d", &start, &count); n == 1 {
				count = 1
			}
			if count == 0 {
				start++
			}
			for pos < start-1 {
				out = append(out, a[pos])
				pos++
			}
		case l[0] == ' ':
			if a[pos] != l[1:] {
				t.Fatalf("context %q does not match line %d %q", l, pos+1, a[pos])
			}
			out = append(out, l[1:])
			pos++
		case l[0] == '-':
			if a[pos] != l[1:] {
				t.Fatalf("removal %q does not match line %d %q", l, pos+1, a[pos])
			}
			pos++
		case l[0] == '+':
			out = append(out, l[1:])
		}
	}
	out = append(out, a[pos:]...)
	return strings.Join(out, "\n")
}

// Random edits of random texts: the script is always a correct diff, and
// with few edits it is short (no whole-file replacement).
func TestUnifiedRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		a := make([]string, r.IntN(60))
		for j := range a {
			a[j] = fmt.Sprint(r.IntN(8))
		}
		b := append([]string(nil), a...)
		for range r.IntN(6) {
			p := r.IntN(len(b) + 1)
			if r.IntN(2) == 0 && p < len(b) {
				b = append(b[:p], b[p+1:]...)
			} else {
				b = append(b[:p], append([]string{"new"}, b[p:]...)...)
			}
		}
		d := pactdiff.Unified("a", a, "b", b, r.IntN(4))
		if got, want := apply(t, a, d), strings.Join(b, "\n"); got != want {
			t.Fatalf("case %d: %v -> %v\n%s\ngot %q", i, a, b, d, got)
		}
	}
}

func TestNotJSON(t *testing.T) {
	if _, err := pactdiff.Diff("old", []byte(`{}`), "new", []byte(`[1]`)); err == nil || !strings.Contains(err.Error(), "new") {
		t.Fatalf("err = %v", err)
	}
}

func ExampleDiff() {
	old := `{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[{"description":"get order","request":{"method":"GET","path":"/orders/1"},"response":{"status":200}}]}`
	new := `{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[{"description":"get order","request":{"method":"GET","path":"/orders/1"},"response":{"status":404}}]}`
	d, _ := pactdiff.Diff("Web version 1", []byte(old), "Web version 2", []byte(new))
	fmt.Print(d)
	// Output:
	// --- Web version 1
	// +++ Web version 2
	// @@ -10,7 +10,7 @@
	//          "path": "/orders/1"
	//        },
	//        "response": {
	// -        "status": 200
	// +        "status": 404
	//        }
	//      }
	//    ],
}
