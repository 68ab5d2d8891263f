package contracts

import (
	"bytes"
	"io"
	"os"
	"sync"
	"syscall"
)

// captureStdout runs fn while everything written to file descriptor 1 — by Go
// and by the Rust verifier inside libpact_ffi alike — still reaches the
// terminal and is also kept, so a failure can quote the verifier's report.
func captureStdout(fn func()) string {
	saved, err := syscall.Dup(1)
	if err != nil {
		fn()
		return ""
	}
	r, w, err := os.Pipe()
	if err != nil {
		syscall.Close(saved)
		fn()
		return ""
	}
	if err := syscall.Dup3(int(w.Fd()), 1, 0); err != nil {
		r.Close()
		w.Close()
		syscall.Close(saved)
		fn()
		return ""
	}
	var (
		buf  bytes.Buffer
		wg   sync.WaitGroup
		term = os.NewFile(uintptr(saved), "stdout")
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(io.MultiWriter(term, &buf), r)
	}()
	restored := false
	restore := func() {
		if restored {
			return
		}
		restored = true
		_ = syscall.Dup3(saved, 1, 0)
		w.Close()
		wg.Wait()
		r.Close()
		term.Close()
	}
	defer restore() // fn may call t.FailNow
	fn()
	restore()
	return buf.String()
}
