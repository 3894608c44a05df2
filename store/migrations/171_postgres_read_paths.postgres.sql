-- PostgreSQL's own SQL for this migration: the text columns that reads filter on compare byte by byte, as in
-- DuckDB. DuckDB forwards `column = 'x'` with COLLATE "C" and `column IN (…)` without: under the database's
-- default collation PostgreSQL could not use an index for the first, and read all the values (21 million
-- rows, 1,2 s) to find one. The types are unchanged: only the indexes are rebuilt, not the tables.
ALTER TABLE indicator_value
    ALTER COLUMN indicator_code TYPE VARCHAR COLLATE "C",
    ALTER COLUMN territory_id TYPE VARCHAR COLLATE "C",
    ALTER COLUMN period TYPE VARCHAR COLLATE "C",
    ALTER COLUMN kind TYPE VARCHAR COLLATE "C";
ALTER TABLE rollup_year
    ALTER COLUMN indicator_code TYPE VARCHAR COLLATE "C",
    ALTER COLUMN kind TYPE VARCHAR COLLATE "C",
    ALTER COLUMN source_level TYPE VARCHAR COLLATE "C",
    ALTER COLUMN level TYPE VARCHAR COLLATE "C",
    ALTER COLUMN territory_id TYPE VARCHAR COLLATE "C";
-- A territory's own values (its targets, France's sourced figures) are read without an indicator: the
-- primary key, which starts with the indicator, cannot serve that read.
CREATE INDEX indicator_value_territory ON indicator_value (territory_id, kind);
-- The roll-ups of some levels (France and the régions for the dashboard) are read without a year.
CREATE INDEX rollup_year_level ON rollup_year (level, kind);
-- Changing a column's collation drops its planner statistics: gather them again now, not at autovacuum's
-- next pass (without them PostgreSQL sorted on disk what it could hash: 11 s instead of 2 s).
ANALYZE indicator_value;
ANALYZE rollup_year;
