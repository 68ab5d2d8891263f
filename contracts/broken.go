package contracts

import (
	"errors"
	"os"
	"os/exec"
	"testing"
)

// VerifyBroken runs the test functions matching run again, in a child
// process of the test binary with env added — the switch that makes the
// provider a deliberately broken variant — and returns the child's output.
// It fails t unless the child fails: a contract that cannot catch the break
// protects nothing.
//
// The child verifies the local pact files only: broker and CI settings are
// removed from its environment, so a broken variant never publishes a
// verification result.
func VerifyBroken(t *testing.T, run string, env ...string) string {
	t.Helper()
	dir, err := PactDir()
	if err != nil {
		t.Fatalf("contracts: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run="+run, "-test.count=1")
	cmd.Env = append(os.Environ(),
		"PACT_BROKER_BASE_URL=", "PACT_URL=", "CI=", "ACCORD_PUBLISH_VERIFICATION_RESULTS=", "ACCORD_PACT_DIR="+dir)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("contracts: the broken variant (%s with %v) passed verification (%v); the contract does not catch the break:\n%s", run, env, err, out)
	}
	return string(out)
}
