-- PostgreSQL's own SQL for this migration: an index for the roll-up reads (a year, a kind, some levels),
-- which otherwise scan the whole table (6.4 million rows at national scale) on every read.
-- DuckDB forwards `kind = …` with COLLATE "C" and `level IN (…)` without: the index's collations match
-- those, or PostgreSQL could not use it.
CREATE INDEX rollup_year_read ON rollup_year (year, kind COLLATE "C", level);
