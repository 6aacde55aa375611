-- +goose Up
-- Each load of the policy by an instance (start, SIGHUP, file changed):
-- the console's change history of the policy in force.
CREATE TABLE policy_loads (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    hash      TEXT    NOT NULL,
    path      TEXT    NOT NULL DEFAULT '',
    reason    TEXT    NOT NULL,
    instance  TEXT    NOT NULL DEFAULT '',
    gestures  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- +goose Down
DROP TABLE policy_loads;
