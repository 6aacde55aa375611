-- +goose Up
-- A customer's exposure to a gesture and the arm she was put on: one row per
-- customer and gesture, the earliest exposure kept (merges too). Nothing personal:
-- the arm is drawn from her email, which is not kept here.
CREATE TABLE assignments (
    customer_id BIGINT NOT NULL,
    gesture     TEXT   NOT NULL,
    arm         TEXT   NOT NULL,
    exposed_at  BIGINT NOT NULL,
    PRIMARY KEY (customer_id, gesture)
);
CREATE INDEX assignments_exposed ON assignments (exposed_at);

-- Settings of the installation kept in the store (the assignment seed).
CREATE TABLE outcome_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE outcome_settings;
DROP TABLE assignments;
