-- +goose Up
-- What models said about cards (guarded), by the key of what they were
-- shown: the cache of issue 12, erased with the customer.
CREATE TABLE llm_wordings (
    key         TEXT    PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    wording     TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX llm_wordings_customer ON llm_wordings (customer_id, created_at);
-- The model's tokens per budget day, shared by every replica.
CREATE TABLE llm_tokens (
    day  TEXT    PRIMARY KEY,
    used INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE llm_tokens;
DROP INDEX llm_wordings_customer;
DROP TABLE llm_wordings;
