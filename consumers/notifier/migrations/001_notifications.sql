-- One notification per OrderPlaced event; the unique event_id makes handling
-- a redelivered event a no-op.
CREATE TABLE notifications (
    id          bigserial   PRIMARY KEY,
    event_id    text        NOT NULL UNIQUE CHECK (event_id <> ''),
    order_id    text        NOT NULL,
    customer_id bigint      NOT NULL,
    message     text        NOT NULL,
    created_at  timestamptz NOT NULL
);

-- GET /notifications?customerId= lists a customer's notifications, newest first.
CREATE INDEX notifications_customer_idx ON notifications (customer_id, created_at DESC, id DESC);
