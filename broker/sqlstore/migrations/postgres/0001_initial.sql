-- Core schema: pacticipants, versions, branches, tags, pacts, verifications,
-- and the environment tables the deployed/released selectors read.
-- Times are Unix microseconds (UTC) so both dialects compare them the same way.
CREATE TABLE pacticipants (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  repository_url TEXT NOT NULL DEFAULT '',
  repository_name TEXT NOT NULL DEFAULT '',
  repository_namespace TEXT NOT NULL DEFAULT '',
  main_branch TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- A version's id orders the versions of a pacticipant by creation.
CREATE TABLE versions (
  id BIGSERIAL PRIMARY KEY,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  number TEXT NOT NULL,
  build_url TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (pacticipant_id, number)
);
CREATE INDEX versions_pacticipant_id ON versions (pacticipant_id, id);
CREATE TABLE branches (
  id BIGSERIAL PRIMARY KEY,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (pacticipant_id, name)
);
CREATE TABLE branch_versions (
  branch_id BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
  version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (branch_id, version_id)
);
CREATE INDEX branch_versions_version_id ON branch_versions (version_id);
CREATE TABLE tags (
  version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (version_id, name)
);
CREATE INDEX tags_pacticipant_name ON tags (pacticipant_id, name, version_id);
-- Unique pact content per consumer/provider pair.
CREATE TABLE pact_versions (
  id BIGSERIAL PRIMARY KEY,
  consumer_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  sha TEXT NOT NULL,
  content TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (consumer_id, provider_id, sha)
);
CREATE INDEX pact_versions_provider_sha ON pact_versions (provider_id, sha);
-- One publication per consumer version and provider.
CREATE TABLE pact_publications (
  id BIGSERIAL PRIMARY KEY,
  consumer_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  consumer_version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pact_version_id BIGINT NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (consumer_version_id, provider_id)
);
CREATE INDEX pact_publications_provider ON pact_publications (provider_id, consumer_id, consumer_version_id);
CREATE INDEX pact_publications_pact_version ON pact_publications (pact_version_id);
CREATE TABLE verifications (
  id BIGSERIAL PRIMARY KEY,
  pact_version_id BIGINT NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  consumer_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  success BOOLEAN NOT NULL,
  build_url TEXT NOT NULL DEFAULT '',
  test_results TEXT,
  verified_by TEXT,
  wip BOOLEAN NOT NULL DEFAULT FALSE,
  pact_pending BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL
);
CREATE INDEX verifications_pact_version ON verifications (pact_version_id, id);
CREATE INDEX verifications_provider_version ON verifications (provider_version_id);
CREATE INDEX verifications_provider ON verifications (provider_id, id);
CREATE TABLE integrations (
  consumer_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (consumer_id, provider_id)
);
CREATE INDEX integrations_provider ON integrations (provider_id);
CREATE TABLE environments (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  production BOOLEAN NOT NULL DEFAULT FALSE,
  contacts TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE deployed_versions (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  environment_id BIGINT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  target TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  undeployed_at BIGINT
);
CREATE INDEX deployed_versions_current ON deployed_versions (pacticipant_id, environment_id, target) WHERE undeployed_at IS NULL;
CREATE INDEX deployed_versions_version ON deployed_versions (version_id);
CREATE TABLE released_versions (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  environment_id BIGINT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  support_ended_at BIGINT,
  UNIQUE (version_id, environment_id)
);
