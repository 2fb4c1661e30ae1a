-- What the staff console needs beyond the first schema, as the SQLite
-- store's migration 5: the versions of the FAQ entries, one row per change
-- made through the console (who changed what, when, and the entry as it was
-- after the change, as it was before for a deletion). The entry is json,
-- not jsonb, so that it comes back exactly as it was written, keys in
-- their order.
--
-- And an index for the dashboard's report, which selects the events of a
-- period by reception time.

-- +goose Up
CREATE TABLE faq_versions (
    id       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id text        NOT NULL,
    version  integer     NOT NULL,
    actor    text        NOT NULL,
    at       timestamptz NOT NULL,
    action   text        NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    entry    json        NOT NULL,
    UNIQUE (entry_id, version)
);

CREATE INDEX events_received ON events (received_at);

-- +goose Down
DROP INDEX events_received;
DROP TABLE faq_versions;
