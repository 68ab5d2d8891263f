package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker"
	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
)

// exitCode is the pact CLI's exit status: 0 yes, 1 no or unknown.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "the pact CLI did not run: %v", err)
	return ee.ExitCode()
}

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// TestPactCLIDeployments drives environments, deployments, releases,
// can-i-deploy and can-i-merge through the official pact CLI. The decision
// is the CLI's exit code, so each step asserts it.
func TestPactCLIDeployments(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			store := brokertest.NewStore(t, backend)
			url := brokertest.Serve(t, store, httpapi.Config{})
			run := func(t *testing.T, want int, args ...string) string {
				t.Helper()
				out, err := cli(t, url, nil, args...)
				require.Equal(t, want, exitCode(t, err), "pact broker %s:\n%s", strings.Join(args, " "), out)
				return out
			}
			canIDeploy := func(t *testing.T, want int, args ...string) string {
				t.Helper()
				return run(t, want, append([]string{"can-i-deploy"}, args...)...)
			}

			// Web (consumer) 1 and 2 publish different pacts with Orders;
			// Orders o1 verified Web 1's, o2 failed Web 2's.
			storetest.Publish(t, store, "Web", "1", "main", "Orders", nil, "get order")
			storetest.Publish(t, store, "Web", "2", "main", "Orders", nil, "get order", "list orders")
			verify := func(consumerVersion, providerVersion string, ok bool) {
				p, err := store.GetPact(ctx, broker.PactRef{Consumer: "Web", Provider: "Orders", Version: consumerVersion})
				require.NoError(t, err)
				_, err = store.RecordVerification(ctx, broker.VerificationRequest{Consumer: "Web", Provider: "Orders", SHA: p.SHA, ProviderVersion: providerVersion, Success: ok})
				require.NoError(t, err)
			}
			verify("1", "o1", true)
			verify("2", "o2", false)
			_, _, err := store.AddBranchVersion(ctx, "Orders", "main", "o1")
			require.NoError(t, err)
			_, _, err = store.AddBranchVersion(ctx, "Orders", "feat/x", "o2")
			require.NoError(t, err)

			var prodUUID, testUUID string
			t.Run("create-environment", func(t *testing.T) {
				out := run(t, 0, "create-environment", "--name", "production", "--display-name", "Production", "--production",
					"--contact-name", "Ops", "--contact-email-address", "ops@example.com", "--output", "id")
				prodUUID = uuidRE.FindString(out)
				require.NotEmpty(t, prodUUID, out)
				out = run(t, 0, "create-environment", "--name", "test")
				assert.Contains(t, out, "test")
				testUUID = uuidRE.FindString(out)
				require.NotEmpty(t, testUUID, out)
				envs, err := store.FindEnvironments(ctx, "production")
				require.NoError(t, err)
				require.Len(t, envs, 1)
				assert.True(t, envs[0].Production)
				assert.Contains(t, string(envs[0].Contacts), "ops@example.com")

				out = run(t, 1, "create-environment", "--name", "test")
				assert.Contains(t, out, "already exists")
				out = run(t, 1, "create-environment", "--name", "has space")
				assert.Contains(t, out, "whitespace")
			})
			t.Run("list-and-describe-environment", func(t *testing.T) {
				out := run(t, 0, "list-environments")
				assert.Contains(t, out, "production")
				assert.Contains(t, out, "Production")
				assert.Contains(t, out, testUUID)
				out = run(t, 0, "describe-environment", "--uuid", prodUUID)
				assert.Contains(t, out, "Production")
				assert.Contains(t, out, "Ops")
				run(t, 1, "describe-environment", "--uuid", "00000000-0000-4000-8000-000000000000")
			})
			t.Run("update-environment", func(t *testing.T) {
				run(t, 0, "update-environment", "--uuid", testUUID, "--name", "test", "--display-name", "Test Env")
				e, err := store.GetEnvironment(ctx, testUUID)
				require.NoError(t, err)
				assert.Equal(t, "Test Env", e.DisplayName)
				assert.False(t, e.Production)
				run(t, 1, "update-environment", "--uuid", testUUID, "--name", "production")
			})

			t.Run("record-deployment", func(t *testing.T) {
				run(t, 0, "record-deployment", "--pacticipant", "Orders", "--version", "o1", "--environment", "production")
				run(t, 0, "record-deployment", "--pacticipant", "Orders", "--version", "o1", "--environment", "production")
				deps, err := store.CurrentlyDeployed(ctx, prodUUID, broker.DeploymentFilter{Pacticipant: "Orders"})
				require.NoError(t, err)
				require.Len(t, deps, 1, "deploying the same version again keeps one record")
				run(t, 1, "record-deployment", "--pacticipant", "Orders", "--version", "o9", "--environment", "production")
				run(t, 1, "record-deployment", "--pacticipant", "Orders", "--version", "o1", "--environment", "nowhere")
				out := run(t, 0, "describe-version", "--pacticipant", "Orders", "--version", "o1", "--environment", "production")
				assert.Contains(t, out, "o1")
			})
			t.Run("can-i-deploy --to-environment", func(t *testing.T) {
				out := canIDeploy(t, 0, "--pacticipant", "Web", "--version", "1", "--to-environment", "production")
				assert.Contains(t, out, "Computer says yes")
				out = canIDeploy(t, 1, "--pacticipant", "Web", "--version", "2", "--to-environment", "production")
				assert.Contains(t, out, "o1", "the reason names the provider version in production")
				canIDeploy(t, 1, "--pacticipant", "Web", "--version", "9", "--to-environment", "production")
				canIDeploy(t, 1, "--pacticipant", "Web", "--version", "1", "--to-environment", "nowhere")
				// The provider goes first: no consumer is in production yet.
				canIDeploy(t, 0, "--pacticipant", "Orders", "--version", "o2", "--to-environment", "production")
			})
			t.Run("can-i-deploy --ignore", func(t *testing.T) {
				canIDeploy(t, 0, "--pacticipant", "Web", "--version", "2", "--to-environment", "production", "--ignore", "Orders")
			})
			t.Run("can-i-deploy --retry-while-unknown", func(t *testing.T) {
				out := canIDeploy(t, 1, "--pacticipant", "Web", "--version", "2", "--to-environment", "production",
					"--retry-while-unknown", "1", "--retry-interval", "0")
				assert.Contains(t, out, "Computer says no")
			})
			t.Run("can-i-deploy --retry-while-unknown waits for the result", func(t *testing.T) {
				storetest.Publish(t, store, "Web", "3", "main", "Orders", nil, "get order", "cancel order")
				// The verification of Web 3 by o1 arrives between the CLI's
				// first and second question.
				var asked atomic.Int32
				api := brokertest.API(store, httpapi.Config{})
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/matrix" && asked.Add(1) == 2 {
						verify("3", "o1", true)
					}
					api.ServeHTTP(w, r)
				}))
				defer srv.Close()
				args := []string{"can-i-deploy", "--pacticipant", "Web", "--version", "3", "--to-environment", "production",
					"--retry-while-unknown", "3", "--retry-interval", "0"}
				out, err := cli(t, srv.URL, nil, args...)
				require.Equal(t, 0, exitCode(t, err), out)
				assert.Contains(t, out, "Computer says yes")
				assert.Equal(t, int32(2), asked.Load(), "the CLI asked again while the answer was unknown")
			})
			t.Run("failed verification says no", func(t *testing.T) {
				run(t, 0, "record-deployment", "--pacticipant", "Orders", "--version", "o2", "--environment", "test")
				out := canIDeploy(t, 1, "--pacticipant", "Web", "--version", "2", "--to-environment", "test")
				assert.Contains(t, out, "failure")
			})
			t.Run("several instances must all have verified", func(t *testing.T) {
				run(t, 0, "record-deployment", "--pacticipant", "Orders", "--version", "o2", "--environment", "production", "--application-instance", "green")
				canIDeploy(t, 1, "--pacticipant", "Web", "--version", "1", "--to-environment", "production")
				out := run(t, 0, "describe-version", "--pacticipant", "Orders", "--version", "o2", "--environment", "production")
				assert.Contains(t, out, "green")
			})
			t.Run("record-undeployment", func(t *testing.T) {
				run(t, 0, "record-undeployment", "--pacticipant", "Orders", "--environment", "production", "--application-instance", "green")
				canIDeploy(t, 0, "--pacticipant", "Web", "--version", "1", "--to-environment", "production")
				deps, err := store.CurrentlyDeployed(ctx, prodUUID, broker.DeploymentFilter{Pacticipant: "Orders"})
				require.NoError(t, err)
				require.Len(t, deps, 1)
				assert.Equal(t, "o1", deps[0].Version.Number)
				run(t, 1, "record-undeployment", "--pacticipant", "Orders", "--environment", "production", "--application-instance", "green")
			})
			t.Run("record-release and record-support-ended", func(t *testing.T) {
				run(t, 0, "record-release", "--pacticipant", "Orders", "--version", "o2", "--environment", "production")
				canIDeploy(t, 1, "--pacticipant", "Web", "--version", "1", "--to-environment", "production")
				rels, err := store.CurrentlySupported(ctx, prodUUID, broker.DeploymentFilter{})
				require.NoError(t, err)
				require.Len(t, rels, 1)
				out := run(t, 0, "describe-version", "--pacticipant", "Orders", "--version", "o2", "--environment", "production")
				assert.Contains(t, out, "o2")
				run(t, 0, "record-support-ended", "--pacticipant", "Orders", "--version", "o2", "--environment", "production")
				canIDeploy(t, 0, "--pacticipant", "Web", "--version", "1", "--to-environment", "production")
				rels, err = store.CurrentlySupported(ctx, prodUUID, broker.DeploymentFilter{})
				require.NoError(t, err)
				assert.Empty(t, rels)
			})
			t.Run("can-i-deploy --to tag", func(t *testing.T) {
				run(t, 0, "create-version-tag", "--pacticipant", "Orders", "--version", "o1", "--tag", "prod")
				canIDeploy(t, 0, "--pacticipant", "Web", "--version", "1", "--to", "prod")
				canIDeploy(t, 1, "--pacticipant", "Web", "--version", "2", "--to", "prod")
			})
			t.Run("can-i-merge", func(t *testing.T) {
				out := run(t, 0, "can-i-merge", "--pacticipant", "Web", "--version", "1")
				assert.Contains(t, out, "o1")
				run(t, 1, "can-i-merge", "--pacticipant", "Web", "--version", "2")
			})
			t.Run("a tag named after an environment records a deployment", func(t *testing.T) {
				_, _, err := store.PutVersion(ctx, "Orders", "o3", broker.VersionUpdate{})
				require.NoError(t, err)
				run(t, 0, "create-version-tag", "--pacticipant", "Orders", "--version", "o3", "--tag", "test")
				deps, err := store.CurrentlyDeployed(ctx, testUUID, broker.DeploymentFilter{Pacticipant: "Orders"})
				require.NoError(t, err)
				require.Len(t, deps, 1)
				assert.Equal(t, "o3", deps[0].Version.Number)
				assert.True(t, deps[0].AutoCreated)
				// Without --application-instance the CLI undeploys the
				// deployment that has none.
				run(t, 0, "record-undeployment", "--pacticipant", "Orders", "--environment", "test")
				deps, err = store.CurrentlyDeployed(ctx, testUUID, broker.DeploymentFilter{Pacticipant: "Orders"})
				require.NoError(t, err)
				assert.Empty(t, deps)
			})
			t.Run("delete-environment", func(t *testing.T) {
				run(t, 0, "delete-environment", "--uuid", testUUID)
				out := run(t, 0, "list-environments")
				assert.NotContains(t, out, testUUID)
				run(t, 1, "delete-environment", "--uuid", testUUID)
			})
		})
	}
}
