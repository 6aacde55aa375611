-- +goose Up
-- The queues (inbox, cards, jobs) and the customers are updated several
-- times for every event: each update leaves a dead row that claims and
-- lookups step over until a vacuum. Autovacuum waits for 20 % of a table
-- to change by default; these tables are vacuumed after 1 % (and at least
-- 1,000 rows), as queue tables in PostgreSQL should be.
ALTER TABLE inbox SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
	autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE cards SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
	autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE jobs SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
	autovacuum_analyze_scale_factor = 0.02);
ALTER TABLE customers SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000,
	autovacuum_analyze_scale_factor = 0.02);

-- +goose Down
ALTER TABLE inbox RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor);
ALTER TABLE cards RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor);
ALTER TABLE jobs RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor);
ALTER TABLE customers RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor);
