-- Events by sender: a data-protection purge (pagebot purge --sender) and
-- the check of an interrupted message against the Page's echoes look them
-- up by sender; the PostgreSQL schema has had this index from the start.

-- +goose Up
CREATE INDEX events_sender ON events (sender_id);

-- +goose Down
DROP INDEX events_sender;
