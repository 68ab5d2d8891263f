// Package pactgotest holds the tests that drive the broker with pact-go's
// verifier (libpact_ffi, cgo): a provider verification fetching pacts with
// selectors, pending and WIP, and the official Ruby client's own contract
// with the Pact Broker verified against ours. It has no non-test code.
package pactgotest
