-- Transactional outbox. payload is json, not jsonb, so the relay sends exactly
-- the bytes that were written with the order.
CREATE TABLE outbox (
    id              bigserial   PRIMARY KEY,
    event_id        uuid        NOT NULL UNIQUE,
    event_type      text        NOT NULL,
    aggregate_id    uuid        NOT NULL,
    payload         json        NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    published_at    timestamptz
);

-- The relay's claim query: unpublished rows that are due, oldest first.
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE published_at IS NULL;

-- OutboxMessage looks an order's event up by order.
CREATE INDEX outbox_aggregate_idx ON outbox (aggregate_id, event_type);
