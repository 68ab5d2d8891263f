package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
)

// TestCLIVerifierRecordsPendingOnlyThroughSelectors pins what broker/doc.go
// says about pending and WIP on verification results from the official
// pact CLI 18.1.2: with --consumer-version-selectors the verifier fetches
// pacts for verification and posts its result to the pact's metadata URL,
// so a failure of a pending pact is recorded as pending; without selectors
// it reads the provider's latest pacts (no pending status, no metadata),
// fails the build and the result is recorded as not pending, as the Ruby
// broker records it.
func TestCLIVerifierRecordsPendingOnlyThroughSelectors(t *testing.T) {
	ctx := context.Background()
	store := brokertest.NewStore(t, "sqlite")
	brokerURL := brokertest.Serve(t, store, httpapi.Config{})
	// A provider that fails every interaction.
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	}))
	t.Cleanup(provider.Close)
	pu, err := url.Parse(provider.URL)
	require.NoError(t, err)

	verify := func(providerVersion string, extra ...string) (string, error) {
		t.Helper()
		args := append([]string{"verifier", "--broker-url", brokerURL, "--provider-name", "users",
			"--provider-version", providerVersion, "--provider-branch", "main", "--publish", "--enable-pending",
			"--hostname", pu.Hostname(), "--port", pu.Port()}, extra...)
		cmd := exec.Command(pactCLI(t), args...)
		cmd.Env = append(os.Environ(), "PACT_DO_NOT_TRACK=true", "PACT_BROKER_HTTP_RETRIES=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	latest := func(sha string) broker.Verification {
		t.Helper()
		v, err := store.LatestVerification(ctx, "web", "users", sha)
		require.NoError(t, err, "the verifier published no result")
		return v
	}

	first := storetest.Publish(t, store, "web", "1", "main", "users", nil, "get a").Pacts[0].Pact
	out, err := verify("7.0.0", "--consumer-version-selectors", `{"mainBranch":true}`)
	require.NoError(t, err, "a failing pending pact must not fail the build:\n%s", out)
	v := latest(first.SHA)
	assert.False(t, v.Success)
	assert.True(t, v.Pending, "posted to the metadata URL, the result knows the pact was pending")
	assert.False(t, v.WIP)

	second := storetest.Publish(t, store, "web", "2", "main", "users", nil, "get b").Pacts[0].Pact
	out, err = verify("7.0.1")
	require.Error(t, err, "without selectors the verifier gets no pending status, so the failure fails the build:\n%s", out)
	v = latest(second.SHA)
	assert.False(t, v.Success)
	assert.False(t, v.Pending, "without metadata nothing says the pact was pending (the Ruby broker records the same)")
	assert.False(t, v.WIP)
}
