package contracts

import (
	"io"
	"os"
	"sync"
	"syscall"
)

// verifierStdout serialises the verifier runs of a test binary around the
// one process-wide thing this package changes: libpact_ffi prints its
// report to file descriptor 1 itself, with colour codes in every body diff
// whatever it is told, so while it runs, fd 1 is a pipe whose bytes are
// passed on at once to the real stdout — without the colour codes when
// that is not a terminal. Everything else written meanwhile (a parallel
// test's output) passes through the same way, so nothing is lost or
// reordered; fd 1 is restored when the run ends, even on t.FailNow.
var verifierStdout sync.Mutex

// withPlainStdout runs fn (a verifier run) as described above; when
// stdout is a terminal it just runs fn.
func withPlainStdout(fn func()) {
	if stdoutIsTerminal() {
		fn()
		return
	}
	verifierStdout.Lock()
	defer verifierStdout.Unlock()
	saved, err := syscall.Dup(1)
	if err != nil {
		fn()
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		syscall.Close(saved)
		fn()
		return
	}
	if err := syscall.Dup3(int(w.Fd()), 1, 0); err != nil {
		r.Close()
		w.Close()
		syscall.Close(saved)
		fn()
		return
	}
	out := os.NewFile(uintptr(saved), "stdout")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(&ansiStripper{w: out}, r)
	}()
	defer func() {
		_ = syscall.Dup3(saved, 1, 0)
		w.Close()
		wg.Wait()
		r.Close()
		out.Close()
	}()
	fn()
}
