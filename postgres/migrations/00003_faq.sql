-- The FAQ in service, shared by every replica: one row per entry (its JSON,
-- as kb.Entry encodes it) and one row of metadata whose revision goes up by
-- one at each change. A change notifies the channel pagebot_faq, so that
-- every replica rebuilds its Bleve index from these tables within a second.

-- +goose Up
CREATE TABLE faq_meta (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    organism   text        NOT NULL,
    reviewed   text        NOT NULL DEFAULT '',
    revision   bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE TABLE faq_entries (
    id       text   PRIMARY KEY,
    position bigint NOT NULL,
    body     jsonb  NOT NULL,
    revision bigint NOT NULL -- the revision that last changed the entry
);

-- +goose Down
DROP TABLE faq_entries;
DROP TABLE faq_meta;
