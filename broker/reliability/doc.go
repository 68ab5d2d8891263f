// Package reliability is the attack on the broker kept as tests: real
// broker processes (built from broker/cmd/accord-broker) killed with
// SIGKILL under concurrent publishers, PostgreSQL stopped abruptly
// mid-load and started again, two brokers on one database racing
// conflicting writes, and slow clients beside normal ones. Everything runs
// on loopback and stops by itself.
//
// `go test ./broker/reliability` runs a short version of each attack (part
// of `make test`); `make reliability` runs the long one
// (-reliability.long) and prints the figures docs/reliability.md quotes.
package reliability
