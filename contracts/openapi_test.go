package contracts_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-cdc/accord/contracts"
)

// recordingTB keeps the errors a helper reports instead of failing.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }

func TestOpenAPIHandlerFailsOnAResponseTheDocumentDoesNotDescribe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openapi.yaml")
	doc := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: a thing
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: string}}}
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/things/1":
			fmt.Fprint(w, `{"id":"1"}`)
		case "/things/2":
			fmt.Fprint(w, `{"id":"2","secret":"x"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"no"}`)
		}
	})
	rec := &recordingTB{TB: t}
	srv := httptest.NewServer(contracts.LoadOpenAPI(t, path).Handler(rec, h))
	t.Cleanup(srv.Close)
	for _, p := range []string{"/things/1", "/things/2", "/things/3"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if p == "/things/2" && resp.StatusCode != 200 {
			t.Fatalf("the response must reach the client unchanged, got %d", resp.StatusCode)
		}
	}
	if len(rec.errors) != 2 {
		t.Fatalf("errors %q, want two: the undeclared property and the undeclared 404", rec.errors)
	}
	if !strings.Contains(rec.errors[0], "GET /things/2 answered 200") || !strings.Contains(rec.errors[0], "response.body.$.secret") {
		t.Errorf("first error %q", rec.errors[0])
	}
	if !strings.Contains(rec.errors[1], "GET /things/3 answered 404") || !strings.Contains(rec.errors[1], "response.status") {
		t.Errorf("second error %q", rec.errors[1])
	}
}

// TestOpenAPIRoutes: the provider contract lists the routes to cover.
func TestOpenAPIRoutes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "openapi.yaml")
	doc := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /users/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: a user}}}
    delete: {responses: {"204": {description: gone}}}
  /users:
    post: {responses: {"201": {description: made}}}
  /files/{name}.json:
    parameters: [{name: name, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: a file}}}
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	got := contracts.LoadOpenAPI(t, path).Routes()
	want := []string{"POST /users", "DELETE /users/{id}", "GET /users/{id}"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("Routes() = %q, want %q", got, want)
	}
}

// openAPIChildEnv names the handler TestOpenAPIHandlerChild serves when this
// test binary runs it as a child process.
const openAPIChildEnv = "ACCORD_OPENAPI_CHILD"

// TestOpenAPIHandlerChild is a provider's test with a real *testing.T:
// TestOpenAPIHandlerFailsTheTest runs it in a child process with each
// handler of bodies; alone it runs the handler that fits, and passes.
func TestOpenAPIHandlerChild(t *testing.T) {
	which := os.Getenv(openAPIChildEnv)
	if which == "" {
		which = "fits"
	}
	path := filepath.Join(t.TempDir(), "openapi.yaml")
	if err := os.WriteFile(path, []byte(`openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /things/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: a thing
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: string}, size: {type: integer}}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{
		"fits":       `{"id":"1","size":3}`,
		"undeclared": `{"id":"1","colour":"red"}`,
		"wrong-type": `{"id":"1","size":"big"}`,
		"missing":    `{"size":3}`,
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, bodies[which])
	})
	srv := httptest.NewServer(contracts.LoadOpenAPI(t, path).Handler(t, h))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/things/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// TestOpenAPIHandlerFailsTheTest runs a provider's test for real (a child
// process of this test binary, with its own *testing.T): a handler whose
// response does not fit the document fails it, naming the request and the
// location; one that fits passes. That pass or failure is the
// self-verification a provider publishes.
func TestOpenAPIHandlerFailsTheTest(t *testing.T) {
	for _, tc := range []struct {
		handler string
		fails   bool
		says    string
	}{
		{"fits", false, ""},
		{"undeclared", true, "response.body.$.colour"},
		{"wrong-type", true, "response.body.$.size"},
		{"missing", true, "response.body"},
	} {
		t.Run(tc.handler, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestOpenAPIHandlerChild$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), openAPIChildEnv+"="+tc.handler)
			out, err := cmd.CombinedOutput()
			if failed := err != nil; failed != tc.fails {
				t.Fatalf("the provider's test failed: %v, want %v; its output:\n%s", failed, tc.fails, out)
			}
			if tc.fails {
				for _, want := range []string{"--- FAIL: TestOpenAPIHandlerChild", "GET /things/1 answered 200, which does not fit", tc.says} {
					if !strings.Contains(string(out), want) {
						t.Errorf("the failure does not say %q:\n%s", want, out)
					}
				}
			}
		})
	}
}
