//go:build unix

package httpapi_test

import (
	"syscall"
	"testing"
	"time"
)

// loopCPU runs b.Loop over run and reports the process's CPU time per iteration beside the wall
// time: on a shared machine the wall time also counts waiting for a core. (With PostgreSQL the
// database's own work is in its process, so only the wall time covers it.)
func loopCPU(b *testing.B, run func()) {
	b.Helper()
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	n := 0
	for b.Loop() {
		run()
		n++
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/op")
}
