-- The worker asks whether a Graph object id (a comment coming back through
-- the webhook) is one of pagebot's own replies; most actions have a result,
-- failed ones do not.

-- +goose Up
CREATE INDEX outbox_result ON outbox (result) WHERE result != '';

-- +goose Down
DROP INDEX outbox_result;
