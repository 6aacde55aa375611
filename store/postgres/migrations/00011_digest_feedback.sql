-- +goose Up
-- An agent's own settings (turning agent feedback messages off), by name.
CREATE TABLE agent_settings (
    agent      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (agent, name)
);
-- The supervisors' digest reads a period's tickets and feedback and carts
-- across every customer.
CREATE INDEX tickets_created ON tickets (created_at);
CREATE INDEX touchpoints_kind_occurred ON touchpoints (kind, occurred_at);

-- +goose Down
DROP INDEX touchpoints_kind_occurred;
DROP INDEX tickets_created;
DROP TABLE agent_settings;
