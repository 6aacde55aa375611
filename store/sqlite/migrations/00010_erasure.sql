-- +goose Up
-- An erased customer keeps her row, emptied, so that the ledger's entries
-- still point at someone (anonymised) and the budgets' totals stay; her
-- identities go, so that whoever writes in with them later is somebody new.
ALTER TABLE customers ADD COLUMN erased_at INTEGER;
-- Retention finds the customers not seen for a while without a scan.
CREATE INDEX customers_last_seen ON customers (last_seen) WHERE erased_at IS NULL;

-- +goose Down
DROP INDEX customers_last_seen;
ALTER TABLE customers DROP COLUMN erased_at;
