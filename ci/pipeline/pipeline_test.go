package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/accord-cdc/accord/contracts/build"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStagesSayWhatToDoNext(t *testing.T) {
	p := &Pipeline{Root: "../..", Pact: "/nonexistent/pact", Build: build.Info{Version: "abc"}, Stdout: io.Discard, Stderr: io.Discard}
	ctx := context.Background()

	err := p.Publish(ctx, t.TempDir())
	var se *StageError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "publish", se.Stage)
	assert.Contains(t, err.Error(), "PACT_BROKER_BASE_URL is not set")

	p.BrokerURL = "http://127.0.0.1:1"
	err = p.Publish(ctx, t.TempDir())
	assert.ErrorContains(t, err, "no pact files")
	assert.ErrorContains(t, err, "run the consumer tests first")

	err = p.Verify(ctx, "../etc", "")
	assert.ErrorContains(t, err, "is not a provider name")
	err = p.Verify(ctx, "payments", "")
	assert.ErrorContains(t, err, "no package ./providers/payments/")

	p.BrokerURL = ""
	for _, err := range []error{
		p.CanIDeploy(ctx, "users", "", "production", 0, 0),
		p.RecordDeployment(ctx, "users", "", "production"),
	} {
		assert.ErrorContains(t, err, "export PACT_BROKER_BASE_URL")
		assert.False(t, errors.Is(err, ErrNotDeployable))
	}
}

func TestExportedTestName(t *testing.T) {
	assert.Equal(t, "Users", exported("users"))
	assert.Equal(t, "OrderHistory", exported("order-history"))
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
