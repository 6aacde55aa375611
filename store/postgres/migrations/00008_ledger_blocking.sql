-- +goose Up
-- What stood in the way of a request sent for approval, one phrase a line,
-- stored with it rather than read back from its reason. Requests already
-- pending get theirs from the reason ("needs a supervisor's approval:
-- agent budget: …; customer budget: …").
ALTER TABLE ledger ADD COLUMN blocking TEXT NOT NULL DEFAULT '';
UPDATE ledger SET blocking = CASE
        WHEN strpos(reason, ': ') > 0 THEN replace(substr(reason, strpos(reason, ': ') + 2), '; ', E'\n')
        ELSE reason END
    WHERE status = 'pending_approval';

-- +goose Down
ALTER TABLE ledger DROP COLUMN blocking;
