-- +goose Up
-- A card whose waiting change is only a refresh for another ticket of hers
-- (one that opened or closed) goes to Slack after every due card with a
-- change of its own: the card sender claims by (background, run_after).
ALTER TABLE cards ADD COLUMN background INTEGER NOT NULL DEFAULT 0;
DROP INDEX cards_due;
CREATE INDEX cards_due ON cards (background, run_after) WHERE version > delivered;

-- +goose Down
DROP INDEX cards_due;
CREATE INDEX cards_due ON cards (run_after) WHERE version > delivered;
ALTER TABLE cards DROP COLUMN background;
