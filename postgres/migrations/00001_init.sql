-- The schema of pagebot's PostgreSQL store, the same tables as the SQLite
-- store's migrations 1 to 4. Times are timestamptz (PostgreSQL keeps the
-- microsecond, as the store does), NULL when unset. Text columns hold masked
-- text only; the raw messages never reach the database. The tables live in
-- the first schema of the connection's search_path.

-- +goose Up
CREATE TABLE events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text        NOT NULL UNIQUE,
    page_id     text        NOT NULL,
    kind        text        NOT NULL,
    channel     text        NOT NULL,
    object_id   text        NOT NULL DEFAULT '',
    post_id     text        NOT NULL DEFAULT '',
    parent_id   text        NOT NULL DEFAULT '',
    sender_id   text        NOT NULL DEFAULT '',
    sender_name text        NOT NULL DEFAULT '',
    text        text        NOT NULL DEFAULT '',
    pii         jsonb       NOT NULL DEFAULT '[]', -- array of kinds
    from_page   boolean     NOT NULL DEFAULT false,
    app_id      text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    status      text        NOT NULL DEFAULT 'unhandled' CHECK (status IN ('unhandled', 'handled')),
    claimed_by  text,
    lease_until timestamptz,
    handled_at  timestamptz
);
-- The claim walks unhandled events oldest first; handled events, the vast
-- majority, stay out of this index.
CREATE INDEX events_claim ON events (created_at, id) WHERE status = 'unhandled';
CREATE INDEX events_sender ON events (sender_id);

CREATE TABLE decisions (
    event_id    bigint           PRIMARY KEY REFERENCES events (id),
    action      text             NOT NULL CHECK (action IN ('answer', 'redirect', 'escalate', 'ignore')),
    faq_id      text             NOT NULL DEFAULT '',
    redirect_to text             NOT NULL DEFAULT '',
    confidence  double precision NOT NULL DEFAULT 0,
    hide        boolean          NOT NULL DEFAULT false,
    reply       text             NOT NULL DEFAULT '',
    reasons     jsonb            NOT NULL DEFAULT '[]',
    created_at  timestamptz      NOT NULL
);

CREATE TABLE outbox (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    bigint      NOT NULL REFERENCES events (id),
    kind        text        NOT NULL,
    target      text        NOT NULL,
    text        text        NOT NULL DEFAULT '',
    human_agent boolean     NOT NULL DEFAULT false,
    status      text        NOT NULL CHECK (status IN ('pending', 'done', 'failed', 'dropped', 'draft')),
    attempts    integer     NOT NULL DEFAULT 0,
    next_at     timestamptz NOT NULL,
    result      text        NOT NULL DEFAULT '',
    error       text        NOT NULL DEFAULT '',
    claimed_by  text,
    lease_until timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX outbox_claim ON outbox (next_at, id) WHERE status = 'pending';
CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_event ON outbox (event_id);
-- The worker asks whether a Graph object id is one of pagebot's own replies.
CREATE INDEX outbox_result ON outbox (result) WHERE result <> '';

CREATE TABLE cases (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    bigint      NOT NULL REFERENCES events (id),
    channel     text        NOT NULL,
    sender_id   text        NOT NULL DEFAULT '',
    sender_name text        NOT NULL DEFAULT '',
    text        text        NOT NULL DEFAULT '',
    reason      text        NOT NULL DEFAULT '',
    status      text        NOT NULL CHECK (status IN ('open', 'closed')),
    assigned_to text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    due_at      timestamptz,
    closed_at   timestamptz,
    close_note  text        NOT NULL DEFAULT ''
);
CREATE INDEX cases_status ON cases (status, due_at, id);
CREATE INDEX cases_event ON cases (event_id);

-- A thread left to a human agent until a given time: page + PSID for
-- Messenger, page + comment thread id for comments.
CREATE TABLE human_threads (
    page_id    text        NOT NULL,
    thread_key text        NOT NULL,
    until      timestamptz NOT NULL,
    PRIMARY KEY (page_id, thread_key)
);

CREATE TABLE audit (
    id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL,
    actor   text        NOT NULL,
    action  text        NOT NULL,
    subject text        NOT NULL DEFAULT '',
    detail  text        NOT NULL DEFAULT ''
);

-- Staff accounts of the console, their web sessions and the API tokens of
-- scripts, hashed only (bcrypt for passwords, SHA-256 for tokens).
CREATE TABLE users (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text        NOT NULL UNIQUE,
    password_hash       text        NOT NULL,
    role                text        NOT NULL CHECK (role IN ('agent', 'editor', 'admin')),
    created_at          timestamptz NOT NULL,
    password_changed_at timestamptz NOT NULL,
    disabled            boolean     NOT NULL DEFAULT false
);

CREATE TABLE sessions (
    token  text        PRIMARY KEY,
    data   bytea       NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE api_tokens (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    token_hash text        NOT NULL UNIQUE,
    role       text        NOT NULL CHECK (role IN ('agent', 'editor', 'admin')),
    created_by text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);

-- Markers for things pagebot does at most once (a scam warning under a post).
CREATE TABLE once_markers (
    key text        PRIMARY KEY,
    at  timestamptz NOT NULL
);

-- +goose Down
DROP TABLE once_markers;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE audit;
DROP TABLE human_threads;
DROP TABLE cases;
DROP TABLE outbox;
DROP TABLE decisions;
DROP TABLE events;
