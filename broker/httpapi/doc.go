// Package httpapi serves the broker's services (Services) as the Pact
// Broker's HAL+JSON API, compatible with the official clients (the `pact`
// CLI and the verifier in libpact_ffi used by pact-go).
//
// Routing is done on the escaped request path, one segment at a time, so
// names containing "/" (sent as %2F), spaces, dots and non-ASCII characters
// round-trip. Handlers decode, call the store, and encode; every error goes
// through one function that maps broker error codes to HTTP statuses and
// the Pact Broker's error JSON.
package httpapi
