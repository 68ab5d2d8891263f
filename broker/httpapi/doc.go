// Package httpapi serves the broker's services (Services) as the Pact
// Broker's HAL+JSON API, compatible with the official clients (the `pact`
// CLI and the verifier in libpact_ffi used by pact-go).
//
// The routes (routes.go) are ServeMux patterns, each declaring the access
// it needs; broker/httpedge authenticates, routes on the escaped path (so
// names containing "/" sent as %2F, spaces, dots and non-ASCII characters
// round-trip) and renders every error a handler returns as the Pact
// Broker's error JSON. Handlers decode, call the store, and encode.
package httpapi
