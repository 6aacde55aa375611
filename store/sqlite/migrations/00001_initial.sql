-- +goose Up
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    source       TEXT    NOT NULL,
    dedupe_key   TEXT    NOT NULL,
    headers      TEXT    NOT NULL,
    body         BLOB    NOT NULL,
    received_at  INTEGER NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_after    INTEGER NOT NULL,
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT    NOT NULL DEFAULT '',
    done_at      INTEGER,
    UNIQUE (source, dedupe_key)
) STRICT;
CREATE INDEX inbox_pending ON inbox (id) WHERE state = 'pending';
CREATE INDEX inbox_state ON inbox (state);

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL DEFAULT '',
    email          TEXT    NOT NULL DEFAULT '',
    phone          TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER,
    updated_at     INTEGER,
    orders         INTEGER NOT NULL DEFAULT 0,
    lifetime_value INTEGER NOT NULL DEFAULT 0,
    currency       TEXT    NOT NULL DEFAULT '',
    first_seen     INTEGER,
    last_seen      INTEGER,
    open_tickets   INTEGER NOT NULL DEFAULT 0,
    tier           TEXT    NOT NULL DEFAULT 'new',
    nps            INTEGER,
    csat           INTEGER
) STRICT;
CREATE INDEX customers_name ON customers (name COLLATE NOCASE);

CREATE TABLE identities (
    kind        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
) STRICT;
CREATE INDEX identities_customer ON identities (customer_id);

CREATE TABLE touchpoints (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    source      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    ref         TEXT    NOT NULL DEFAULT '',
    dedupe_key  TEXT    NOT NULL,
    occurred_at INTEGER,
    summary     TEXT    NOT NULL DEFAULT '',
    url         TEXT    NOT NULL DEFAULT '',
    amount      INTEGER NOT NULL DEFAULT 0,
    currency    TEXT    NOT NULL DEFAULT '',
    score       INTEGER,
    scale       TEXT    NOT NULL DEFAULT '',
    UNIQUE (source, dedupe_key)
) STRICT;
CREATE INDEX touchpoints_customer ON touchpoints (customer_id, occurred_at);

CREATE TABLE tickets (
    source        TEXT    NOT NULL,
    ticket_id     TEXT    NOT NULL,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    subject       TEXT    NOT NULL DEFAULT '',
    url           TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT '',
    priority      TEXT    NOT NULL DEFAULT '',
    tags          TEXT    NOT NULL DEFAULT '[]',
    brand         TEXT    NOT NULL DEFAULT '',
    channel       TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER,
    updated_at    INTEGER,
    waiting_since INTEGER,
    replied_at    INTEGER,
    PRIMARY KEY (source, ticket_id)
) STRICT;
CREATE INDEX tickets_customer ON tickets (customer_id, created_at);

CREATE TABLE orders (
    source         TEXT    NOT NULL,
    order_id       TEXT    NOT NULL,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    name           TEXT    NOT NULL DEFAULT '',
    url            TEXT    NOT NULL DEFAULT '',
    total          INTEGER NOT NULL DEFAULT 0,
    refunded       INTEGER NOT NULL DEFAULT 0,
    currency       TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL DEFAULT 'open',
    items          TEXT    NOT NULL DEFAULT '[]',
    checkout_token TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER,
    updated_at     INTEGER,
    PRIMARY KEY (source, order_id)
) STRICT;
CREATE INDEX orders_customer ON orders (customer_id, created_at);

CREATE TABLE carts (
    source       TEXT    NOT NULL,
    cart_id      TEXT    NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    url          TEXT    NOT NULL DEFAULT '',
    total        INTEGER NOT NULL DEFAULT 0,
    currency     TEXT    NOT NULL DEFAULT '',
    items        TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER,
    updated_at   INTEGER,
    completed_at INTEGER,
    abandoned    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, cart_id)
) STRICT;
CREATE INDEX carts_customer ON carts (customer_id, updated_at);

CREATE TABLE preferences (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    key         TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    origin      TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER,
    PRIMARY KEY (customer_id, key)
) STRICT;

CREATE TABLE cards (
    key          TEXT    PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    source       TEXT    NOT NULL,
    ticket_id    TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    ts           TEXT    NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    delivered    INTEGER NOT NULL DEFAULT 0,
    state        TEXT    NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    doubt        INTEGER NOT NULL DEFAULT 0,
    run_after    INTEGER NOT NULL,
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX cards_due ON cards (run_after) WHERE version > delivered;
CREATE INDEX cards_customer ON cards (customer_id);

CREATE TABLE merges (
    id         INTEGER PRIMARY KEY,
    into_id    INTEGER NOT NULL,
    from_id    INTEGER NOT NULL,
    reason     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE merges;
DROP TABLE cards;
DROP TABLE preferences;
DROP TABLE carts;
DROP TABLE orders;
DROP TABLE tickets;
DROP TABLE touchpoints;
DROP TABLE identities;
DROP TABLE customers;
DROP TABLE inbox;
