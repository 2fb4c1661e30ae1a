-- The first schema of pagebot's store. Times are INTEGER microseconds since
-- the Unix epoch (UTC), NULL when unset: integers compare and index exactly,
-- and microseconds are what PostgreSQL keeps too. Text columns hold masked
-- text only; the raw messages never reach the database.

-- +goose Up
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT    NOT NULL UNIQUE,
    page_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    object_id   TEXT    NOT NULL DEFAULT '',
    post_id     TEXT    NOT NULL DEFAULT '',
    parent_id   TEXT    NOT NULL DEFAULT '',
    sender_id   TEXT    NOT NULL DEFAULT '',
    sender_name TEXT    NOT NULL DEFAULT '',
    text        TEXT    NOT NULL DEFAULT '',
    pii         TEXT    NOT NULL DEFAULT '[]', -- JSON array of kinds
    from_page   INTEGER NOT NULL DEFAULT 0,
    app_id      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'unhandled' CHECK (status IN ('unhandled', 'handled')),
    claimed_by  TEXT,
    lease_until INTEGER,
    handled_at  INTEGER
);
-- The claim query walks unhandled events oldest first; handled events, the
-- vast majority, stay out of this index.
CREATE INDEX events_claim ON events (created_at, id) WHERE status = 'unhandled';

CREATE TABLE decisions (
    event_id    INTEGER PRIMARY KEY REFERENCES events (id),
    action      TEXT    NOT NULL CHECK (action IN ('answer', 'redirect', 'escalate', 'ignore')),
    faq_id      TEXT    NOT NULL DEFAULT '',
    redirect_to TEXT    NOT NULL DEFAULT '',
    confidence  REAL    NOT NULL DEFAULT 0,
    hide        INTEGER NOT NULL DEFAULT 0,
    reply       TEXT    NOT NULL DEFAULT '',
    reasons     TEXT    NOT NULL DEFAULT '[]', -- JSON array
    created_at  INTEGER NOT NULL
);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    INTEGER NOT NULL REFERENCES events (id),
    kind        TEXT    NOT NULL,
    target      TEXT    NOT NULL,
    text        TEXT    NOT NULL DEFAULT '',
    human_agent INTEGER NOT NULL DEFAULT 0,
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'dropped', 'draft')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_at     INTEGER NOT NULL,
    result      TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT '',
    claimed_by  TEXT,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX outbox_claim ON outbox (next_at, id) WHERE status = 'pending';
CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_event ON outbox (event_id);

CREATE TABLE cases (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    INTEGER NOT NULL REFERENCES events (id),
    channel     TEXT    NOT NULL,
    sender_id   TEXT    NOT NULL DEFAULT '',
    sender_name TEXT    NOT NULL DEFAULT '',
    text        TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    assigned_to TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    due_at      INTEGER,
    closed_at   INTEGER,
    close_note  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX cases_status ON cases (status, due_at, id);
CREATE INDEX cases_event ON cases (event_id);

-- A thread left to a human agent until a given time: page + PSID for
-- Messenger, page + comment thread id for comments.
CREATE TABLE human_threads (
    page_id    TEXT    NOT NULL,
    thread_key TEXT    NOT NULL,
    until      INTEGER NOT NULL,
    PRIMARY KEY (page_id, thread_key)
) WITHOUT ROWID;

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    subject TEXT    NOT NULL DEFAULT '',
    detail  TEXT    NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE audit;
DROP TABLE human_threads;
DROP TABLE cases;
DROP TABLE outbox;
DROP TABLE decisions;
DROP TABLE events;
