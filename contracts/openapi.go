package contracts

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/accord-cdc/accord/broker/fieldusage"
	"github.com/accord-cdc/accord/broker/openapi"
)

// OpenAPI is a provider's OpenAPI document, for a provider that publishes
// it as its provider contract (bi-directional contract testing: the broker
// checks every consumer pact against it). Its Handler checks, in the
// provider's normal tests, that every response the real handler gives fits
// the document; that pass or failure is the self-verification published
// with the contract:
//
//	spec := contracts.LoadOpenAPI(t, "openapi.yaml")
//	srv := httptest.NewServer(spec.Handler(t, orders.NewHandler(svc, nil)))
//	// ... the usual tests against srv ...
//
//	pact pactflow publish-provider-contract openapi.yaml --provider orders -a $VERSION \
//	  --branch $BRANCH --content-type application/yaml \
//	  --verification-exit-code $? --verifier "go test"
type OpenAPI struct {
	Path     string
	Document *openapi.Document
}

// LoadOpenAPI reads and validates the document at path, failing the test
// with the reason when it is not a document the broker would take.
func LoadOpenAPI(tb testing.TB, path string) *OpenAPI {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("contracts: read the OpenAPI document: %v", err)
	}
	doc, err := openapi.Parse(data)
	if err != nil {
		tb.Fatalf("contracts: %s is not a provider contract the broker would take: %v", path, err)
	}
	return &OpenAPI{Path: path, Document: doc}
}

// Routes are the document's operations as ServeMux patterns ("GET /users/{id}"), sorted by
// path and method: Provider.Routes for a provider whose routes its contract declares, so the
// route coverage says which declared operations no consumer contract exercises. A path whose
// parameter shares a segment with text ("/files/{name}.json"), which no ServeMux pattern can
// write, is left out.
func (o *OpenAPI) Routes() []string {
	var out []string
	for _, op := range o.Document.DeclaredOperations() {
		pattern := op.Method + " " + op.Path
		if _, err := fieldusage.ParseRoute(pattern); err == nil {
			out = append(out, pattern)
		}
	}
	return out
}

// Handler wraps h so that each response it gives fails tb when it does not
// fit the document: an undeclared status or content type, a body that does
// not fit its schema (required properties included), or a property the
// document does not declare. Requests the document does not describe are
// the test's business unless they are answered with a 2xx.
func (o *OpenAPI) Handler(tb testing.TB, h http.Handler) http.Handler {
	var mu sync.Mutex
	checked := 0
	tb.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if checked == 0 && !tb.Failed() {
			tb.Logf("contracts: no response was checked against %s; send the tests' requests through the handler OpenAPI.Handler returns", o.Path)
		}
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		res := rec.Result()
		body := rec.Body.Bytes()
		if problems := o.Document.CheckResponse(r.Method, r.URL.RequestURI(), res.StatusCode, res.Header, body); len(problems) > 0 {
			var b strings.Builder
			fmt.Fprintf(&b, "contracts: %s %s answered %d, which does not fit %s:", r.Method, r.URL.RequestURI(), res.StatusCode, o.Path)
			for _, p := range problems {
				fmt.Fprintf(&b, "\n\t%s: %s", p.Location, p.Message)
			}
			tb.Error(b.String())
		}
		mu.Lock()
		checked++
		mu.Unlock()
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = bytes.NewReader(body).WriteTo(w)
	})
}
