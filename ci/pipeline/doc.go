// Package pipeline is the standard contract pipeline as a Go team runs it in
// CI: publish the pacts a consumer build wrote, verify a provider against
// the broker, ask can-i-deploy, record the deployment. The broker stages
// speak the Pact Broker HTTP API in Go (Broker follows its HAL relations as
// the official clients do), so no pact binary is needed; provider
// verification runs `go test` on the packages whose tests call
// contracts.VerifyProvider, and hands the broker, version and branch to the
// contracts library through the environment it reads.
//
// The command ci/cmd/accord exposes it. The package imports nothing that
// needs cgo, so accord builds with CGO_ENABLED=0.
package pipeline
