// Package sqlstore implements broker.Store on database/sql with hand-written
// SQL, for SQLite (modernc.org/sqlite, pure Go, the default) and PostgreSQL
// (pgx).
//
// The schema lives in numbered migrations embedded per dialect:
// migrations/sqlite/NNNN_name.sql and migrations/postgres/NNNN_name.sql.
// Open applies the missing ones in order, each in its own transaction, and
// records them in schema_migrations. To extend the schema add the next
// number to BOTH directories (same number and name); never edit a migration
// that has shipped.
//
// Queries are written once with "?" placeholders; for PostgreSQL they are
// rewritten to $1, $2, ... Times are stored as Unix microseconds.
package sqlstore
