//go:build !linux

package contracts

// withPlainStdout runs fn; outside Linux the verifier's report keeps its
// colour codes.
func withPlainStdout(fn func()) { fn() }
