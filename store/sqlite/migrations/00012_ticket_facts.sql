-- +goose Up
-- What the helpdesk says of a ticket that the card may show (the policy's
-- card.fields): its assignee, the customer's organization and plan there,
-- and its custom fields by name (a JSON object).
ALTER TABLE tickets ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN organization TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN fields TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE tickets DROP COLUMN fields;
ALTER TABLE tickets DROP COLUMN plan;
ALTER TABLE tickets DROP COLUMN organization;
ALTER TABLE tickets DROP COLUMN assignee;
