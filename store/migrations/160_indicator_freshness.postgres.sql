-- PostgreSQL's own SQL for this migration (run through postgres_execute instead of the DuckDB file):
-- DuckDB cannot forward ADD COLUMN with a DEFAULT.
-- Freshness of an indicator: how many days after its period ends a value is due, and who provides it.
-- A database built before this migration keeps NULLs: the code then falls back to the default delay.
ALTER TABLE indicator ADD COLUMN delay_days INTEGER;
ALTER TABLE indicator ADD COLUMN contact VARCHAR;
ALTER TABLE indicator ADD COLUMN contact_confirmed BOOLEAN DEFAULT false;
