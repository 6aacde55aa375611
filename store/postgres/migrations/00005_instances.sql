-- +goose Up
-- Every running plusone process beats here, so that the work a dead one
-- had claimed is taken over in seconds instead of when its leases run out.
CREATE TABLE instances (
    name         TEXT    PRIMARY KEY,
    started_at   BIGINT  NOT NULL,
    heartbeat_at BIGINT  NOT NULL,
    reaped_at    BIGINT             -- when its leases were given back; NULL while alive
);

-- Named leases that elect one holder among the instances (the Slack sender).
CREATE TABLE roles (
    name        TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    acquired_at BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);

-- When the first attempt that may have posted a card without recording it
-- began: the lookup of that card in Slack starts there.
ALTER TABLE cards ADD COLUMN attempt_at BIGINT;

-- +goose Down
ALTER TABLE cards DROP COLUMN attempt_at;
DROP TABLE roles;
DROP TABLE instances;
