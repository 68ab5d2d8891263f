package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/sqlstore"
	"github.com/accord-cdc/accord/broker/storetest"
)

// BenchmarkFieldUsage: GET /field-usage/provider/P, through the API on each database, for a
// provider with 50 consumers × (main + 3 environments) pacts of 50 interactions each, its
// routes from a published route coverage and a provider contract of 20 operations (the goal:
// ≤ 50 ms per request). A GET of the provider's pacticipant resource is measured in the same
// run as the baseline. Seeding takes about a minute per database:
//
//	go test -run '^$' -bench BenchmarkFieldUsage -benchtime 50x ./broker/httpapi/
func BenchmarkFieldUsage(b *testing.B) {
	const consumers, interactions = 50, 50
	for _, backend := range brokertest.Backends {
		b.Run(backend, func(b *testing.B) {
			store := brokertest.NewStore(b, backend)
			api := brokertest.API(store, httpapi.Config{})
			start := time.Now()
			seedUsage(b, store, api, consumers, interactions)
			b.Logf("%s: seeded %d consumers × 4 pacts of %d interactions in %s", backend, consumers, interactions, time.Since(start).Round(time.Second))
			for _, c := range []struct{ name, path string }{
				{"pacticipant (baseline)", "/pacticipants/P"},
				{"field usage", "/field-usage/provider/P"},
				{"field usage in production", "/field-usage/provider/P?environment=production"},
				{"can-i-remove-field", "/can-i-remove-field?provider=P&method=GET&path=/res3/%7Bid%7D&location=response.body.$.address.city"},
			} {
				// One request first: the decoded indexes are kept in memory after the first read,
				// as in a running broker; the figure is the steady state.
				if rec := httptest.NewRecorder(); true {
					api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
				}
				b.Run(c.name, func(b *testing.B) {
					loopCPU(b, func() {
						rec := httptest.NewRecorder()
						api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
						if rec.Code != http.StatusOK {
							b.Fatalf("GET %s: %d %s", c.path, rec.Code, rec.Body)
						}
					})
				})
			}
		})
	}
}

func seedUsage(b *testing.B, store *sqlstore.Store, api http.Handler, consumers, interactions int) {
	b.Helper()
	ctx := context.Background()
	do := func(method, path string, body any, want int) {
		js, err := json.Marshal(body)
		require.NoError(b, err)
		req := httptest.NewRequest(method, path, bytes.NewReader(js))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		require.Equal(b, want, rec.Code, "%s %s: %s", method, path, rec.Body)
	}
	envs := []string{"test", "staging", "production"}
	for _, e := range envs {
		_, err := store.CreateEnvironment(ctx, broker.Environment{Name: e, DisplayName: e, Production: e == "production"})
		require.NoError(b, err)
	}
	for c := range consumers {
		consumer := fmt.Sprintf("consumer-%02d", c)
		// The environments' versions first, the main branch's head last.
		for v, version := range []string{"1.0.1", "1.0.2", "1.0.3", "1.1.0"} {
			pact := benchUsagePact(consumer, interactions, c, v)
			do(http.MethodPost, "/contracts/publish", map[string]any{
				"pacticipantName": consumer, "pacticipantVersionNumber": version, "branch": "main",
				"contracts": []any{map[string]any{"consumerName": consumer, "providerName": "P", "specification": "pact",
					"contentType": "application/json", "content": base64.StdEncoding.EncodeToString([]byte(pact))}},
			}, http.StatusOK)
			if v < len(envs) {
				storetest.Deploy(b, store, consumer, version, envs[v], "")
			}
		}
	}
	var routes []string
	var paths []string
	for r := range 10 {
		routes = append(routes, fmt.Sprintf("GET /res%d/{id}", r), fmt.Sprintf("POST /res%d", r))
		paths = append(paths, fmt.Sprintf(`"/res%d/{id}":{"get":{"parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string"}}],
		  "responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object","properties":{
		    "id":{"type":"integer"},"name":{"type":"string"},"address":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string"},"street":{"type":"string"}}},
		    "items":{"type":"array","items":{"type":"object","properties":{"sku":{"type":"string"},"qty":{"type":"integer"}}}}}}}}}}}},
		  "/res%d":{"post":{"responses":{"201":{"description":"created"}}}}`, r, r))
	}
	do(http.MethodPut, "/pacticipants/P/versions/p1", map[string]any{}, http.StatusCreated)
	do(http.MethodPut, "/pacticipants/P/versions/p1/route-coverage", map[string]any{"routes": routes, "covered": routes[:10], "notCovered": routes[10:]}, http.StatusOK)
	contract := `{"openapi":"3.0.3","info":{"title":"P","version":"1"},"paths":{` + strings.Join(paths, ",") + `}}`
	_, err := store.PublishProviderContract(ctx, broker.ProviderContractRequest{Provider: "P", Version: "p2", Branch: "main",
		Specification: "oas", ContentType: "application/json", Content: []byte(contract)})
	require.NoError(b, err)
}

// benchUsagePact is a pact of n HTTP interactions over 10 resources, each response with nested
// objects, an array and a field that differs by consumer and version.
func benchUsagePact(consumer string, n, c, v int) string {
	var in []string
	for i := range n {
		in = append(in, fmt.Sprintf(`{"description":"i%d","request":{"method":"GET","path":"/res%d/%d","query":{"expand":["x"]},"headers":{"Accept":"application/json"}},
		  "response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":1,"name":"n","f%d":1,"v%d":2,
		    "address":{"city":"c","zip":"z"},"items":[{"sku":"a","qty":1}]},
		  "matchingRules":{"body":{"$.items":{"matchers":[{"match":"type","min":1}]}}}}}`, i, i%10, i, c%7, v))
	}
	return fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":"P"},"interactions":[%s],"metadata":{"pactSpecification":{"version":"3.0.0"}}}`,
		consumer, strings.Join(in, ","))
}
