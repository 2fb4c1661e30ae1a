-- Small named documents every replica shares, kept whole: the moderation
-- rules edited in the console ("moderation.yaml"). A save bumps the
-- document's revision and notifies the channel pagebot_documents with its
-- name, so that every replica puts it in service within a second. The body
-- is bytea: it comes back byte for byte as it was saved.

-- +goose Up
CREATE TABLE documents (
    name       text        PRIMARY KEY,
    body       bytea       NOT NULL,
    revision   bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE documents;
