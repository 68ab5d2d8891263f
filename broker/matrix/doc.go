// Package matrix decides can-i-deploy: given selected application versions, a target (an
// environment, a tag, the main branch) and the broker's facts, it builds the matrix rows of pacts
// and verification results and says whether the versions can be deployed — true, false, or
// unknown (nil) when a required verification is missing — with counts, reasons that name the
// versions involved, and notices.
//
// It is pure Go over plain data: no HTTP, no SQL. The store implements Facts, a handful of
// indexed queries (below); Memory implements it over a Data value for tests, benchmarks and
// tools. The HTTP layer parses requests with ParseQuery (/matrix) and ParseCanIDeploy
// (/can-i-deploy) or builds a Query with the shortcut helpers, calls Decide, answers a
// *ValidationError with 400 {"errors": Problems}, and renders the Result with NewBody in the
// Ruby broker's JSON shape (or Text for text/plain). A store proves its Facts implementation
// with the conformance suite in broker/matrix/matrixtest.
//
// # How a question is answered
//
//  1. Validate: every selector names an existing application, the environment exists, at most one
//     target. An unknown version is not an error — it makes the answer "no".
//  2. Resolve ignore selectors, then the specified selectors (a selector matching several versions,
//     like an environment with two deployed instances, becomes one resolved selector per version).
//  3. Integrations: a specified consumer version requires the providers of the pacts published for
//     that very version; a specified provider is integrated with its consumers but does not require
//     them (a provider can go first). With several specified selectors and no target, only the
//     integrations between them count.
//  4. With a target, every integrated application gets an inferred selector for it ("Bar in
//     production") and is resolved like the others.
//  5. Rows: the pacts of the selected consumer versions whose provider is selected, each joined on
//     its content SHA with the verification results of the selected provider versions — a result
//     for identical content published by another consumer version counts. A pact without one still
//     gives a row: that is how a missing verification shows.
//  6. Newest activity first, limit, latestby (cvpv, cvp, cp), success filter, ignore, and the
//     summary: false if a specified version does not exist or a considered row failed (with no
//     unknowns), nil if a considered row is unverified or a required integration has no row, else
//     true ("nothing missing" when there was nothing to check).
//
// # Where this package deliberately differs from the Ruby broker
//
//   - Every provider version in a target environment must have verified the pact. The Ruby broker
//     accepts a pact verified by any one of several deployed or released provider versions, so an
//     old instance that never verified the new pact goes unnoticed (its issue #903 fixed this only
//     for failed verifications). With latestby cvpv (what can-i-deploy uses for environments) or no
//     latestby, each provider version there that has not verified the pact gets an unverified row
//     naming it, and the answer is unknown.
//   - Reasons and notices are worded by this package; their kinds and types follow the Ruby broker.
//     Where the Ruby broker describes a version by a placeholder selector, this package names the
//     version on the row.
//   - latestby=cp breaks ties between rows of the same provider version by the newer consumer
//     version (Ruby's unstable sort leaves it open).
//   - A single selector without a target lists the rows where the application verified as a
//     provider without Ruby's global limit on the pacts joined to them.
//   - An unverified row carries the provider version that is missing (Row.ProviderVersion) when
//     one is known, and NewBody renders it; clients treat the version as optional.
//
// # Facts for a store, at scale
//
// The goal is one can-i-deploy to an environment within 25 ms on SQLite and PostgreSQL with 200
// applications, 200,000 versions and 1,000,000 verification results (Synthetic(LargeScale)
// generates such a broker). The decision itself takes well under a millisecond over Memory at that
// size (BenchmarkCanIDeployToEnvironment); the store's share must stay small, so every Facts call
// is one query that is a primary-key or index range probe bounded by the handful of versions
// involved, never a scan of versions, publications or results. latestby is applied here, in memory,
// to those few rows; only "the latest result per content and provider version" is left to the
// store.
//
// broker/sqlstore's MatrixFacts is that store. It keeps the Ruby broker's tables (no denormalised
// "latest" tables: a version's id orders a pacticipant's versions, and the latest result is MAX(id)
// over one index range) and looks each pacticipant up once per decision. docs/deployments.md has
// how many queries a decision sends, their plans and the measured figures (broker/loadgen benchmarks;
// accord-loadgen -explain prints every query's plan). The indexes, from migrations
// 0001_initial.sql and 0002_deployments_matrix.sql (the same in both dialects), by the question
// that reads them:
//
//	Pacticipant                 UNIQUE                                  pacticipants (name)
//	EnvironmentExists           UNIQUE                                  environments (name)
//	Versions by number          UNIQUE                                  versions (pacticipant_id, number)
//	Versions, newest first      versions_pacticipant_id                 versions (pacticipant_id, id)
//	  with a tag                tags_pacticipant_name                   tags (pacticipant_id, name, version_id)
//	  on a branch               UNIQUE                                  branches (pacticipant_id, name)
//	                            PRIMARY KEY                             branch_versions (branch_id, version_id)
//	  in an environment         deployed_versions_environment           deployed_versions (environment_id, pacticipant_id) WHERE undeployed_at IS NULL
//	                            released_versions_current               released_versions (environment_id, pacticipant_id, version_id) WHERE support_ended_at IS NULL
//	Providers of versions       UNIQUE                                  pact_publications (consumer_version_id, provider_id)
//	Providers of an app         PRIMARY KEY                             integrations (consumer_id, provider_id)
//	Consumers                   integrations_provider                   integrations (provider_id)
//	Pacts of versions           UNIQUE                                  pact_publications (consumer_version_id, provider_id)
//	Pacts of a whole app        pact_publications_consumer              pact_publications (consumer_id, provider_id, id)
//	Pacts by content            UNIQUE                                  pact_versions (consumer_id, provider_id, sha)
//	                            pact_publications_pact_version          pact_publications (pact_version_id)
//	Verifications               verifications_content_provider_version  verifications (pact_version_id, provider_version_id, id)
//	  of a whole provider       verifications_provider                  verifications (provider_id, id)
//
// One current deployment per slot is the unique index deployed_versions_current_slot on
// deployed_versions (pacticipant_id, environment_id, target) WHERE undeployed_at IS NULL: recording
// a deployment marks the one before undeployed in the same transaction, so an environment's
// versions are the rows with undeployed_at IS NULL plus the releases whose support has not ended.
//
// Expected plans: SQLite's EXPLAIN QUERY PLAN shows only "SEARCH ... USING (INTEGER PRIMARY
// KEY|INDEX ...)" lines and PostgreSQL's EXPLAIN index scans on every large table; a "SCAN
// versions", "SCAN verifications" or Seq Scan on versions, pact_publications or verifications means
// an index is missing (broker/loadgen's TestExplainShowsIndexedPlans checks SQLite, and
// broker/sqlstore's TestMatrixDocNamesTheRealIndexes checks the list above against the schema).
package matrix
