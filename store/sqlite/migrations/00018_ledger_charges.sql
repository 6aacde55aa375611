-- +goose Up
-- The console's spend over time reads what entries charged since a day,
-- across agents: only entries with a charge, by time.
CREATE INDEX ledger_charges ON ledger (created_at) WHERE charge <> 0;

-- +goose Down
DROP INDEX ledger_charges;
