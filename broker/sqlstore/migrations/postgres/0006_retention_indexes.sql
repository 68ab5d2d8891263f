-- Deleting versions and pact contents (retention, integration delete)
-- cascades into triggered_webhooks by these columns; without indexes each
-- deleted row would scan the table. labels(name) serves /pacticipants/label/L
-- and label-scoped webhooks.
CREATE INDEX triggered_webhooks_pact_version ON triggered_webhooks (pact_version_id);
CREATE INDEX triggered_webhooks_provider_version ON triggered_webhooks (provider_version_id);
CREATE INDEX labels_name ON labels (name, pacticipant_id);
