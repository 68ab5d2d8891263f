package fieldusage

import (
	"fmt"
	"testing"
)

// benchVersions builds the scale: consumers × (main + 3 environments) consumer versions,
// each with a pact of interactions HTTP interactions over 10 resources, every response with nested
// objects, an array and a handful of fields, some fields differing by consumer and version.
func benchVersions(tb testing.TB, consumers, interactions int) ([]ConsumerVersion, Routes) {
	tb.Helper()
	var patterns []string
	for r := 0; r < 10; r++ {
		patterns = append(patterns, fmt.Sprintf("GET /res%d/{id}", r), fmt.Sprintf("POST /res%d", r))
	}
	routes, err := ParseRoutes(patterns)
	if err != nil {
		tb.Fatal(err)
	}
	var out []ConsumerVersion
	envs := []string{"test", "staging", "production"}
	for c := 0; c < consumers; c++ {
		for v := 0; v < 4; v++ {
			cv := ConsumerVersion{Consumer: fmt.Sprintf("consumer-%02d", c), Version: fmt.Sprintf("1.%d.0", v), MainBranch: "main"}
			if v == 0 {
				cv.LatestOf = []string{"main"}
			} else {
				cv.Environments = []string{envs[v-1]}
			}
			cv.Index = mustIndex(tb, benchPact(interactions, c, v))
			out = append(out, cv)
		}
	}
	return out, routes
}

// BenchmarkUsage: the usage of a provider with 50 consumers × (main + 3 environments) pacts of
// 50 interactions each, from their stored indexes (the goal: ≤ 50 ms per request).
func BenchmarkUsage(b *testing.B) {
	versions, routes := benchVersions(b, 50, 50)
	rep := Usage("P", versions, Options{Routes: routes})
	if len(rep.Endpoints) != 10 || len(rep.Endpoints[0].Consumers) != 50 {
		b.Fatalf("degenerate report: %d endpoints", len(rep.Endpoints))
	}
	reportCPU(b, func() { Usage("P", versions, Options{Routes: routes}) })
}

// BenchmarkCanRemove: one can-i-remove-field over the same data.
func BenchmarkCanRemove(b *testing.B) {
	versions, routes := benchVersions(b, 50, 50)
	q := RemoveQuery{Provider: "P", Method: "GET", Path: "/res3/{id}", Location: Location{Part: "response", Section: "body", Path: "$.address.city"}}
	if d := CanRemove(q, versions, routes); d.Removable || len(d.Consumers) != 50 {
		b.Fatalf("degenerate decision: %+v", d.Reason)
	}
	reportCPU(b, func() { CanRemove(q, versions, routes) })
}

// BenchmarkIndexPact: indexing one pact of 50 interactions, the work done once per publication.
func BenchmarkIndexPact(b *testing.B) {
	doc := []byte(benchPact(50, 0, 0))
	reportCPU(b, func() {
		if _, err := IndexPact(doc); err != nil {
			b.Fatal(err)
		}
	})
}

func benchPact(interactions, c, v int) string {
	doc := `{"interactions":[`
	for i := 0; i < interactions; i++ {
		if i > 0 {
			doc += ","
		}
		doc += fmt.Sprintf(`{"description":"i%d","request":{"method":"GET","path":"/res%d/%d","query":{"expand":["x"]},"headers":{"Accept":"application/json"}},
		  "response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":1,"name":"n","f%d":1,"v%d":2,
		    "address":{"city":"c","zip":"z"},"items":[{"sku":"a","qty":1}]},
		  "matchingRules":{"body":{"$.items":{"matchers":[{"match":"type","min":1}]}}}}}`, i, i%10, i, c%7, v)
	}
	return doc + `],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
}
