-- +goose Up
-- A customer is found by the start of her name or of any later word of it:
-- one row per word start, keyed by the lowercased name from that word on,
-- so that a prefix is an index range, not a scan of every customer.
CREATE TABLE customer_names (
    key         TEXT    NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    PRIMARY KEY (key, customer_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX customer_names_customer ON customer_names (customer_id);
-- The name the rows were made from, to know when to make them again.
ALTER TABLE customers ADD COLUMN name_indexed TEXT;
WITH RECURSIVE words (id, rest) AS (
    SELECT id, lower(name) FROM customers WHERE name <> ''
    UNION ALL
    SELECT id, substr(rest, instr(rest, ' ') + 1) FROM words WHERE instr(rest, ' ') > 0
)
INSERT INTO customer_names (key, customer_id) SELECT rest, id FROM words WHERE rest <> '';
UPDATE customers SET name_indexed = name;

-- +goose Down
ALTER TABLE customers DROP COLUMN name_indexed;
DROP TABLE customer_names;
