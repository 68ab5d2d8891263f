//go:build unix

package fieldusage

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU adds cpu-ms/op, the process CPU time per operation: on a machine shared with other
// work, wall time per operation says more about the neighbours than about this code.
func reportCPU(b *testing.B, run func()) {
	b.Helper()
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	n := 0
	for b.Loop() {
		run()
		n++
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/op")
}
