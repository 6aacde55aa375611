-- +goose Up
-- One row per running store: Ready writes it when nothing else was written
-- for a while, to tell whether the database can take a write now.
CREATE TABLE store_probe (
    owner TEXT    PRIMARY KEY,
    at    INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE store_probe;
