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
// size (BenchmarkCanIDeployToEnvironment); the store's share must stay small, so every query below
// is a primary-key or index range probe bounded by the handful of versions involved, never a scan
// of versions, publications or results. A can-i-deploy of one version to an environment with k
// integrated applications makes 7 + 2k small queries (TestCanIDeployQueryCount): the application,
// the environment, its version, its providers, its consumers, then each integrated application and
// its versions there, then the pacts and the verification results. The tables follow the Ruby
// broker, plus two denormalised "latest" tables maintained on write (in the same transaction):
//
//	versions(id, pacticipant_id, number, ord, created_at)
//	    UNIQUE (pacticipant_id, number); INDEX (pacticipant_id, ord DESC)
//	tags(version_id, name, pacticipant_id, version_ord)          INDEX (pacticipant_id, name, version_ord DESC)
//	branch_versions(version_id, branch_name, pacticipant_id, version_ord)
//	                                                            INDEX (pacticipant_id, branch_name, version_ord DESC)
//	currently_deployed(environment_id, pacticipant_id, instance, version_id)
//	    PRIMARY KEY (environment_id, pacticipant_id, instance)  -- one row per slot; record-deployment upserts
//	released_versions(environment_id, pacticipant_id, version_id, support_ended_at)
//	    UNIQUE (version_id, environment_id); INDEX (environment_id, pacticipant_id) WHERE support_ended_at IS NULL
//	integrations(consumer_id, provider_id)                      PRIMARY KEY (consumer_id, provider_id); INDEX (provider_id)
//	pact_versions(id, consumer_id, provider_id, sha)            UNIQUE (consumer_id, provider_id, sha)
//	pact_publications(id, consumer_version_id, provider_id, consumer_id, revision, pact_version_id, created_at)
//	    UNIQUE (consumer_version_id, provider_id, revision); INDEX (consumer_id, provider_id, created_at DESC)
//	latest_pact_publications(consumer_version_id, provider_id, consumer_id, pact_publication_id, pact_version_id, created_at)
//	    PRIMARY KEY (consumer_version_id, provider_id); INDEX (consumer_id, provider_id, created_at DESC); INDEX (pact_version_id)
//	verifications(id, number, pact_version_id, provider_version_id, provider_id, success, execution_date)
//	    INDEX (pact_version_id, provider_version_id, id DESC); INDEX (provider_version_id)
//	latest_verifications(pact_version_id, provider_version_id, verification_id)
//	    PRIMARY KEY (pact_version_id, provider_version_id); INDEX (provider_version_id)
//
// The queries, one per Facts method ($ids are arrays; SQLite binds them as json_each or a
// generated IN list):
//
//	Pacticipant:       SELECT id, name, main_branch FROM pacticipants WHERE name = $1
//	                   (or WHERE lower(name) = lower($1) with an index on lower(name))
//	EnvironmentExists: SELECT 1 FROM environments WHERE name = $1
//	Versions, by number:      SELECT ... FROM versions WHERE pacticipant_id = $p AND number = $n
//	Versions, latest [tag|branch]: drive from the ordered index and stop at the first row:
//	                   SELECT v.* FROM tags t JOIN versions v ON v.id = t.version_id
//	                   WHERE t.pacticipant_id = $p AND t.name = $tag ORDER BY t.version_ord DESC LIMIT 1
//	                   (branch_versions likewise; latest alone uses versions(pacticipant_id, ord DESC))
//	Versions, environment:    SELECT v.* FROM versions v WHERE v.id IN (
//	                     SELECT version_id FROM currently_deployed WHERE environment_id = $e AND pacticipant_id = $p
//	                     UNION SELECT version_id FROM released_versions
//	                     WHERE environment_id = $e AND pacticipant_id = $p AND support_ended_at IS NULL)
//	                   ORDER BY v.ord DESC
//	                   Other filters (number, tag, branch) are added as AND EXISTS (...) on the same indexes.
//	Providers(ids):    SELECT DISTINCT p.name FROM latest_pact_publications lp JOIN pacticipants p ON p.id = lp.provider_id
//	                   WHERE lp.consumer_version_id IN ($ids)                       -- primary-key prefix
//	Providers(nil):    SELECT p.name FROM integrations i JOIN pacticipants p ON p.id = i.provider_id WHERE i.consumer_id = $c
//	Consumers:         SELECT c.name FROM integrations i JOIN pacticipants c ON c.id = i.consumer_id WHERE i.provider_id = $p
//	Pacts (latest revisions):
//	                   SELECT pp.id, c.name, cv.id, cv.number, cv.ord, cv.created_at, pr.name, pv.sha, pp.revision, pp.created_at
//	                   FROM latest_pact_publications lp
//	                   JOIN pact_publications pp ON pp.id = lp.pact_publication_id
//	                   JOIN pact_versions pv ON pv.id = lp.pact_version_id
//	                   JOIN versions cv ON cv.id = lp.consumer_version_id
//	                   JOIN pacticipants c ON c.id = lp.consumer_id JOIN pacticipants pr ON pr.id = lp.provider_id
//	                   WHERE (lp.consumer_version_id IN ($versionIDs) OR lp.consumer_id IN ($allVersionsOf))
//	                     AND lp.provider_id IN ($providers)
//	                   ORDER BY lp.created_at DESC LIMIT $limit
//	                   For name-only sides split the OR into a UNION ALL so each branch uses its index;
//	                   AllRevisions reads pact_publications the same way; Contents filters on
//	                   (pv.consumer_id, pv.provider_id, pv.sha) through the unique index.
//	Verifications (latest per content and provider version):
//	                   SELECT v.id, v.number, c.name, pr.name, pv.sha, prv.id, prv.number, prv.ord, prv.created_at, v.success, v.execution_date
//	                   FROM latest_verifications lv
//	                   JOIN verifications v ON v.id = lv.verification_id
//	                   JOIN pact_versions pv ON pv.id = lv.pact_version_id
//	                   JOIN versions prv ON prv.id = lv.provider_version_id
//	                   JOIN pacticipants c ON c.id = pv.consumer_id JOIN pacticipants pr ON pr.id = pv.provider_id
//	                   WHERE lv.pact_version_id IN ($contents) AND lv.provider_version_id IN ($providerVersionIDs)
//	                   -- one primary-key probe per (content, provider version) pair; a name-only provider
//	                   -- side instead uses the primary-key prefix on pact_version_id alone.
//	                   AllResults reads verifications through (pact_version_id, provider_version_id, id DESC).
//
// Expected plans: SQLite's EXPLAIN QUERY PLAN shows only "SEARCH ... USING (PRIMARY KEY|INDEX ...)"
// lines and PostgreSQL's EXPLAIN only Index Scans / Index Only Scans with nested loops; a
// "SCAN versions", "SCAN verifications" or Seq Scan on a big table means an index is missing.
// The latest_* tables are what keeps latestby out of the hot path: the Ruby broker computes it in
// memory over every row, which is its most-filed timeout.
package matrix
