package httpapi_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
)

// TestProviderContractBadDocumentsStoreNothing publishes each kind of bad
// document through the API, as the pact CLI sends it: each is a 400 that
// says what is wrong, and nothing is stored — no contract, no provider or
// version, no check queued. A Swagger 2.0 document is converted and taken.
func TestProviderContractBadDocumentsStoreNothing(t *testing.T) {
	store := brokertest.NewStore(t, "sqlite")
	base := brokertest.Serve(t, store, httpapi.Config{})
	publish := func(doc, contentType string) (int, string) {
		body := `{"pacticipantVersionNumber":"1","branch":"main","contract":{"content":"` + base64.StdEncoding.EncodeToString([]byte(doc)) +
			`","contentType":"` + contentType + `","specification":"oas","selfVerificationResults":{"success":true}}}`
		resp, err := http.Post(base+"/provider-contracts/provider/orders/publish", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const paths = `"paths":{"/a":{"get":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}}}}}`
	for _, tc := range []struct{ name, doc, contentType, says string }{
		{"invalid YAML", "openapi: [3.0\n  x: : :", "application/yaml", "neither valid YAML nor valid JSON"},
		{"invalid JSON", `{"openapi": "3.0.3", "info": {`, "application/json", "neither valid YAML nor valid JSON"},
		{"not OpenAPI", "name: not an api\n", "application/yaml", "not an OpenAPI document"},
		{"Swagger 1.2", `{"swagger":"1.2"}`, "application/json", "only Swagger 2.0"},
		{"unresolvable $ref", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},` + paths + `}`, "application/json", "points to nothing"},
		{"cyclic $ref", `{"openapi":"3.0.3","info":{"title":"t","version":"1"},` + paths +
			`,"components":{"schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"}}}}`, "application/json", "loop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := publish(tc.doc, tc.contentType)
			if status != http.StatusBadRequest || !strings.Contains(body, tc.says) {
				t.Fatalf("status %d, want 400 saying %q: %s", status, tc.says, body)
			}
			for _, path := range []string{"/provider-contracts/provider/orders/latest", "/pacticipants/orders", "/pacticipants/orders/versions/1"} {
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404: nothing is stored", path, resp.StatusCode)
				}
			}
			checks, err := store.ClaimContractChecks(context.Background(), "test", time.Minute, 10)
			if err != nil || len(checks) != 0 {
				t.Errorf("checks queued: %v %v", checks, err)
			}
		})
	}

	swagger, err := os.ReadFile("../openapi/testdata/petstore-swagger2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if status, body := publish(string(swagger), "application/yaml"); status != http.StatusOK {
		t.Fatalf("a Swagger 2.0 document is converted and taken: %d %s", status, body)
	}
	if checks, err := store.ClaimContractChecks(context.Background(), "test", time.Minute, 10); err != nil || len(checks) != 1 {
		t.Errorf("the Swagger 2.0 contract's check is queued: %v %v", checks, err)
	}
}
