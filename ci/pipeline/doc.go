// Package pipeline is the standard contract pipeline as a Go team runs it in
// CI: publish the pacts a consumer build wrote, verify a provider against
// the broker, ask can-i-deploy, record the deployment. It drives the
// official pact CLI where that is the natural tool, and `go test` for
// provider verification (the contracts library reads the broker from the
// environment this package sets).
//
// The command ci/cmd/accord-ci exposes it; the Makefile's publish, verify,
// verify-pact, can-i-deploy and record-deployment targets call that.
package pipeline
