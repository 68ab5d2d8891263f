//go:build !unix

package httpapi_test

import "testing"

// loopCPU runs b.Loop over run (no CPU-time figure without getrusage).
func loopCPU(b *testing.B, run func()) {
	b.Helper()
	for b.Loop() {
		run()
	}
}
