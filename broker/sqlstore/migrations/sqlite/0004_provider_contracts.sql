-- Provider contracts (an OpenAPI document a provider publishes with the
-- result of testing itself against it) and the outbox of the checks their
-- publications trigger. A contract_checks row is written in the same
-- transaction as the contract or the pact whose publication calls for it,
-- and removed in the transaction that records its results as verifications,
-- so a check is never lost nor recorded twice.
CREATE TABLE provider_contracts (
  id INTEGER PRIMARY KEY,
  provider_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_version_id BIGINT NOT NULL UNIQUE REFERENCES versions(id) ON DELETE CASCADE,
  sha TEXT NOT NULL,
  specification TEXT NOT NULL,
  content_type TEXT NOT NULL,
  content TEXT NOT NULL,
  self_verification TEXT,
  build_url TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX provider_contracts_provider ON provider_contracts (provider_id, id);
CREATE TABLE contract_checks (
  id INTEGER PRIMARY KEY,
  provider_contract_id BIGINT NOT NULL REFERENCES provider_contracts(id) ON DELETE CASCADE,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX contract_checks_due ON contract_checks (next_attempt_at, id);
CREATE INDEX contract_checks_contract ON contract_checks (provider_contract_id);
-- A verification that is a provider contract check names the content it
-- checked against: a check of equal content is not made twice.
ALTER TABLE verifications ADD COLUMN contract_sha TEXT;
CREATE INDEX verifications_contract_sha ON verifications (pact_version_id, contract_sha) WHERE contract_sha IS NOT NULL;
