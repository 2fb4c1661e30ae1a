-- Public comments seen, for the repeated-comment check shared by every
-- replica (moderation.Repeats in one process): the author, the hash of the
-- normalised text (moderation.RepeatSum; never the text) and Meta's time of
-- the comment. NoteRepeat adds one row per comment and counts an author's
-- identical ones within the window; the retention purge deletes rows older
-- than a day, and a data-protection purge the author's.

-- +goose Up
CREATE TABLE repeats (
    author text        NOT NULL,
    sum    bigint      NOT NULL, -- the uint64 hash, stored as int64 (same bits)
    at     timestamptz NOT NULL
);
CREATE INDEX repeats_lookup ON repeats (author, sum, at);

-- +goose Down
DROP TABLE repeats;
