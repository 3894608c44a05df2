-- PostgreSQL's own SQL for this migration (run through postgres_execute instead of the DuckDB file):
-- DuckDB cannot forward ADD COLUMN with a DEFAULT; year() is EXTRACT in PostgreSQL.
-- Roll-ups for readers who may only see published values. A slice (indicator, year, kind) holding
-- unpublished values is listed in rollup_unpublished and rolled up twice: over every value
-- (published_only = false) and over published values only (published_only = true). Other slices
-- are rolled up once: both kinds of reader share their rows.
ALTER TABLE rollup_year ADD COLUMN published_only BOOLEAN DEFAULT false;

CREATE TABLE rollup_unpublished (
    indicator_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    kind VARCHAR NOT NULL
);

-- Bumped by every refresh, so that in-process caches of roll-up reads know when to drop.
CREATE TABLE rollup_state (version BIGINT NOT NULL);
INSERT INTO rollup_state VALUES (0);

-- Databases built before this migration: roll their slices with unpublished values up again.
INSERT INTO rollup_dirty SELECT DISTINCT indicator_code, EXTRACT(year FROM period_end)::INTEGER, kind FROM indicator_value
WHERE NOT published;
