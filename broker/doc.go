// Package broker holds the domain of Accord's Pact Broker: pacticipants,
// versions, branches, tags, pacts, verification results and the rules that
// decide which pacts a provider must verify (selectors, pending, WIP).
//
// The package has no HTTP and no SQL. Storage implementations satisfy
// [Store] (see broker/sqlstore) and prove it with the conformance suite in
// broker/storetest; broker/httpapi renders the domain as the Ruby Pact
// Broker's HAL+JSON API.
//
// Errors crossing package boundaries carry one of a few codes ([NotFound],
// [Conflict], [Invalid], [Unauthorized], [Forbidden]); httpapi maps each code
// to one HTTP status in one place.
package broker
