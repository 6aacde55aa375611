-- +goose Up
-- The gestures ledger is append-only: a request's later states are new
-- rows whose request_id is the id of its first row (NULL on that row).
CREATE TABLE ledger (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER,
    key         TEXT UNIQUE,
    gesture     TEXT    NOT NULL,
    title       TEXT    NOT NULL DEFAULT '',
    kind        TEXT    NOT NULL DEFAULT '',
    value       INTEGER NOT NULL,
    currency    TEXT    NOT NULL DEFAULT '',
    charge      INTEGER NOT NULL DEFAULT 0,
    customer_id INTEGER NOT NULL,
    agent       TEXT    NOT NULL,
    team        TEXT    NOT NULL DEFAULT '',
    status      TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    decided_by  TEXT    NOT NULL DEFAULT '',
    ticket_key  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX ledger_request ON ledger (COALESCE(request_id, id), id);
CREATE INDEX ledger_agent ON ledger (agent, created_at);
CREATE INDEX ledger_team ON ledger (team, created_at);
CREATE INDEX ledger_customer ON ledger (customer_id, created_at);
CREATE INDEX ledger_status ON ledger (status, created_at);

-- Where plusone posted a request's Slack messages (approval request, to-do).
CREATE TABLE ledger_messages (
    request_id INTEGER NOT NULL,
    purpose    TEXT    NOT NULL,
    channel    TEXT    NOT NULL,
    ts         TEXT    NOT NULL,
    PRIMARY KEY (request_id, purpose)
) STRICT;

-- Supervisors' changes over the policy file, in order.
CREATE TABLE overrides (
    id        INTEGER PRIMARY KEY,
    path      TEXT    NOT NULL,
    old_value TEXT    NOT NULL DEFAULT '',
    new_value TEXT    NOT NULL DEFAULT '',
    changed_by TEXT   NOT NULL,
    at        INTEGER NOT NULL
) STRICT;

-- What was attempted and refused (a non-supervisor deciding an approval).
CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL DEFAULT '',
    outcome TEXT    NOT NULL DEFAULT '',
    at      INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE audit;
DROP TABLE overrides;
DROP TABLE ledger_messages;
DROP TABLE ledger;
