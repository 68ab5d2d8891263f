-- Who uses which field: what each pact content relies on (broker/fieldusage.Index, as JSON),
-- written in the transaction that stores the content, so a published pact is never without
-- its index and questions never re-read pacts. Content is immutable, so the index is too.
CREATE TABLE pact_field_usage (
  pact_version_id BIGINT PRIMARY KEY REFERENCES pact_versions(id) ON DELETE CASCADE,
  index_json TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
-- Route coverage a provider version published with its verification results
-- (contracts.RouteCoverage as JSON); its routes also group field usage under path templates.
CREATE TABLE route_coverage (
  provider_version_id BIGINT PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
  provider_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  coverage TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX route_coverage_provider ON route_coverage (provider_id, provider_version_id);
