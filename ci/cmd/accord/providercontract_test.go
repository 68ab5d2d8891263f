package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/httpedge"
)

// TestPublishProviderContract: accord publish-provider-contract sends the
// document and the self-verification the flags describe, as the official
// CLI's pactflow publish-provider-contract does, and refuses unclear flags.
func TestPublishProviderContract(t *testing.T) {
	base := startBroker(t, httpedge.Auth{})
	dir := t.TempDir()
	doc := `{"openapi":"3.0.3","info":{"title":"orders","version":"1"},"paths":{}}`
	file := filepath.Join(dir, "openapi.json")
	results := filepath.Join(dir, "self.txt")
	require.NoError(t, os.WriteFile(file, []byte(doc), 0o600))
	require.NoError(t, os.WriteFile(results, []byte("--- FAIL: TestOrdersAPI\n"), 0o600))
	env := map[string]string{"PACT_BROKER_BASE_URL": base}

	code, out, errOut := accord(env, "publish-provider-contract", file, "--provider", "orders", "-a", "7", "--branch", "main",
		"--verification-exit-code", "1", "--verification-results", results, "--verifier", "go test")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "orders version 7")

	var contract struct {
		ContentType, Content, Branch string
	}
	get(t, base+"/provider-contracts/provider/orders/version/7", &contract)
	assert.Equal(t, "application/json", contract.ContentType, "taken from the file's extension")
	assert.Equal(t, doc, contract.Content)
	assert.Equal(t, "main", contract.Branch)
	var self struct {
		Reported, Success bool
		Content, Verifier string
	}
	get(t, base+"/provider-contracts/provider/orders/version/7/self-verification", &self)
	assert.Equal(t, struct {
		Reported, Success bool
		Content, Verifier string
	}{true, false, "--- FAIL: TestOrdersAPI\n", "go test"}, self, "exit code 1 is a failed self-verification")

	for _, args := range [][]string{
		{file, "--provider", "orders", "-a", "8"},
		{file, "--provider", "orders", "-a", "8", "--verification-success", "--verification-exit-code", "0"},
		{file, "-a", "8", "--verification-success"},
	} {
		code, _, errOut := accord(env, append([]string{"publish-provider-contract"}, args...)...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
	}
	resp, err := http.Get(base + "/provider-contracts/provider/orders/version/8")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "nothing was published")
}

func get(t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/hal+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}
