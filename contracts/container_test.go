package contracts_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pact-foundation/pact-go/v2/consumer"
	"github.com/pact-foundation/pact-go/v2/matchers"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/contracts"
)

// buildCatalogImage builds testdata/catalog as a static binary into a
// FROM-scratch image context (no registry is needed) and returns the
// Dockerfile's path.
func buildCatalogImage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "catalog"), "./testdata/catalog")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build testdata/catalog: %s", out)
	dockerfile := filepath.Join(dir, "Dockerfile")
	require.NoError(t, os.WriteFile(dockerfile, []byte("FROM scratch\nCOPY catalog /catalog\nENTRYPOINT [\"/catalog\"]\n"), 0o644))
	return dockerfile
}

// dockerBuild builds the image of dockerfile under a throwaway tag, for a
// Dependency, and removes it when t ends.
func dockerBuild(t *testing.T, dockerfile string) string {
	t.Helper()
	tag := fmt.Sprintf("accord-test/catalog:%d", time.Now().UnixNano())
	out, err := exec.Command("docker", "build", "-q", "-t", tag, filepath.Dir(dockerfile)).CombinedOutput()
	require.NoError(t, err, "docker build: %s", out)
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", tag).Run() })
	return tag
}

// TestProviderInAContainer verifies a provider built from a Dockerfile and
// run in a container, with its store as a dependency on the same network:
// its provider state is set through its own state-change URL, and a
// request filter adds the Authorization header it demands (of the
// state-change calls too).
func TestProviderInAContainer(t *testing.T) {
	pacts := t.TempDir()
	t.Setenv("ACCORD_PACT_DIR", pacts)
	pact := contracts.NewHTTPPact(t, "bookshop", "catalog")
	get := func(path string) func(cfg consumer.MockServerConfig) error {
		return func(cfg consumer.MockServerConfig) error {
			resp, err := http.Get(fmt.Sprintf("http://%s:%d%s", cfg.Host, cfg.Port, path))
			if err != nil {
				return err
			}
			return resp.Body.Close()
		}
	}
	require.NoError(t, pact.AddInteraction().
		Given("book 1 exists").
		UponReceiving("a request for book 1").
		WithRequest("GET", "/books/1").
		WillRespondWith(200, func(b *consumer.V4ResponseBuilder) {
			b.JSONBody(matchers.Map{"id": matchers.Integer(1), "title": matchers.Like("Dune")})
		}).
		ExecuteTest(t, get("/books/1")))
	require.NoError(t, pact.AddInteraction().
		UponReceiving("a request for a book that does not exist").
		WithRequest("GET", "/books/9").
		WillRespondWith(404).
		ExecuteTest(t, get("/books/9")))

	dockerfile := buildCatalogImage(t)
	store := dockerBuild(t, dockerfile)
	catalog := contracts.StartProvider(t, contracts.ProviderContainer{
		Dockerfile: dockerfile,
		Port:       "8080/tcp",
		Env:        map[string]string{"STORE_URL": "http://store:8080"},
		StatePath:  "/_pact/state",
		Ready:      "/health",
		Dependencies: []contracts.Dependency{
			{Image: store, Alias: "store", Env: map[string]string{"ROLE": "store"}, Port: "8080/tcp"},
		},
	})
	require.True(t, strings.HasSuffix(catalog.StateChangeURL, "/_pact/state"))

	contracts.VerifyProvider(t, contracts.Provider{
		Name:           "catalog",
		URL:            catalog.URL,
		StateChangeURL: catalog.StateChangeURL,
		Source:         contracts.PactFiles(pacts),
		RequestFilters: []func(*http.Request){func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer let-me-in")
		}},
	})
}
