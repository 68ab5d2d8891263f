package pipeline

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

// TestDemo runs make demo's script end to end — broker, consumers, publish,
// webhook, orders' provider contract (bi-directional: its OpenAPI document
// and self-verification, gateway's pact checked against it), provider
// verification against PostgreSQL, can-i-deploy,
// record-deployment, the feature branch the provider cannot satisfy — on
// free ports and a temporary folder, and checks the story it tells.
func TestDemo(t *testing.T) {
	if _, err := exec.LookPath("pact"); err != nil {
		t.Fatal("the pact CLI is not on PATH: run this through `make test` (it runs make setup and puts .tools/bin on PATH)")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	env := append(os.Environ(),
		"ACCORD_DEMO_DIR="+t.TempDir(),
		"ACCORD_DEMO_BROKER_ADDR="+freeAddr(t),
		"ACCORD_DEMO_RUNNER_ADDR="+freeAddr(t),
	)
	stop := func() {
		cmd := exec.Command("bash", "ci/demo.sh", "stop")
		cmd.Dir, cmd.Env = root, env
		_ = cmd.Run()
	}
	t.Cleanup(stop)

	cmd := exec.Command("bash", "ci/demo.sh")
	cmd.Dir, cmd.Env = root, env
	out, err := cmd.CombinedOutput()
	text := string(out)
	require.NoError(t, err, "the demo failed:\n%s", text)

	for _, stage := range []string{"[1/10]", "[5/10]", "[10/10]"} {
		assert.Contains(t, text, stage)
	}
	assert.Contains(t, text, "4 pacts:")
	assert.Regexp(t, `users \S+: [1-9]\d* interactions verified`, text)
	assert.Regexp(t, `users \S+: routes covered by consumer contracts: [1-9]\d*/4.* \(published: `, text,
		"users prints its route coverage and the broker has it")
	assert.Regexp(t, `can-i-remove-field users GET /users/\{id\} response\.body\.\$\.email: exit 1, no: .* is in use; used by gateway \S+ \(main\)`, text,
		"gateway reads users' email, so it cannot be removed")
	assert.Regexp(t, `can-i-remove-field users GET /users/\{id\} response\.body\.\$\.nickname: exit 0, yes: `, text, "nobody reads a nickname")
	// Bi-directional: orders' own test checked its responses against its
	// OpenAPI document, the official CLI published both, and the broker
	// found gateway's pact compatible with the document.
	assert.Regexp(t, `orders \S+: TestOrdersAPI checked every response against providers/orders/openapi.yaml: passed`, text)
	assert.Contains(t, text, "Provider contract for orders version", "the pact CLI's answer to the publication")
	assert.Regexp(t, `gateway (\S+) -> orders (\S+): compatible by provider contract \(all 2 interactions are compatible with the provider contract\)`, text)
	assert.Regexp(t, `orders \S+: 1 interactions verified \(notifier's pact\)`, text, "orders replays only the message pact")
	// The summary: four integrations with passing verifications, gateway's
	// pact with orders by the provider contract check, which can-i-deploy used.
	assert.Regexp(t, `gateway +\S+ +main +orders \S+ \(compatible by provider contract\), users \S+ \(passed\) +yes`, text)
	assert.Regexp(t, `notifier +\S+ +main +orders \S+ \(passed\) +yes`, text)
	assert.Regexp(t, `orders +\S+ +main +users \S+ \(passed\) +yes`, text)
	assert.Contains(t, text, "pending: true", "the webhook-triggered verification saw the changed pact as pending")
	assert.Contains(t, text, "=> NO: gateway", "can-i-deploy refused the feature version")
	assert.Regexp(t, `gateway .*-loyalty .*feat/loyalty .*users .*\(failed\) +NO`, text, "the summary shows the refused version and why")
	assert.Equal(t, 4, strings.Count(text, "deployable, deployed to production"), "every service went to production first")
	t.Logf("demo output (tail):\n%s", tail(text, 25))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
