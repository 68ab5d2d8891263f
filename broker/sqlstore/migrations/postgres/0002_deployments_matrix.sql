-- Environments, deployments and releases get their own API, and the matrix
-- and can-i-deploy queries get indexes shaped for them: every fact they read
-- is an index range bounded by the handful of versions in the question.
ALTER TABLE deployed_versions ADD COLUMN auto_created BOOLEAN NOT NULL DEFAULT FALSE;
-- One current version per slot (pacticipant, environment, application
-- instance): recording a deployment replaces the one before.
DROP INDEX deployed_versions_current;
CREATE UNIQUE INDEX deployed_versions_current_slot ON deployed_versions (pacticipant_id, environment_id, target) WHERE undeployed_at IS NULL;
-- The currently-deployed list of an environment.
CREATE INDEX deployed_versions_environment ON deployed_versions (environment_id, pacticipant_id) WHERE undeployed_at IS NULL;
-- "Versions of X in environment E": supported releases.
CREATE INDEX released_versions_current ON released_versions (environment_id, pacticipant_id, version_id) WHERE support_ended_at IS NULL;
-- The latest result per (pact content, provider version) is MAX(id) of one
-- index range; results of a set of provider versions for a set of contents
-- are point probes.
CREATE INDEX verifications_content_provider_version ON verifications (pact_version_id, provider_version_id, id);
-- Publications of a consumer (all its versions) for some providers, newest first.
CREATE INDEX pact_publications_consumer ON pact_publications (consumer_id, provider_id, id);
