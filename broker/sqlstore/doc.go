// Package sqlstore implements every service of the broker (broker.Store)
// on database/sql with hand-written SQL, for SQLite (modernc.org/sqlite,
// pure Go, the default) and PostgreSQL (pgx).
//
// # Schema and migrations
//
// The schema lives in numbered migrations embedded per dialect:
// migrations/sqlite/NNNN_name.sql and migrations/postgres/NNNN_name.sql.
// Open applies the missing ones in order, each in its own transaction, and
// records them in schema_migrations (PostgreSQL takes an advisory lock so
// several brokers can start at once). To extend the schema add the next
// number to BOTH directories with the same name; never edit a migration that
// has shipped. Statements are split on ";" at line ends and "--" comment
// lines are dropped, so keep one statement per ";"-terminated block. The two
// dialects differ only where they must (INTEGER PRIMARY KEY vs BIGSERIAL).
//
// # Conventions
//
//   - Queries are written once with "?" placeholders; runner rewrites them to
//     $1, $2, ... for PostgreSQL. Use RETURNING and ON CONFLICT, which both
//     dialects support.
//   - Times are BIGINT Unix microseconds in UTC (Store.ts, fromTS), booleans
//     are BOOLEAN (0/1 in SQLite); both compare the same way in both dialects.
//   - A version's id orders a pacticipant's versions by creation ("latest").
//   - Every write goes through Store.write: one transaction per call, rerun
//     when it loses a race (unique violation, serialization failure, busy).
//     Add new hooks (webhook outbox, deployment side effects) inside that
//     transaction so they commit or roll back with the change.
//   - Pact content lives once per (consumer, provider, SHA) in pact_versions;
//     pact_publications link consumer versions to it; verifications belong
//     to content, so identical content for a new version inherits results.
//   - Per-consumer "latest" lookups are scalar subqueries walking an index
//     newest first (see selection.go); PostgreSQL would turn a join or EXISTS
//     there into a scan of every publication of the provider.
//
// The conformance suite is broker/storetest.Run; sqlstore_test runs it on
// SQLite and on PostgreSQL in one testcontainers container per test binary.
// Benchmarks (bench_test.go) seed 50 consumers x 1,000 versions with
// SeedBulk (export_test.go).
package sqlstore
