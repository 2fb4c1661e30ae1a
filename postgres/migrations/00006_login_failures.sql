-- Failed console logins, counted per key ("ip:<address>", "name:<user>")
-- by every replica alike: the limit of failures per window holds for the
-- whole deployment, not per replica. Rows older than a day are purged.

-- +goose Up
CREATE TABLE login_failures (
    key text        NOT NULL,
    at  timestamptz NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- +goose Down
DROP TABLE login_failures;
