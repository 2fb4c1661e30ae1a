-- Versions of the FAQ entries, one row per change made through the
-- console: who changed what, when, and the entry as it was after the change
-- (as it was before, for a deletion), in JSON.

-- +goose Up
CREATE TABLE faq_versions (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    action   TEXT    NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    entry    TEXT    NOT NULL,
    UNIQUE (entry_id, version)
);

-- +goose Down
DROP TABLE faq_versions;
