package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/accord-cdc/accord/contracts/build"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStagesSayWhatToDoNext(t *testing.T) {
	p := &Pipeline{Root: "../..", Build: build.Info{Version: "abc"}, Stdout: io.Discard, Stderr: io.Discard}
	ctx := context.Background()

	for _, err := range []error{
		p.Publish(ctx, t.TempDir()),
		p.CreateEnvironment(ctx, "production", "", true),
		p.RecordDeployment(ctx, "users", "", "production"),
		func() error {
			_, err := p.CanIDeploy(ctx, DeployQuery{Pacticipant: "users", Environment: "production"})
			return err
		}(),
	} {
		assert.ErrorIs(t, err, ErrNoBroker)
		assert.ErrorContains(t, err, "set PACT_BROKER_BASE_URL")
		assert.False(t, errors.Is(err, ErrNotDeployable))
	}

	p.Broker = &Broker{BaseURL: "http://127.0.0.1:1"}
	err := p.Publish(ctx, t.TempDir())
	assert.ErrorContains(t, err, "no pact files in")
	assert.ErrorContains(t, err, "run the consumer tests first")
	err = p.Publish(ctx, filepath.Join(t.TempDir(), "missing"))
	assert.ErrorContains(t, err, "run the consumer tests first")

	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "shop-stock.json"), []byte(`{"consumer": {"name": "shop"`), 0o644))
	err = p.Publish(ctx, bad)
	assert.ErrorContains(t, err, "shop-stock.json is not a pact file")
	assert.ErrorContains(t, err, "delete it and run the consumer tests again")
}

func TestScanFindsVerificationTestsAndProviderNames(t *testing.T) {
	pp, err := scanPackage("example.com/shop/inventory", "testdata/scan/inventory")
	require.NoError(t, err)
	assert.Equal(t, []string{"TestAlsoVerifies", "TestInventoryHonoursItsPacts"}, pp.Tests,
		"tests reach VerifyProvider through the package's helper; building a Provider alone is no verification")
	assert.Equal(t, []string{"inventory"}, pp.Providers, "the name is read through the package's constant")

	pp, err = scanPackage("example.com/shop/direct", "testdata/scan/direct")
	require.NoError(t, err)
	assert.Equal(t, []string{"TestComputedName", "TestProvider"}, pp.Tests)
	assert.Equal(t, []string{"stock"}, pp.Providers, "a name computed at run time is not guessed")
}

func TestFindProviderPackagesInThisModule(t *testing.T) {
	pkgs, err := FindProviderPackages(context.Background(), "../..", []string{"./providers/..."})
	require.NoError(t, err)
	byName := map[string]ProviderPackage{}
	for _, p := range pkgs {
		byName[p.ImportPath] = p
	}
	require.Contains(t, byName, "github.com/accord-cdc/accord/providers/users")
	assert.Equal(t, []string{"users"}, byName["github.com/accord-cdc/accord/providers/users"].Providers)
	assert.Contains(t, byName["github.com/accord-cdc/accord/providers/users"].Tests, "TestProviderUsers")
	assert.NotContains(t, byName["github.com/accord-cdc/accord/providers/users"].Tests, "TestProviderUsersCatchesABreak")

	pkgs, err = FindProviderPackages(context.Background(), "../..", []string{"./providers/users/"})
	require.NoError(t, err)
	require.Len(t, pkgs, 1, "one package named")
	assert.Equal(t, []string{"users"}, pkgs[0].Providers)

	// The whole module, as a webhook-triggered build scans it: the contracts
	// library's examples (a sample provider named users) are not a provider.
	pkgs, err = FindProviderPackages(context.Background(), "../..", []string{"./..."})
	require.NoError(t, err)
	for _, p := range pkgs {
		assert.False(t, strings.HasPrefix(p.ImportPath, contractsImport), "%s is the library, not a provider", p.ImportPath)
	}

	_, err = FindProviderPackages(context.Background(), "../..", []string{"./no/such/dir"})
	assert.ErrorContains(t, err, "no/such/dir")
}

func TestDirtyVersionsAreExplained(t *testing.T) {
	assert.Equal(t, "0a1b2c3", DescribeVersion("0a1b2c3"))
	assert.Contains(t, DescribeVersion("0a1b2c3+dirty"), "uncommitted changes")
}

func TestRunnerRunsABuildPerWebhookAndReportsIt(t *testing.T) {
	var got []BuildRequest
	var mu sync.Mutex
	r := &Runner{Log: io.Discard, Command: func(_ context.Context, br BuildRequest, _ io.Writer) error {
		mu.Lock()
		got = append(got, br)
		mu.Unlock()
		if br.Consumer == "broken" {
			return errors.New("exit status 1")
		}
		return nil
	}}
	srv := httptest.NewServer(r)
	defer srv.Close()

	for _, body := range []string{
		`{"pactUrl":"http://127.0.0.1:9292/pacts/provider/users/consumer/gateway/pact-version/abc","provider":"users","providerVersion":"1a2b","providerBranch":"main","consumer":"gateway"}`,
		`{"pactUrl":"http://127.0.0.1:9292/x","consumer":"broken"}`,
	} {
		resp, err := http.Post(srv.URL+"/builds", "application/json", strings.NewReader(body))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	}
	resp, err := http.Post(srv.URL+"/builds", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "a build needs a pact URL")

	r.Wait()
	resp, err = http.Get(srv.URL + "/builds")
	require.NoError(t, err)
	defer resp.Body.Close()
	var builds []Build
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&builds))
	require.Len(t, builds, 2)
	assert.Equal(t, "passed", builds[0].Status)
	assert.Equal(t, "main", builds[0].Request.ProviderBranch)
	assert.Equal(t, "failed", builds[1].Status)
	assert.Equal(t, "exit status 1", builds[1].Error)
	assert.Len(t, got, 2)
}

// TestBrokerRetriesWhileBrieflyUnavailable: a 503 (a broker restarting, its
// database failing over) is asked again, as the official clients do; a 500
// is not.
func TestBrokerRetriesWhileBrieflyUnavailable(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := calls.Add(1); r.URL.Path == "/fail" || n < 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(map[bool]int{true: http.StatusInternalServerError, false: http.StatusServiceUnavailable}[r.URL.Path == "/fail"])
			_, _ = w.Write([]byte(`{"errors":{"database":["unavailable"]}}`))
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	b := &Broker{BaseURL: srv.URL}
	var out struct{ OK bool }
	require.NoError(t, b.get(context.Background(), srv.URL+"/x", &out))
	assert.True(t, out.OK)
	assert.Equal(t, int32(3), calls.Load())

	calls.Store(0)
	err := b.get(context.Background(), srv.URL+"/fail", &out)
	assert.ErrorContains(t, err, "500 Internal Server Error: database: unavailable")
	assert.Equal(t, int32(1), calls.Load())
}
