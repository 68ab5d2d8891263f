CREATE TABLE users (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT        NOT NULL CHECK (name <> ''),
    email      TEXT        NOT NULL UNIQUE CHECK (email LIKE '%_@_%'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
