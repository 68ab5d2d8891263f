// Package retention decides which old data the broker may delete, so a
// broker that runs for years stays fast: application versions that no keep
// selector protects (with their pacts, verification results, tags and
// triggered webhooks), and "overwritten" data — superseded verification
// results and triggered-webhook logs — older than a maximum age.
//
// It reads the official Docker image's settings (ConfigFromEnv):
//
//	PACT_BROKER_DATABASE_CLEAN_ENABLED            true|false (default false)
//	PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE      5-field cron, default "15 2 * * *"
//	PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS  JSON list of keep selectors
//	PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT     versions (and rows of each kind) per run, default 500
//	PACT_BROKER_DATABASE_CLEAN_OVERWRITTEN_DATA_MAX_AGE  days, default 7
//	PACT_BROKER_DATABASE_CLEAN_DRY_RUN            true lists what would go and deletes nothing
//
// The Ruby broker ignores keep-selector keys it does not know and reads a
// malformed number as 0; here either is an error naming the setting, so the
// broker refuses to start rather than delete under a configuration it does
// not fully understand.
//
// Whatever the selectors say, Plan never deletes a version that is
// currently deployed, released and still supported, or the head of its
// application's main branch: those are what can-i-deploy answers about.
//
// The decisions are pure Go over plain data (Facts); the store gathers the
// facts and deletes what the Plan names, in small batches.
package retention
