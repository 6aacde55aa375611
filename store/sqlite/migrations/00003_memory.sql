-- +goose Up
CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    author      TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    via         TEXT    NOT NULL DEFAULT '',
    link        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX notes_customer ON notes (customer_id, created_at);
CREATE INDEX notes_author ON notes (author, created_at);

CREATE TABLE agent_customers (
    agent       TEXT    NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    what        TEXT    NOT NULL DEFAULT '',
    at          INTEGER NOT NULL,
    PRIMARY KEY (agent, customer_id)
) STRICT;
CREATE INDEX agent_customers_recent ON agent_customers (agent, at);

ALTER TABLE merges ADD COLUMN kind TEXT NOT NULL DEFAULT 'merge';
ALTER TABLE merges ADD COLUMN identity TEXT NOT NULL DEFAULT '';
CREATE INDEX cards_message ON cards (channel, ts);

-- +goose Down
DROP INDEX cards_message;
ALTER TABLE merges DROP COLUMN identity;
ALTER TABLE merges DROP COLUMN kind;
DROP TABLE agent_customers;
DROP TABLE notes;
