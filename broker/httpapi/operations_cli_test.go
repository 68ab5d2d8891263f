package httpapi_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/brokertest"
	"github.com/accord-cdc/accord/broker/httpapi"
	"github.com/accord-cdc/accord/broker/storetest"
)

// TestPactCLIOperatorCommands runs the official CLI's broker commands that
// TestPactCLI, TestPactCLIDeployments and TestWebhookCLI do not: each is
// asserted on its exit code and output. (`pact broker ruby` and `pact
// broker docker` install or run a Ruby broker: they do not talk to one.)
func TestPactCLIOperatorCommands(t *testing.T) {
	for _, backend := range brokertest.Backends {
		t.Run(backend, func(t *testing.T) {
			store := brokertest.NewStore(t, backend)
			url := brokertest.Serve(t, store, httpapi.Config{})
			run := func(t *testing.T, want int, args ...string) string {
				t.Helper()
				out, err := cli(t, url, nil, args...)
				require.Equal(t, want, exitCode(t, err), "pact broker %s:\n%s", strings.Join(args, " "), out)
				return out
			}
			dir := t.TempDir()
			write := func(name string, content []byte) string {
				p := filepath.Join(dir, name)
				require.NoError(t, os.WriteFile(p, content, 0o644))
				return p
			}
			run(t, 0, "publish", write("web-orders.json", []byte(`{"consumer":{"name":"Web"},"provider":{"name":"Orders"},"interactions":[
				{"description":"get order","providerState":"an order exists","request":{"method":"GET","path":"/orders/1"},"response":{"status":200}},
				{"description":"no orders","providerStates":[{"name":"no orders","params":{"page":1}}],"request":{"method":"GET","path":"/orders"},"response":{"status":200}}],
				"metadata":{"pactSpecification":{"version":"3.0.0"}}}`)), "--consumer-app-version", "1", "--branch", "main")
			run(t, 0, "publish", write("billing-orders.json", storetest.PactJSON("Billing", "Orders", "get order")), "--consumer-app-version", "b1", "--branch", "main")

			t.Run("provider-states list", func(t *testing.T) {
				out := run(t, 0, "provider-states", "list", "--provider", "Orders")
				assert.Contains(t, out, "an order exists")
				assert.Contains(t, out, "no orders")
				assert.Contains(t, out, "Web")
				out = run(t, 0, "provider-states", "list", "--provider", "Orders", "--json")
				assert.Contains(t, out, `"providerStates"`)
				assert.Regexp(t, `"page": ?1`, out)
				out = run(t, 0, "provider-states", "list", "--provider", "Orders", "--branch", "main")
				assert.Contains(t, out, "an order exists")
				run(t, 0, "create-environment", "--name", "production")
				out = run(t, 0, "provider-states", "list", "--provider", "Orders", "--environment", "production")
				assert.NotContains(t, out, "an order exists", "no consumer version is deployed there yet")
				run(t, 0, "record-deployment", "--pacticipant", "Web", "--version", "1", "--environment", "production")
				out = run(t, 0, "provider-states", "list", "--provider", "Orders", "--environment", "production")
				assert.Contains(t, out, "an order exists")
				out = run(t, 1, "provider-states", "list", "--provider", "Nobody")
				assert.NotEmpty(t, out)
			})
			t.Run("create-or-update-version", func(t *testing.T) {
				out := run(t, 0, "create-or-update-version", "--pacticipant", "Web", "--version", "3", "--branch", "main", "--tag", "prod")
				assert.Contains(t, out, "3")
				out = run(t, 0, "describe-version", "--pacticipant", "Web", "--latest", "prod")
				assert.Contains(t, out, "3")
			})
			t.Run("delete-version-tag", func(t *testing.T) {
				run(t, 0, "delete-version-tag", "--pacticipant", "Web", "--version", "3", "--tag", "prod")
				run(t, 1, "describe-version", "--pacticipant", "Web", "--latest", "prod")
			})
			t.Run("delete-branch", func(t *testing.T) {
				run(t, 0, "create-or-update-version", "--pacticipant", "Web", "--version", "2", "--branch", "feat/x")
				out := run(t, 0, "delete-branch", "--pacticipant", "Web", "--branch", "feat/x")
				assert.NotContains(t, strings.ToLower(out), "error")
				_, err := store.GetBranch(t.Context(), "Web", "feat/x")
				require.Error(t, err, "the branch is gone")
				run(t, 0, "delete-branch", "--pacticipant", "Web", "--branch", "feat/x")
				run(t, 1, "delete-branch", "--pacticipant", "Web", "--branch", "feat/x", "--error-when-not-found", "true")
				out = run(t, 0, "describe-version", "--pacticipant", "Web", "--version", "2")
				assert.Contains(t, out, "2", "the branch's version stays")
			})
			t.Run("list-pacticipants", func(t *testing.T) {
				out := run(t, 0, "list-pacticipants")
				for _, name := range []string{"Web", "Orders", "Billing"} {
					assert.Contains(t, out, name)
				}
			})
			t.Run("describe-pacticipant", func(t *testing.T) {
				run(t, 0, "create-or-update-pacticipant", "--name", "Orders", "--main-branch", "main", "--repository-url", "https://git.example/orders")
				out := run(t, 0, "describe-pacticipant", "--name", "Orders")
				assert.Contains(t, out, "Orders")
				assert.Contains(t, out, "https://git.example/orders")
				out = run(t, 1, "describe-pacticipant", "--name", "Nobody")
				assert.NotEmpty(t, out)
			})
			t.Run("generate-uuid", func(t *testing.T) {
				out, err := exec.Command(pactCLI(t), "broker", "generate-uuid").CombinedOutput()
				require.NoError(t, err, "%s", out)
				assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\s*$`, string(out))
			})
		})
	}
}
