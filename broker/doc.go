// Package broker holds the domain of Accord's Pact Broker: pacticipants,
// versions, branches, tags, pacts, verification results, environments,
// deployments and webhooks; the broker's services, one interface per role
// (see services.go); and the decisions of the write path as pure functions
// (DecidePublication, ContentChange, RequiredVerifications,
// DecideDeployment). Which pacts a provider must verify (selectors, pending,
// WIP) is decided in broker/verifiable, can-i-deploy in broker/matrix.
//
// The package has no HTTP and no SQL. Data flows publish → domain decision →
// store → HTTP: broker/sqlstore implements every service, reading the facts
// a decision needs and applying its answer, and proves it with the
// conformance suite in broker/storetest; broker/cmd/accord-broker hands the
// services to broker/httpapi, which renders them as the Ruby Pact Broker's
// HAL+JSON API, and to broker/ui.
//
// Errors crossing package boundaries carry one of a few codes ([NotFound],
// [Conflict], [Invalid], [Unauthorized], [Forbidden]); httpapi maps each code
// to one HTTP status in one place.
//
// # Pending and WIP on verification results
//
// A verification result records whether the pact was pending or WIP when it
// was verified (Verification.Pending and WIP). Both come from the metadata
// segment of the URL the result is posted to,
// .../pact-version/{sha}/metadata/{m}/verification-results (see
// verifiable.ParseMetadata): a pact fetched through "pacts for verification" links
// there, with p=true or w=true in m. A result posted to
// .../pact-version/{sha}/verification-results without the segment is
// recorded as neither, whatever the provider branch's state. The Ruby Pact
// Broker does the same (it stores wip=false and pact_pending=nil), and no
// documented rule derives it: pending is decided when pacts are selected for
// verification, and a result without metadata does not say that the
// verifier was told the pact was pending, or that it treated a failure as
// non-fatal.
//
// The official pact CLI 18.1.2 verifier posts without metadata when it runs
// without --consumer-version-selectors: it then reads the provider's latest
// pacts (GET /pacts/provider/{p}/latest), which carry no pending status, so
// it also fails the build on them. With selectors (and --enable-pending) it
// asks for pacts for verification, posts to the metadata URL, and a failure
// of a pending pact is recorded as pending.
// TestCLIVerifierRecordsPendingOnlyThroughSelectors in broker/httpapi pins
// both.
package broker
