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
// The child is marked a broken variant (ACCORD_BROKEN_VARIANT=1): a
// Provider without a Source verifies the local pact files there, whatever
// broker or CI settings the environment holds, and no Source publishes a
// verification result from it.
func VerifyBroken(t *testing.T, run string, env ...string) string {
	t.Helper()
	dir, err := PactDir()
	if err != nil {
		t.Fatalf("contracts: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run="+run, "-test.count=1")
	cmd.Env = append(os.Environ(), brokenVariantEnv+"=1", "ACCORD_PACT_DIR="+dir)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("contracts: the broken variant (%s with %v) passed verification (%v); the contract does not catch the break:\n%s", run, env, err, out)
	}
	return string(out)
}
