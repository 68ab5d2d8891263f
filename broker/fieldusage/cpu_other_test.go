//go:build !unix

package fieldusage

import "testing"

func reportCPU(b *testing.B, run func()) {
	b.Helper()
	for b.Loop() {
		run()
	}
}
