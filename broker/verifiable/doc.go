// Package verifiable decides which pacts a provider must verify: the
// "pacts for verification" of the Pact Broker. Given a Query (consumer
// version selectors, the provider's branch and tags, whether to include
// pending and work-in-progress pacts) and Facts read from the store, Find
// resolves every selector (with its fallback), merges selections of the same
// content, and marks each pact pending or WIP.
//
// The rules are pure functions over plain data, tested by tables (IsPending,
// SelectWIP, Dedupe, DefaultSelectors, Query.Validate); Find is the only
// code that reads, and it runs its independent reads at once. The wording
// the verifier shows ("The pact at ... is being verified because ...")
// belongs to the HTTP response and lives in broker/httpapi; the metadata
// URL segment that carries a pact's selection back with its verification
// result is encoded and decoded here, through broker/rackquery.
//
// It sits beside broker/matrix: matrix answers "can I deploy", verifiable
// answers "what must I verify".
package verifiable
