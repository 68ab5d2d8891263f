-- Webhooks and their transactional outbox. A triggered_webhooks row is
-- written in the same transaction as the publication or verification that
-- triggered it; dispatchers lease due rows (lease_owner/lease_until, claimed
-- with FOR UPDATE SKIP LOCKED) so one broker at a time attempts a delivery.
CREATE TABLE IF NOT EXISTS labels (
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (pacticipant_id, name)
);
CREATE TABLE webhooks (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  consumer_id BIGINT REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id BIGINT REFERENCES pacticipants(id) ON DELETE CASCADE,
  consumer_label TEXT NOT NULL DEFAULT '',
  provider_label TEXT NOT NULL DEFAULT '',
  enabled BOOLEAN NOT NULL DEFAULT TRUE,
  events TEXT NOT NULL,
  method TEXT NOT NULL,
  url TEXT NOT NULL,
  headers TEXT NOT NULL DEFAULT '{}',
  body TEXT,
  username TEXT NOT NULL DEFAULT '',
  password TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webhooks_consumer ON webhooks (consumer_id);
CREATE INDEX webhooks_provider ON webhooks (provider_id);
CREATE TABLE triggered_webhooks (
  id BIGSERIAL PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  webhook_uuid TEXT NOT NULL,
  trigger_type TEXT NOT NULL,
  event_name TEXT NOT NULL,
  consumer_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  pact_publication_id BIGINT REFERENCES pact_publications(id) ON DELETE CASCADE,
  verification_id BIGINT REFERENCES verifications(id) ON DELETE CASCADE,
  pact_version_id BIGINT REFERENCES pact_versions(id) ON DELETE CASCADE,
  provider_version_id BIGINT REFERENCES versions(id) ON DELETE CASCADE,
  event_context TEXT NOT NULL,
  base_url TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX triggered_webhooks_due ON triggered_webhooks (next_attempt_at, id) WHERE status IN ('not_run', 'retrying');
CREATE INDEX triggered_webhooks_webhook ON triggered_webhooks (webhook_id, event_name, pact_version_id, provider_version_id);
CREATE INDEX triggered_webhooks_pair ON triggered_webhooks (consumer_id, provider_id, id);
CREATE INDEX triggered_webhooks_publication ON triggered_webhooks (pact_publication_id);
CREATE INDEX triggered_webhooks_verification ON triggered_webhooks (verification_id);
CREATE TABLE webhook_executions (
  id BIGSERIAL PRIMARY KEY,
  triggered_webhook_id BIGINT NOT NULL REFERENCES triggered_webhooks(id) ON DELETE CASCADE,
  success BOOLEAN NOT NULL,
  logs TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX webhook_executions_triggered ON webhook_executions (triggered_webhook_id, id);
