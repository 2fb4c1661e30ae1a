-- Markers for things pagebot does at most once (a scam warning under a post).

-- +goose Up
CREATE TABLE once_markers (
    key TEXT    PRIMARY KEY,
    at  INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE once_markers;
